// Working hours across time zones in the matcher, against brute force on small inputs: every group shares an hour
// whenever a grouping of everyone with that exists, before repeats; and weeks in which clocks change count as they are.
import fc from 'fast-check'
import t from 'tap'
import { sizeBounds } from '../../../src/core/matching/groups.js'
import { createRandom, matchRound, type MatchInput } from '../../../src/core/matching/index.js'
import { groupSizes } from '../../../src/core/group-size.js'
import { availability, groupCanMeet, type Availability } from '../../../src/core/working-hours.js'
import { bestPartition } from './brute-force.js'

const ROUND = 10
const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Pacific/Auckland', '', 'Not/A_Zone']
// Mondays: an ordinary week; the weeks US clocks have moved and EU clocks not yet (March, and November's first
// days), and the weeks the EU (29 March) and the US (1 November) change clocks in the middle.
const WEEKS = ['2026-01-12T08:00:00Z', '2026-03-09T08:00:00Z', '2026-03-25T12:00:00Z', '2026-10-26T08:00:00Z', '2026-10-29T16:00:00Z']
const HOURS = [{ start: 9, end: 17 }, { start: 8, end: 16 }, { start: 10, end: 18 }]

interface Scenario {
  zones: number[]
  groupSize: number
  history: { round: number, members: number[] }[]
  blocks: [number, number][]
  week: number
  hours: number
  seed: number
}

const id = (i: number): string => `user-${i}`
const indexOf = (person: string): number => Number(person.slice('user-'.length))

const scenario = (maxPeople: number, sizes: [number, number], withBlocks: boolean): fc.Arbitrary<Scenario> =>
  fc.integer({ min: 2, max: maxPeople }).chain((n) => fc.record({
    zones: fc.array(fc.nat({ max: ZONES.length - 1 }), { minLength: n, maxLength: n }),
    groupSize: fc.integer({ min: sizes[0], max: sizes[1] }),
    history: fc.array(fc.record({
      round: fc.integer({ min: 1, max: ROUND - 1 }),
      members: fc.uniqueArray(fc.nat({ max: n - 1 }), { minLength: 2, maxLength: 3 })
    }), { maxLength: 10 }),
    blocks: withBlocks ? fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 3 }) : fc.constant([]),
    week: fc.nat({ max: WEEKS.length - 1 }),
    hours: fc.nat({ max: HOURS.length - 1 }),
    seed: fc.integer()
  }))

function world (s: Scenario): { input: MatchInput, avail: Availability, meets: (members: readonly number[]) => boolean, blocked: (a: number, b: number) => boolean, met: (a: number, b: number) => boolean } {
  const n = s.zones.length
  const avail = availability(new Map(s.zones.map((z, i) => [id(i), ZONES[z]!])), HOURS[s.hours]!, new Date(WEEKS[s.week]!))
  const blockedPairs = new Set(s.blocks.map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`))
  const metPairs = new Set<string>()
  for (const g of s.history) for (const a of g.members) for (const b of g.members) if (a < b) metPairs.add(`${a}:${b}`)
  return {
    input: {
      people: Array.from({ length: n }, (_, i) => id(i)),
      groupSize: s.groupSize,
      history: s.history.map((g) => ({ round: g.round, members: g.members.map(id) })),
      blocks: s.blocks.map(([a, b]) => [id(a), id(b)] as const),
      round: ROUND,
      random: createRandom(s.seed),
      availability: avail
    },
    avail,
    meets: (members) => groupCanMeet(members.map(id), avail),
    blocked: (a, b) => a !== b && blockedPairs.has(`${Math.min(a, b)}:${Math.max(a, b)}`),
    met: (a, b) => metPairs.has(`${Math.min(a, b)}:${Math.max(a, b)}`)
  }
}

t.test('pairs: every pair shares an hour whenever a pairing of everyone that does exists, and repeats come after (brute force, n ≤ 8)', async (t) => {
  let meetable = 0
  let notMeetable = 0
  let repeatFree = 0
  fc.assert(fc.property(scenario(8, [2, 2], true), (s) => {
    const w = world(s)
    const n = s.zones.length
    const result = matchRound(w.input)
    const groups = result.groups.map((g) => g.map(indexOf))
    if (groups.some((g) => g.some((a) => g.some((b) => w.blocked(a, b))))) return false
    const counted = groups.filter((g) => !w.meets(g)).length
    if (counted !== result.apart) return false
    const plan = groupSizes(n, 2)
    const free = (a: number, b: number): boolean => !w.blocked(a, b)
    if (bestPartition(n, 2, 3, free, () => 0, plan, w.meets) === null) {
      notMeetable++
      // Then as few groups without an hour as any grouping of everyone allows.
      const fewest = bestPartition(n, 2, 3, free, (a, b) => (w.meets([a, b]) ? 0 : 1), plan)
      return fewest === null || result.alone.length > 0 || result.apart <= fewest
    }
    meetable++
    if (result.alone.length > 0 || result.apart > 0) return false
    const clean = (a: number, b: number): boolean => free(a, b) && !w.met(a, b)
    if (bestPartition(n, 2, 3, clean, () => 0, plan, w.meets) !== null) {
      repeatFree++
      return result.repeats === 0
    }
    return true
  }), { seed: 14, numRuns: 600 })
  t.ok(meetable > 100 && notMeetable > 20 && repeatFree > 50, `all kinds of case were generated (meetable ${meetable}, not ${notMeetable}, and repeat-free too ${repeatFree})`)
})

t.test('groups of 3 and 4: every group shares an hour whenever a grouping of everyone that does exists (brute force, n ≤ 8)', async (t) => {
  let meetable = 0
  let notMeetable = 0
  fc.assert(fc.property(scenario(8, [3, 4], false), (s) => {
    const w = world(s)
    const n = s.zones.length
    const result = matchRound(w.input)
    const groups = result.groups.map((g) => g.map(indexOf))
    const plan = groupSizes(n, s.groupSize)
    const { lo, hi } = sizeBounds(n, s.groupSize)
    if (bestPartition(n, lo, hi, () => true, () => 0, plan, w.meets) === null) {
      notMeetable++
      return result.alone.length === 0
    }
    meetable++
    return result.alone.length === 0 && groups.every((g) => w.meets(g))
  }), { seed: 14, numRuns: 400 })
  t.ok(meetable > 100 && notMeetable > 20, `both kinds of case were generated (meetable ${meetable}, not ${notMeetable})`)
})

t.test('daylight saving: Berlin and New York share 2 hours a day in most weeks, 3 in the weeks their clocks differ', async (t) => {
  const ny = 'America/New_York'
  const berlin = 'Europe/Berlin'
  const shared = (monday: string): number => {
    const avail = availability(new Map([['ny', ny], ['be', berlin]]), { start: 9, end: 17 }, new Date(monday))
    const [a, b] = [avail.intervals[avail.classOf.get('ny')!]!, avail.intervals[avail.classOf.get('be')!]!]
    let total = 0
    for (const [s1, e1] of a) for (const [s2, e2] of b) total += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2))
    return total / 3_600_000
  }
  t.equal(shared('2026-01-12T00:00:00Z'), 5 * 2, 'January: 15:00–17:00 in Berlin is 09:00–11:00 in New York, two hours a day')
  t.equal(shared('2026-03-16T00:00:00Z'), 5 * 3, 'the weeks between the US and the EU change: three hours a day')
  t.equal(shared('2026-06-15T00:00:00Z'), 5 * 2, 'summer on both sides: two again')
})

// Zones that share no hour at all split the people, and their counts can need more groups than groupSizes plans for
// everyone together. The week of 9 March 2026 (US clocks moved, EU not yet): Los Angeles 16–24 UTC, Berlin 08–16 UTC,
// Tokyo 00–08 UTC, so no two of them share an hour. Each zone is then a clique, and a grouping of everyone that meets
// exists exactly when the unknown-zone people can be shared out so that every zone's count (and the rest) splits
// into sizes lo..hi — checked here by enumeration, independently of the matcher's plan.
const APART_ZONES = ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo']
const APART_WEEK = new Date('2026-03-09T08:00:00Z')

function splits (count: number, lo: number, hi: number): boolean {
  if (count === 0) return true
  for (let m = 1; m * lo <= count; m++) if (count <= m * hi) return true
  return false
}

function meetableExists (counts: readonly number[], unknown: number, lo: number, hi: number): boolean {
  const share = (i: number, left: number): boolean => {
    if (i === counts.length) return splits(left, lo, hi)
    for (let extra = 0; extra <= left; extra++) if (splits(counts[i]! + extra, lo, hi) && share(i + 1, left - extra)) return true
    return false
  }
  return share(0, unknown)
}

function apartWorld (counts: readonly number[], unknown: number): { people: string[], avail: Availability } {
  const zones = new Map<string, string>()
  counts.forEach((count, z) => { for (let i = 0; i < count; i++) zones.set(`${z}-${i}`, APART_ZONES[z]!) })
  for (let i = 0; i < unknown; i++) zones.set(`unknown-${i}`, '')
  return { people: [...zones.keys()], avail: availability(zones, { start: 9, end: 17 }, APART_WEEK) }
}

t.test('zones that share no hour: 14 + 14 + 13 people in fours meet in 12 groups of 3 and 4, where groupSizes plans 11', async (t) => {
  const { people, avail } = apartWorld([14, 14, 13], 0)
  t.same(groupSizes(41, 4).length, 11, 'the plan for everyone together')
  const result = matchRound({ people, groupSize: 4, history: [], blocks: [], round: 1, random: createRandom(3), availability: avail })
  t.equal(result.apart, 0, 'every group shares an hour')
  t.equal(result.groups.length, 12)
  t.ok(result.groups.every((g) => g.length === 3 || g.length === 4), 'groups of 3 and 4 only')
  t.same(result.alone, [])
})

t.test('zones that share no hour: every group meets whenever a grouping of everyone can, in the same size bounds (n ≤ 40, sizes 3–5)', async (t) => {
  let meetable = 0
  let notMeetable = 0
  fc.assert(fc.property(
    fc.array(fc.nat({ max: 15 }), { minLength: 3, maxLength: 3 }), fc.nat({ max: 4 }), fc.integer({ min: 3, max: 5 }), fc.integer(),
    (counts, unknown, k, seed) => {
      const { people, avail } = apartWorld(counts, unknown)
      const n = people.length
      if (n < 2) return true
      const result = matchRound({ people, groupSize: k, history: [], blocks: [], round: 1, random: createRandom(seed), availability: avail })
      if (result.alone.length > 0) return false
      const { lo, hi } = sizeBounds(n, k)
      if (!meetableExists(counts, unknown, lo, hi)) {
        notMeetable++
        return true
      }
      meetable++
      return result.apart === 0 && result.groups.every((g) => g.length >= lo && g.length <= hi && groupCanMeet(g, avail))
    }
  ), { seed: 41, numRuns: 500 })
  t.ok(meetable > 200 && notMeetable > 20, `both kinds of case were generated (meetable ${meetable}, not ${notMeetable})`)
})
