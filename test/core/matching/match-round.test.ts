import t from 'tap'
import {
  createRandom, matchRound, type MatchInput, type PastGroup
} from '../../../src/core/matching/index.js'
import { MAX_GROUP_SIZE, MIN_GROUP_SIZE } from '../../../src/core/group-size.js'

const peopleOf = (n: number, prefix = 'user'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`)

function input (overrides: Partial<MatchInput> & Pick<MatchInput, 'people'>): MatchInput {
  return { groupSize: 2, history: [], blocks: [], round: 1, random: createRandom(1), ...overrides }
}

/** Runs rounds 1..rounds with the given attendance and returns the total repeats and the history. */
function simulate (people: string[], rounds: number, options: { groupSize?: number, blocks?: [string, string][], present?: (round: number) => string[] } = {}): { repeats: number, history: PastGroup[] } {
  const history: PastGroup[] = []
  let repeats = 0
  for (let round = 1; round <= rounds; round++) {
    const result = matchRound({
      people: options.present?.(round) ?? people,
      groupSize: options.groupSize ?? 2,
      history,
      blocks: options.blocks ?? [],
      round,
      random: createRandom(1000 + round)
    })
    repeats += result.repeats
    for (const group of result.groups) history.push({ round, members: group })
  }
  return { repeats, history }
}

t.test('stable channels of 10, 20 and 40 meet everyone once in n - 1 rounds (a full round-robin)', async (t) => {
  for (const n of [10, 20, 40]) {
    const people = peopleOf(n)
    const { repeats, history } = simulate(people, n - 1)
    t.equal(repeats, 0, `n=${n}: no repeat`)
    const pairs = new Set(history.map((g) => [...g.members].sort().join('+')))
    t.equal(pairs.size, n * (n - 1) / 2, `n=${n}: every pair met exactly once`)
  }
})

t.test('the round-robin does not depend on the order people are listed in', async (t) => {
  const people = peopleOf(12)
  const { repeats } = simulate(people, 11, { present: (round) => rotate(people, round * 5) })
  t.equal(repeats, 0)
})

function rotate (items: string[], by: number): string[] {
  const k = by % items.length
  return [...items.slice(k), ...items.slice(0, k)].reverse()
}

t.test('a later round continues the cycle by pairing those who met longest ago', async (t) => {
  const people = peopleOf(10)
  const { history } = simulate(people, 9)
  const result = matchRound(input({ people, history, round: 10, random: createRandom(5) }))
  t.equal(result.repeats, 5, 'everyone has met everyone: five repeats are unavoidable')
  const lastMet = new Map<string, number>()
  for (const g of history) lastMet.set([...g.members].sort().join('+'), g.round)
  const ages = result.groups.map((g) => 10 - lastMet.get([...g].sort().join('+'))!)
  t.same(ages, [9, 9, 9, 9, 9], 'each pair last met 9 rounds ago, the longest possible')
})

t.test('prefers the partner met longest ago', async (t) => {
  const [a, b, c, d] = ['a', 'b', 'c', 'd']
  const history: PastGroup[] = [
    { round: 9, members: [a, b] }, { round: 9, members: [c, d] },
    { round: 5, members: [a, d] }, { round: 5, members: [b, c] },
    { round: 1, members: [a, c] }, { round: 1, members: [b, d] }
  ]
  for (let seed = 1; seed <= 5; seed++) {
    const result = matchRound(input({ people: [a, b, c, d], history, round: 10, random: createRandom(seed) }))
    t.same(result.groups, [[a, c], [b, d]])
    t.equal(result.repeats, 2)
  }
})

t.test('a never-met partner wins over any repeat', async (t) => {
  const history: PastGroup[] = [{ round: 1, members: ['a', 'b'] }, { round: 2, members: ['c', 'd'] }]
  const result = matchRound(input({ people: ['a', 'b', 'c', 'd'], history, round: 100 }))
  t.equal(result.repeats, 0)
  t.notOk(result.groups.some((g) => g.includes('a') && g.includes('b')))
})

t.test('blocks hold in either direction, and people nobody can join are alone', async (t) => {
  t.same(matchRound(input({ people: ['a', 'b'], blocks: [['b', 'a']] })), { groups: [], alone: ['a', 'b'], repeats: 0, apart: 0 })
  t.same(matchRound(input({ people: ['a'] })), { groups: [], alone: ['a'], repeats: 0, apart: 0 })
  t.same(matchRound(input({ people: [] })), { groups: [], alone: [], repeats: 0, apart: 0 })
  const result = matchRound(input({ people: ['a', 'b', 'c'], blocks: [['a', 'b'], ['c', 'a']] }))
  t.same(result, { groups: [['b', 'c']], alone: ['a'], repeats: 0, apart: 0 })
  // Blocks naming people who are not eligible, or the same person twice, change nothing.
  const people = peopleOf(6)
  const plain = matchRound(input({ people, random: createRandom(3) }))
  const noisy = matchRound(input({ people, random: createRandom(3), blocks: [['x', 'y'], [people[0]!, people[0]!], [people[1]!, 'gone']] }))
  t.same(noisy, plain)
})

t.test('a stable channel with a blocked pair: the pair never meets, everyone is placed every round', async (t) => {
  const people = peopleOf(10)
  const blocks: [string, string][] = [[people[0]!, people[1]!], [people[5]!, people[2]!]]
  const history: PastGroup[] = []
  for (let round = 1; round <= 9; round++) {
    const result = matchRound(input({ people, history, blocks, round, random: createRandom(round) }))
    t.same(result.alone, [])
    for (const g of result.groups) {
      t.notOk(g.includes(people[0]!) && g.includes(people[1]!))
      t.notOk(g.includes(people[5]!) && g.includes(people[2]!))
      history.push({ round, members: g })
    }
  }
})

t.test('odd numbers: one trio; larger groups are one smaller where the count does not divide, never larger', async (t) => {
  const sizes = (n: number, groupSize: number): number[] => matchRound(input({ people: peopleOf(n), groupSize })).groups.map((g) => g.length).sort()
  t.same(sizes(7, 2), [2, 2, 3])
  t.same(sizes(11, 4), [3, 4, 4], '11 in fours: 4+4+3, not 6+5')
  t.same(sizes(8, 3), [2, 3, 3], '8 in threes: 3+3+2, not 4+4')
  t.same(sizes(9, 3), [3, 3, 3])
  t.same(sizes(14, 3), [2, 3, 3, 3, 3])
  t.same(sizes(3, 4), [3], 'fewer than the size: one group')
})

t.test('history of this round or later is ignored, as are duplicate people', async (t) => {
  const history: PastGroup[] = [{ round: 5, members: ['a', 'b'] }, { round: 6, members: ['c', 'd'] }]
  const result = matchRound(input({ people: ['a', 'b', 'a', 'c', 'd'], history, round: 5 }))
  t.equal(result.repeats, 0)
  t.equal(result.groups.flat().length + result.alone.length, 4)
})

t.test('a group size outside MIN_GROUP_SIZE..MAX_GROUP_SIZE is a programming error', async (t) => {
  for (const groupSize of [MIN_GROUP_SIZE - 1, MAX_GROUP_SIZE + 1, 2.5, Number.NaN]) {
    t.throws(() => matchRound(input({ people: ['a', 'b'], groupSize })), RangeError)
  }
  t.doesNotThrow(() => matchRound(input({ people: ['a', 'b'], groupSize: MAX_GROUP_SIZE })))
})

t.test('larger groups in a stable channel: repeats only once they are unavoidable', async (t) => {
  // 12 people in groups of 3 meet 2 new people per round: at most 5 rounds before repeats must start.
  const people = peopleOf(12)
  const { repeats } = simulate(people, 3, { groupSize: 3 })
  t.equal(repeats, 0, 'three rounds of trios without a repeat')
  const more = simulate(peopleOf(16), 3, { groupSize: 4 })
  t.equal(more.repeats, 0, 'three rounds of fours without a repeat')
})

t.test('large program: sparse candidate graph, everyone placed, no repeat, blocks respected', async (t) => {
  const people = peopleOf(3000)
  const random = createRandom(77)
  const history: PastGroup[] = []
  for (let round = 1; round <= 30; round++) {
    const order = [...people].sort(() => random() - 0.5)
    for (let i = 0; i + 1 < order.length; i += 2) history.push({ round, members: [order[i]!, order[i + 1]!] })
  }
  const blocks: [string, string][] = []
  for (let i = 0; i < 300; i++) blocks.push([people[Math.floor(random() * 3000)]!, people[Math.floor(random() * 3000)]!])
  const blocked = new Set(blocks.map(([a, b]) => [a, b].sort().join('+')))
  for (const groupSize of [2, 3]) {
    const started = performance.now()
    const result = matchRound(input({ people, history, blocks, groupSize, round: 31, random: createRandom(groupSize) }))
    const elapsed = performance.now() - started
    t.equal(result.alone.length, 0, `k=${groupSize}: nobody alone`)
    t.equal(result.repeats, 0, `k=${groupSize}: no repeat`)
    t.equal(new Set(result.groups.flat()).size, 3000, `k=${groupSize}: everyone once`)
    const violations = result.groups.filter((g) => g.some((x) => g.some((y) => x < y && blocked.has(`${x}+${y}`))))
    t.equal(violations.length, 0, `k=${groupSize}: no blocked pair`)
    t.ok(elapsed < 3000, `k=${groupSize}: ${elapsed.toFixed(0)} ms`)
  }
})

t.test('createRandom: deterministic, in [0, 1), seeds differ', async (t) => {
  const a = createRandom(42)
  const b = createRandom(42)
  const c = createRandom(43)
  const xs = Array.from({ length: 1000 }, () => a())
  t.same(xs, Array.from({ length: 1000 }, () => b()))
  t.notSame(xs.slice(0, 10), Array.from({ length: 10 }, () => c()))
  t.ok(xs.every((x) => x >= 0 && x < 1))
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  t.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean.toFixed(3)}`)
})
