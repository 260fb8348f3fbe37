import fc from 'fast-check'
import t from 'tap'
import { sizeBounds } from '../../../src/core/matching/groups.js'
import { createRandom, matchRound, type MatchInput, type MatchResult } from '../../../src/core/matching/index.js'
import { groupSizes, MAX_GROUP_SIZE, MIN_GROUP_SIZE } from '../../../src/core/group-size.js'
import { bestPartition, partitionExists } from './brute-force.js'

const ROUND = 10

interface Scenario {
  n: number
  groupSize: number
  history: { round: number, members: number[] }[]
  blocks: [number, number][]
  seed: number
}

const id = (i: number): string => `user-${i}`

// People are 0..n-1; history may also mention two people who are not eligible this round (n, n + 1).
const scenario = (options: { maxPeople: number, groupSizes: [number, number], blocks: boolean, maxHistory?: number }): fc.Arbitrary<Scenario> =>
  fc.integer({ min: 0, max: options.maxPeople }).chain((n) => fc.record({
    n: fc.constant(n),
    groupSize: fc.integer({ min: options.groupSizes[0], max: options.groupSizes[1] }),
    history: fc.array(fc.record({
      round: fc.integer({ min: 1, max: ROUND - 1 }),
      members: fc.uniqueArray(fc.nat({ max: n + 1 }), { minLength: 2, maxLength: 3 })
    }), { maxLength: options.maxHistory ?? 14 }),
    blocks: options.blocks
      ? fc.array(fc.tuple(fc.nat({ max: Math.max(0, n - 1) }), fc.nat({ max: Math.max(0, n - 1) })), { maxLength: n + 2 })
      : fc.constant([]),
    seed: fc.integer()
  }))

function inputOf (s: Scenario): MatchInput {
  return {
    people: Array.from({ length: s.n }, (_, i) => id(i)),
    groupSize: s.groupSize,
    history: s.history.map((g) => ({ round: g.round, members: g.members.map(id) })),
    blocks: s.blocks.map(([a, b]) => [id(a), id(b)] as const),
    round: ROUND,
    random: createRandom(s.seed)
  }
}

function facts (s: Scenario): { blocked: (a: number, b: number) => boolean, met: (a: number, b: number) => boolean } {
  const blockedPairs = new Set(s.blocks.map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`))
  const metPairs = new Set<string>()
  for (const g of s.history) {
    for (const a of g.members) for (const b of g.members) if (a < b) metPairs.add(`${a}:${b}`)
  }
  return {
    blocked: (a, b) => blockedPairs.has(`${Math.min(a, b)}:${Math.max(a, b)}`),
    met: (a, b) => metPairs.has(`${Math.min(a, b)}:${Math.max(a, b)}`)
  }
}

const indexOf = (person: string): number => Number(person.slice('user-'.length))

function pairsOf (result: MatchResult): [number, number][] {
  const pairs: [number, number][] = []
  for (const group of result.groups) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) pairs.push([indexOf(group[i]!), indexOf(group[j]!)])
    }
  }
  return pairs
}

t.test('everyone at most once; everyone placed or reported alone; sizes 2..k+1; blocks respected; repeats counted right', async (t) => {
  fc.assert(fc.property(scenario({ maxPeople: 14, groupSizes: [2, 7], blocks: true }), (s) => {
    const result = matchRound(inputOf(s))
    const { blocked, met } = facts(s)
    const seen = [...result.groups.flat(), ...result.alone].map(indexOf)
    if (new Set(seen).size !== seen.length) return false
    if (seen.length !== s.n) return false
    // With blocks some groups may end up smaller than planned (never 1), none larger than k + 1.
    const { hi } = sizeBounds(s.n, s.groupSize)
    if (result.groups.some((g) => g.length < 2 || g.length > Math.max(hi, s.groupSize + 1))) return false
    const pairs = pairsOf(result)
    if (pairs.some(([a, b]) => blocked(a, b))) return false
    return result.repeats === pairs.filter(([a, b]) => met(a, b)).length
  }), { seed: 42, numRuns: 1000 })
  t.pass('property held for 1000 scenarios')
})

const sortedSizes = (sizes: number[]): string => JSON.stringify([...sizes].sort((x, y) => x - y))

t.test('without blocks: nobody alone (n >= 2) and the group sizes are groupSizes exactly', async (t) => {
  fc.assert(fc.property(scenario({ maxPeople: 40, groupSizes: [2, 7], blocks: false }), (s) => {
    const result = matchRound(inputOf(s))
    if (s.n >= 2 && result.alone.length > 0) return false
    if (s.n === 1 && result.alone.length !== 1) return false
    return sortedSizes(result.groups.map((g) => g.length)) === sortedSizes(groupSizes(s.n, s.groupSize))
  }), { seed: 42, numRuns: 400 })
  t.pass('property held for 400 scenarios')
})

t.test('every n from 2 to 50 and every size 2–7: matchRound makes the groups groupSizes plans, whatever the history', async (t) => {
  let checked = 0
  for (let n = 2; n <= 50; n++) {
    for (let size = MIN_GROUP_SIZE; size <= MAX_GROUP_SIZE; size++) {
      // Dense history (up to two past groups per person) so that the searches move people around.
      const history = fc.array(fc.record({
        round: fc.integer({ min: 1, max: ROUND - 1 }),
        members: fc.uniqueArray(fc.nat({ max: n - 1 }), { minLength: 2, maxLength: size + 1 })
      }), { maxLength: 2 * n })
      fc.assert(fc.property(history, fc.integer(), (history, seed) => {
        checked++
        const result = matchRound(inputOf({ n, groupSize: size, history, blocks: [], seed }))
        return result.alone.length === 0 && sortedSizes(result.groups.map((g) => g.length)) === sortedSizes(groupSizes(n, size))
      }), { seed: n * 10 + size, numRuns: 3 })
    }
  }
  t.equal(checked, 49 * 6 * 3, 'three histories for each of the 294 counts and sizes')
})

t.test('alone only when no valid grouping of everyone exists (brute force)', async (t) => {
  let impossibleSeen = 0
  let aloneSeen = 0
  fc.assert(fc.property(scenario({ maxPeople: 10, groupSizes: [2, 7], blocks: true }), (s) => {
    // Dense blocks on purpose: they are what makes grouping hard.
    const result = matchRound(inputOf(s))
    const { blocked } = facts(s)
    const { lo, hi } = sizeBounds(s.n, s.groupSize)
    const possible = s.n >= 2 && partitionExists(s.n, lo, hi, (a, b) => !blocked(a, b))
    if (!possible) impossibleSeen++
    if (result.alone.length > 0) aloneSeen++
    return !possible || result.alone.length === 0
  }), { seed: 42, numRuns: 500 })
  t.ok(impossibleSeen > 0, `the generator produced impossible cases too (${impossibleSeen})`)
  t.ok(aloneSeen > 0, `and people were reported alone (${aloneSeen})`)
})

t.test('with blocks: the groups are groupSizes exactly whenever blocks allow it (brute force)', async (t) => {
  let allowed = 0
  let forbidden = 0
  fc.assert(fc.property(scenario({ maxPeople: 10, groupSizes: [2, 7], blocks: true }), (s) => {
    if (s.n < 2) return true
    const result = matchRound(inputOf(s))
    const { blocked } = facts(s)
    const plan = groupSizes(s.n, s.groupSize)
    if (bestPartition(s.n, Math.min(...plan), Math.max(...plan), (a, b) => !blocked(a, b), () => 0, plan) === null) {
      forbidden++
      return true
    }
    allowed++
    return result.alone.length === 0 && sortedSizes(result.groups.map((g) => g.length)) === sortedSizes(plan)
  }), { seed: 42, numRuns: 500 })
  t.ok(allowed > 100 && forbidden > 20, `both kinds of case were generated (allowed ${allowed}, forbidden ${forbidden})`)
})

t.test('pairs: zero repeats whenever a repeat-free pairing exists (pairs plus one trio if odd; brute force)', async (t) => {
  let avoidable = 0
  let forced = 0
  fc.assert(fc.property(scenario({ maxPeople: 11, groupSizes: [2, 2], blocks: true, maxHistory: 20 }), (s) => {
    const result = matchRound(inputOf(s))
    const { blocked, met } = facts(s)
    const fine = (a: number, b: number): boolean => !blocked(a, b) && !met(a, b)
    const repeatFree = s.n >= 2 && bestPartition(s.n, 2, 3, fine, () => 0, groupSizes(s.n, 2)) !== null
    const everyonePlaced = result.alone.length === 0
    if (!repeatFree) {
      forced++
      return true
    }
    avoidable++
    return everyonePlaced && result.repeats === 0
  }), { seed: 42, numRuns: 800 })
  t.ok(avoidable > 100 && forced > 20, `both kinds of case were generated (avoidable ${avoidable}, forced ${forced})`)
})

t.test('groups of 3 and 4: as few repeats as the best grouping (brute force, small inputs)', async (t) => {
  fc.assert(fc.property(scenario({ maxPeople: 9, groupSizes: [3, 4], blocks: false, maxHistory: 16 }), (s) => {
    const result = matchRound(inputOf(s))
    const { met } = facts(s)
    if (s.n < 2) return true
    const { lo, hi } = sizeBounds(s.n, s.groupSize)
    const best = bestPartition(s.n, lo, hi, () => true, (a, b) => (met(a, b) ? 1 : 0), groupSizes(s.n, s.groupSize))
    return best !== null && result.repeats === best
  }), { seed: 42, numRuns: 300 })
  t.pass('property held for 300 scenarios')
})

t.test('deterministic: same input and seed, same result; the input is not modified', async (t) => {
  fc.assert(fc.property(scenario({ maxPeople: 30, groupSizes: [2, 5], blocks: true }), (s) => {
    const first = inputOf(s)
    const frozen = JSON.stringify(first)
    const a = matchRound(first)
    const b = matchRound(inputOf(s))
    return JSON.stringify(a) === JSON.stringify(b) && JSON.stringify(first) === frozen
  }), { seed: 42, numRuns: 300 })
  t.pass('property held for 300 scenarios')
})

t.test('the seed matters', async (t) => {
  const people = Array.from({ length: 30 }, (_, i) => id(i))
  const results = new Set<string>()
  for (let seed = 1; seed <= 10; seed++) {
    results.add(JSON.stringify(matchRound({ people, groupSize: 2, history: [], blocks: [], round: 1, random: createRandom(seed) }).groups))
  }
  t.ok(results.size >= 9, `10 seeds gave ${results.size} different pairings`)
})
