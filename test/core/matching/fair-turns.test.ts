// Fair turns: who sat out the last round is not left alone again while someone else could be.
import fc from 'fast-check'
import t from 'tap'
import { createRandom, matchRound, type MatchInput } from '../../../src/core/matching/index.js'

const id = (i: number): string => `user-${i}`

t.test('three people, two of whom block each other: the one left alone is not the one who sat out last time', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const input = (priority: string[]): MatchInput => ({
      people: ['ana', 'ben', 'cy'],
      groupSize: 2,
      history: [],
      blocks: [['ana', 'ben']],
      round: 2,
      random: createRandom(seed),
      priority
    })
    t.same(matchRound(input(['ana'])).alone, ['ben'], `seed ${seed}: ana sat out, ben's turn`)
    t.same(matchRound(input(['ben'])).alone, ['ana'], `seed ${seed}: ben sat out, ana's turn`)
    t.equal(matchRound(input(['ana', 'ben'])).alone.length, 1, 'both sat out: one of them still has to')
  }
})

t.test('a repeat is a fair price for not sitting out twice running', async (t) => {
  // ana blocks ben, so one of them is alone; ana met cy last round, so the cheapest grouping leaves ana out.
  const input = (priority: string[]): MatchInput => ({
    people: ['ana', 'ben', 'cy'],
    groupSize: 2,
    history: [{ round: 1, members: ['ana', 'cy'] }],
    blocks: [['ana', 'ben']],
    round: 2,
    random: createRandom(7),
    priority
  })
  t.match(matchRound(input([])), { alone: ['ana'], repeats: 0 }, 'left to cost alone, ana sits out')
  t.match(matchRound(input(['ana'])), { groups: [['ana', 'cy']], alone: ['ben'], repeats: 1 }, 'having sat out, she meets cy again instead')
})

// Property: whatever the blocks and history, nobody who sat out is alone while a grouped person who did not sit out
// could give them their place (nobody in that group blocks them); blocks still hold; everyone is placed once.
t.test('property: a person who sat out is alone only when nobody else could be instead', async (t) => {
  const arbitrary = fc.integer({ min: 2, max: 10 }).chain((n) => fc.record({
    n: fc.constant(n),
    groupSize: fc.integer({ min: 2, max: 4 }),
    blocks: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 2 * n }),
    history: fc.array(fc.uniqueArray(fc.nat({ max: n - 1 }), { minLength: 2, maxLength: 3 }), { maxLength: 8 }),
    priority: fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: n }),
    seed: fc.integer()
  }))
  let alonePriorityCases = 0
  let seatedCases = 0
  fc.assert(fc.property(arbitrary, (s) => {
    const blocked = new Set(s.blocks.flatMap(([a, b]) => [`${id(a)}|${id(b)}`, `${id(b)}|${id(a)}`]))
    const input: MatchInput = {
      people: Array.from({ length: s.n }, (_, i) => id(i)),
      groupSize: s.groupSize,
      history: s.history.map((members, i) => ({ round: 1 + (i % 3), members: members.map(id) })),
      blocks: s.blocks.map(([a, b]) => [id(a), id(b)] as const),
      round: 5,
      random: createRandom(s.seed),
      priority: s.priority.map(id)
    }
    const result = matchRound(input)
    const without = matchRound({ ...input, random: createRandom(s.seed), priority: [] })
    const placed = [...result.groups.flat(), ...result.alone].sort()
    if (placed.join() !== [...input.people].sort().join()) return false
    for (const group of result.groups) {
      for (const a of group) for (const b of group) if (a !== b && blocked.has(`${a}|${b}`)) return false
    }
    if (result.alone.length !== without.alone.length) return false
    const priority = new Set(input.priority)
    if (without.alone.some((x) => priority.has(x)) && !result.alone.some((x) => priority.has(x))) seatedCases++
    for (const p of result.alone.filter((x) => priority.has(x))) {
      alonePriorityCases++
      for (const group of result.groups) {
        for (const q of group) {
          if (priority.has(q)) continue
          if (group.every((m) => m === q || !blocked.has(`${p}|${m}`))) return false
        }
      }
    }
    return true
  }), { seed: 14, numRuns: 2000 })
  t.ok(seatedCases > 20, `the rule changed the outcome in ${seatedCases} cases`)
  t.ok(alonePriorityCases > 0, `and some who sat out still had to, nobody could take their place (${alonePriorityCases})`)
})
