import t from 'tap'
import { buildContext } from '../../../src/core/matching/context.js'
import { chooseByLookahead } from '../../../src/core/matching/lookahead.js'
import { createRandom, type PastGroup } from '../../../src/core/matching/index.js'

// Six members, four here this round (a, b, c, d). Still unmet: a-b, c-d, a-c, b-d, a-e, b-f.
// Pairing a-b + c-d now leaves {a-c, b-d, a-e, b-f}: the next full round has no repeat-free pairing.
// Pairing a-c + b-d now leaves {a-b, c-d, a-e, b-f}: a-e, b-f, c-d works.
const met = [['a', 'd'], ['a', 'f'], ['b', 'c'], ['b', 'e'], ['c', 'e'], ['c', 'f'], ['d', 'e'], ['d', 'f'], ['e', 'f']]
const history: PastGroup[] = met.map((members, i) => ({ round: 1 + (i % 3), members }))

function setup (people: string[]): { ctx: ReturnType<typeof buildContext>, circle: number[], mate: (pairs: [string, string][]) => Int32Array } {
  const ctx = buildContext({ people, groupSize: 2, history, blocks: [], round: 4, random: createRandom(1) }, people)
  const circle = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ctx.indexOf.get(id)!)
  const mate = (pairs: [string, string][]): Int32Array => {
    const result = new Int32Array(ctx.n).fill(-1)
    for (const [x, y] of pairs) {
      result[ctx.indexOf.get(x)!] = ctx.indexOf.get(y)!
      result[ctx.indexOf.get(y)!] = ctx.indexOf.get(x)!
    }
    return result
  }
  return { ctx, circle, mate }
}

t.test('in the end game, the pairing that keeps the next round repeat-free wins', async (t) => {
  const { ctx, circle, mate } = setup(['a', 'b', 'c', 'd'])
  const trap = mate([['a', 'b'], ['c', 'd']])
  const safe = mate([['a', 'c'], ['b', 'd']])
  for (let seed = 1; seed <= 5; seed++) {
    t.same([...chooseByLookahead(ctx, circle, trap, createRandom(seed))], [...safe], `seed ${seed}`)
    t.same([...chooseByLookahead(ctx, circle, safe, createRandom(seed))], [...safe], `seed ${seed}, already safe`)
  }
})

t.test('outside the end game the given pairing is kept', async (t) => {
  // Two more people nobody has met: everyone here has plenty of options left.
  const people = ['a', 'b', 'c', 'd', 'g', 'h']
  const ctx = buildContext({ people, groupSize: 2, history: [], blocks: [], round: 1, random: createRandom(1) }, people)
  const circle = people.map((id) => ctx.indexOf.get(id)!)
  const given = Int32Array.from([1, 0, 3, 2, 5, 4])
  t.equal(chooseByLookahead(ctx, circle, given, createRandom(1)), given)
})
