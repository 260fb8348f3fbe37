import t from 'tap'
import { createRandom, GroupHistory, matchRound, type MatchInput, type PastGroup } from '../../../src/core/matching/index.js'
import { buildContext } from '../../../src/core/matching/context.js'

const peopleOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `user-${String(i).padStart(5, '0')}`)

/** Groups of `size` over `rounds` rounds, drawn at random (seeded): repeats, trios and people who left included. */
function randomHistory (people: readonly string[], rounds: number, size: number, seed: number): PastGroup[] {
  const random = createRandom(seed)
  const history: PastGroup[] = []
  for (let round = 1; round <= rounds; round++) {
    const order = [...people].sort(() => random() - 0.5)
    for (let i = 0; i + 1 < order.length; i += size) history.push({ round, members: order.slice(i, i + size) })
  }
  return history
}

t.test('a GroupHistory gives the same groups as the same history as objects', async (t) => {
  for (const [n, size, rounds] of [[12, 2, 9], [31, 3, 6], [250, 2, 20], [400, 4, 8]] as const) {
    // Some of the history's people have left (they are not among this round's people).
    const all = peopleOf(n + 5)
    const history = randomHistory(all, rounds, size, n)
    const people = all.slice(5)
    const input: MatchInput = { people, groupSize: size, history, blocks: [[people[0]!, people[1]!]], round: rounds + 1, random: createRandom(7) }
    const asObjects = matchRound(input)
    const asColumns = matchRound({ ...input, history: GroupHistory.from(history), random: createRandom(7) })
    t.same(asColumns, asObjects, `n=${n}, groups of ${size}`)
  }
})

t.test('who met whom, against a plain reading of a long history (thousands of groups of 2 to 4, repeats, people who left)', async (t) => {
  const all = peopleOf(60)
  const history = [2, 3, 4].flatMap((size, i) => randomHistory(all, 40, size, 100 + i))
  const people = all.slice(0, 50)
  const round = 35
  const last = new Map<string, number>()
  for (const group of history) {
    if (group.round >= round) continue
    for (const x of group.members) for (const y of group.members) if (x < y) last.set(`${x} ${y}`, Math.max(last.get(`${x} ${y}`) ?? -1, group.round))
  }
  for (const given of [history, GroupHistory.from(history)]) {
    const ctx = buildContext({ people, groupSize: 2, history: given, blocks: [], round, random: createRandom(1) }, people)
    let wrong = 0
    for (const x of ctx.universe) {
      for (const y of ctx.universe) {
        if (x < y && ctx.lastMet(ctx.indexOf.get(x)!, ctx.indexOf.get(y)!) !== last.get(`${x} ${y}`)) wrong++
      }
    }
    t.equal(ctx.universe.length, 60)
    t.equal(wrong, 0, `${history.length} groups, every pair's last round`)
    let pairs = 0
    ctx.forEachMet((a, b, r) => { if (last.get([ctx.universe[a], ctx.universe[b]].sort().join(' ')) === r) pairs++ })
    t.equal(pairs, last.size, 'forEachMet: each pair once, with its last round')
  }
})

t.test('who met whom: the last round wins, later rounds are not history, people only in the history count', async (t) => {
  const history = new GroupHistory()
  const [a, b, c, gone] = ['a', 'b', 'c', 'gone'].map((id) => history.person(id)) as [number, number, number, number]
  history.addGroup(2, [a, b])
  history.addGroup(5, [b, a, gone])
  history.addGroup(3, [a, b])
  history.addGroup(7, [a, c]) // this round: not history yet
  history.addGroup(4, [c, c, gone]) // a duplicate member counts once
  const ctx = buildContext({ people: ['a', 'b', 'c'], groupSize: 2, history, blocks: [], round: 7, random: createRandom(1) }, ['c', 'b', 'a'])
  const at = (id: string): number => ctx.indexOf.get(id)!
  t.equal(ctx.lastMet(at('a'), at('b')), 5)
  t.equal(ctx.lastMet(at('b'), at('a')), 5)
  t.equal(ctx.lastMet(at('a'), at('c')), undefined)
  t.equal(ctx.lastMet(at('c'), at('gone')), 4)
  t.same([...ctx.metCount], [0, 1, 1], 'distinct partners among this round\'s people (c, b, a)')
  t.same(ctx.universe, ['c', 'b', 'a', 'gone'])
  t.equal(ctx.lastSeen[at('gone')], 5)
  const met: string[] = []
  ctx.forEachMet((x, y, round) => met.push(`${[ctx.universe[x], ctx.universe[y]].sort().join('-')}@${round}`))
  t.same(met.sort(), ['a-b@5', 'a-gone@5', 'b-gone@5', 'c-gone@4'])
})

t.test('GroupHistory refuses rounds that are not 32-bit integers and members it did not number', async (t) => {
  const history = new GroupHistory()
  const a = history.person('a')
  t.equal(history.person('a'), a, 'an id is numbered once')
  t.throws(() => history.addGroup(1.5, [a]), RangeError)
  t.throws(() => history.addGroup(2 ** 31, [a]), RangeError)
  t.throws(() => history.addGroup(1, [a, 1]), RangeError)
  t.throws(() => matchRound({ people: ['a', 'b'], groupSize: 2, history: [{ round: 0.5, members: ['a', 'b'] }], blocks: [], round: 1, random: createRandom(1) }), RangeError)
  t.equal(history.size, 0)
})
