// Fair turns: who sat out the last round is not left alone again while someone else could be, and has the best seats.
import fc from 'fast-check'
import t from 'tap'
import { createRandom, matchRound, type MatchInput } from '../../../src/core/matching/index.js'
import { upgradeSeats } from '../../../src/core/matching/fair-turns.js'
import { Grouping } from '../../../src/core/matching/groups.js'
import { APART_COST, BLOCKED_COST, REPEAT_COST } from '../../../src/core/matching/scoring.js'
import { groupSizes } from '../../../src/core/group-size.js'

const id = (i: number): string => `user-${i}`

/** The matcher's input for a generated case: people 0..n-1, its history in rounds 1-3, blocks and who sat out. */
function inputOf (s: { n: number, groupSize: number, history: number[][], blocks: [number, number][], seed: number, priority: number[] }): MatchInput {
  return {
    people: Array.from({ length: s.n }, (_, i) => id(i)),
    groupSize: s.groupSize,
    history: s.history.map((members, i) => ({ round: 1 + (i % 3), members: members.map(id) })),
    blocks: s.blocks.map(([a, b]) => [id(a), id(b)] as const),
    round: 5,
    random: createRandom(s.seed),
    priority: s.priority.map(id)
  }
}

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
    const input = inputOf(s)
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

// The best seats: the trio of an odd pairing (or, in larger groups, the larger ones) goes first to who sat out.
t.test('five in pairs: the trio holds whoever sat out', async (t) => {
  const people = ['ana', 'ben', 'cy', 'dan', 'eve']
  let moved = 0
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    for (const who of people) {
      const input = (priority: string[]): MatchInput => ({ people, groupSize: 2, history: [], blocks: [], round: 2, random: createRandom(seed), priority })
      const trio = (result: ReturnType<typeof matchRound>) => result.groups.find((g) => g.length === 3)!
      t.ok(trio(matchRound(input([who]))).includes(who), `seed ${seed}: ${who} sat out, ${who} is in the trio`)
      if (!trio(matchRound(input([]))).includes(who)) moved++
    }
  }
  t.ok(moved > 10, `without the rule they would have been in a pair ${moved} times out of 40`)
})

t.test('the trio seat is not worth a repeat, nor a group that cannot meet', async (t) => {
  // ana met cy, dan and eve: any trio with her and ben repeats a pair; pairs ana+ben, cy+dan+eve repeat nothing.
  const history = [{ round: 1, members: ['ana', 'cy'] }, { round: 1, members: ['ana', 'dan'] }, { round: 1, members: ['ana', 'eve'] }]
  for (const seed of [1, 2, 3]) {
    const result = matchRound({ people: ['ana', 'ben', 'cy', 'dan', 'eve'], groupSize: 2, history, blocks: [], round: 2, random: createRandom(seed), priority: ['ana'] })
    t.match(result, { groups: [['ana', 'ben'], ['cy', 'dan', 'eve']], repeats: 0 }, `seed ${seed}: a repeat`)
  }
  // ana shares working hours with ben only: in a trio with two others, a pair could not meet.
  const availability = { classOf: new Map([['ana', 0], ['ben', 1], ['cy', 2], ['dan', 2], ['eve', 2]]), overlap: (a: number, b: number) => a === b || a + b !== 2 }
  for (const seed of [1, 2, 3]) {
    const result = matchRound({ people: ['ana', 'ben', 'cy', 'dan', 'eve'], groupSize: 2, history: [], blocks: [], round: 2, random: createRandom(seed), priority: ['ana'], availability })
    t.match(result, { groups: [['ana', 'ben'], ['cy', 'dan', 'eve']], apart: 0 }, `seed ${seed}: working hours`)
  }
})

t.test('groups of three: who sat out is in a trio, not in the pair', async (t) => {
  const people = Array.from({ length: 8 }, (_, i) => id(i))
  for (const seed of [1, 2, 3, 4]) {
    for (const who of people) {
      const result = matchRound({ people, groupSize: 3, history: [], blocks: [], round: 2, random: createRandom(seed), priority: [who] })
      t.equal(result.groups.find((g) => g.includes(who))!.length, 3, `seed ${seed}: ${who}`)
    }
  }
})

t.test('more who sat out than trio seats: they fill the trio, the others are in pairs, none alone', async (t) => {
  const people = ['ana', 'ben', 'cy', 'dan', 'eve', 'fay', 'gus']
  const priority = ['ana', 'ben', 'cy', 'dan']
  for (const seed of [1, 2, 3, 4]) {
    const result = matchRound({ people, groupSize: 2, history: [], blocks: [], round: 2, random: createRandom(seed), priority })
    t.same(result.alone, [], `seed ${seed}: nobody alone`)
    t.equal(result.groups.find((g) => g.length === 3)!.filter((x) => priority.includes(x)).length, 3, `seed ${seed}: the trio is theirs`)
  }
})

// What a pair is, as the input says: the checks below judge groupings from these facts, not from the matcher's costs.
interface Facts {
  blocked: (a: string, b: string) => boolean
  met: (a: string, b: string) => boolean
  apart: (a: string, b: string) => boolean
}

const pairsIn = (group: readonly string[], which: (a: string, b: string) => boolean): number => {
  let count = 0
  for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) if (which(group[i]!, group[j]!)) count++
  return count
}

/**
 * A swap the best-seats rule still owes: someone who sat out in a smaller group than someone who did not, whose
 * places they could trade without a blocked pair, a repeat more, or another pair without shared hours in either group.
 */
function owedSwap (groups: readonly (readonly string[])[], priority: ReadonlySet<string>, facts: Facts): [string, string] | null {
  for (const a of groups) {
    for (const p of a) {
      if (!priority.has(p)) continue
      for (const b of groups) {
        if (b.length <= a.length) continue
        for (const q of b) {
          if (priority.has(q)) continue
          const a2 = a.map((x) => x === p ? q : x)
          const b2 = b.map((x) => x === q ? p : x)
          if (pairsIn(a2, facts.blocked) + pairsIn(b2, facts.blocked) > 0) continue
          if (pairsIn(a2, facts.met) + pairsIn(b2, facts.met) > pairsIn(a, facts.met) + pairsIn(b, facts.met)) continue
          if (pairsIn(a2, facts.apart) > pairsIn(a, facts.apart) || pairsIn(b2, facts.apart) > pairsIn(b, facts.apart)) continue
          return [p, q]
        }
      }
    }
  }
  return null
}

const key = (a: string, b: string): string => a < b ? `${a}|${b}` : `${b}|${a}`

// The stage alone, on any finished grouping: it keeps every group's size, never adds a block, a repeat or a pair without
// shared hours to a group, only ever moves who sat out into larger groups, and leaves no swap owed.
t.test('property: upgradeSeats, against the grouping it was given', async (t) => {
  const arbitrary = fc.integer({ min: 2, max: 12 }).chain((n) => fc.record({
    n: fc.constant(n),
    groupSize: fc.integer({ min: 2, max: 4 }),
    // Per pair: 0 nothing, 1 met, 2 apart, 3 both, 4 blocked; mostly nothing.
    pairs: fc.array(fc.constantFrom(0, 0, 0, 0, 1, 1, 2, 3, 4), { minLength: n * n, maxLength: n * n }),
    recency: fc.array(fc.integer({ min: 0, max: 900 }), { minLength: n * n, maxLength: n * n }),
    priority: fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: n }),
    order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n })
  }))
  let changedCases = 0
  fc.assert(fc.property(arbitrary, (s) => {
    const kind = (a: number, b: number): number => s.pairs[Math.min(a, b) * s.n + Math.max(a, b)]!
    const cost = (a: number, b: number): number => {
      const k = kind(a, b)
      if (k === 4) return BLOCKED_COST
      return (k >= 2 ? APART_COST : 0) + (k % 2 === 1 ? REPEAT_COST + s.recency[Math.min(a, b) * s.n + Math.max(a, b)]! : 0)
    }
    const grouping = new Grouping(s.n, cost)
    let next = 0
    for (const size of groupSizes(s.n, s.groupSize)) {
      grouping.addGroup(s.order.slice(next, next + size))
      next += size
    }
    const name = (x: number): string => id(x)
    const facts: Facts = {
      blocked: (a, b) => kind(Number(a.slice(5)), Number(b.slice(5))) === 4,
      met: (a, b) => kind(Number(a.slice(5)), Number(b.slice(5))) % 2 === 1 && kind(Number(a.slice(5)), Number(b.slice(5))) !== 4,
      apart: (a, b) => [2, 3].includes(kind(Number(a.slice(5)), Number(b.slice(5))))
    }
    const before = grouping.groups.map((g) => g.map(name))
    const priority = new Set(s.priority)
    const changed = upgradeSeats(grouping, priority)
    const after = grouping.groups.map((g) => g.map(name))
    const names = new Set(s.priority.map(name))
    if (changed) changedCases++
    if (changed !== (JSON.stringify(before) !== JSON.stringify(after))) return false
    if (after.flat().sort().join() !== before.flat().sort().join()) return false
    const blockedBefore = new Set(before.flatMap((g) => g.flatMap((a) => g.filter((b) => a < b && facts.blocked(a, b)).map((b) => key(a, b)))))
    for (const [i, group] of after.entries()) {
      if (group.length !== before[i]!.length) return false
      if (pairsIn(group, facts.apart) > pairsIn(before[i]!, facts.apart)) return false
      for (const a of group) for (const b of group) if (a < b && facts.blocked(a, b) && !blockedBefore.has(key(a, b))) return false
    }
    const repeats = (groups: string[][]): number => groups.reduce((sum, g) => sum + pairsIn(g, facts.met), 0)
    if (repeats(after) > repeats(before)) return false
    // Who sat out only ever moves up: at every size, at least as many of them sit in groups that large.
    for (let size = 2; size <= s.groupSize + 1; size++) {
      const seated = (groups: string[][]): number => groups.filter((g) => g.length >= size).flat().filter((x) => names.has(x)).length
      if (seated(after) < seated(before)) return false
    }
    return owedSwap(after, names, facts) === null
  }), { seed: 21, numRuns: 3000 })
  t.ok(changedCases > 300, `the stage moved someone in ${changedCases} of 3000 cases`)
})

// The whole matcher, against its input: whatever the blocks, history and working hours, no swap is owed at the end.
t.test('property: who sat out is never in a smaller group than someone who did not, while a swap is free', async (t) => {
  const arbitrary = fc.integer({ min: 2, max: 11 }).chain((n) => fc.record({
    n: fc.constant(n),
    groupSize: fc.integer({ min: 2, max: 4 }),
    blocks: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: n }),
    history: fc.array(fc.uniqueArray(fc.nat({ max: n - 1 }), { minLength: 2, maxLength: 3 }), { maxLength: 8 }),
    classes: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: n, maxLength: n }),
    overlap: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    priority: fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: n }),
    seed: fc.integer()
  }))
  let withTrio = 0
  fc.assert(fc.property(arbitrary, (s) => {
    // Classes 0, 1, 2 meet themselves; the pairs 0-1, 0-2, 1-2 as `overlap` says; -1 is an unknown zone.
    const overlap = (c: number, d: number): boolean => c === d || s.overlap[c + d - 1]!
    const classOf = new Map<string, number>()
    for (const [i, c] of s.classes.entries()) if (c >= 0) classOf.set(id(i), c)
    const input: MatchInput = { ...inputOf(s), availability: { classOf, overlap } }
    const blocked = new Set(s.blocks.filter(([a, b]) => a !== b).map(([a, b]) => key(id(a), id(b))))
    const met = new Set(s.history.flatMap((g) => g.flatMap((a) => g.filter((b) => a !== b).map((b) => key(id(a), id(b))))))
    const facts: Facts = {
      blocked: (a, b) => blocked.has(key(a, b)),
      met: (a, b) => met.has(key(a, b)),
      apart: (a, b) => classOf.has(a) && classOf.has(b) && !overlap(classOf.get(a)!, classOf.get(b)!)
    }
    const result = matchRound(input)
    if (new Set(result.groups.map((g) => g.length)).size > 1 && s.priority.length > 0) withTrio++
    return owedSwap(result.groups, new Set(input.priority), facts) === null
  }), { seed: 22, numRuns: 2000 })
  t.ok(withTrio > 500, `rounds with groups of two sizes and someone who sat out: ${withTrio}`)
})
