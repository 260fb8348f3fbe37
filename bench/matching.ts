// npm run bench:matching — quality and speed of the matcher against two baselines run on the same rounds:
//   random: shuffle and pair neighbours (the leftover joins the last pair);
//   greedy: the original coffeebot — people in random order each take the first unpaired person they have not
//           met, else the first unpaired person.
// Scenarios: stable channels of 10, 20 and 40 people over n - 1 rounds; the same with 20 % of the people
// (chosen at random each round) skipping; stable channels in groups of 3 against random groups of the same sizes;
// 10,000 people with 52 weeks of pair history, timed; time zones (three clusters, pairs and groups of 3 and 4), with
// a checker that every group shares a working hour whenever a grouping of everyone can; 100,000 people with a year of
// history in a child process with the Docker image's heap limit.
//
// The matcher runs twice on the same rounds: as the rounds service calls it ('matcher'), and with the end-game
// lookahead (src/core/matching/lookahead.ts) switched off ('-lookahead'), to show what the lookahead earns.
//
// Options: --seed=N (scenario seed, default 1), --seeds=N (seeds in the many-seeds summary, default 40).
// Exits 1 when a target is missed: 0 repeats for the matcher in the stable scenarios of the chosen seed (in the
// skipping ones, 0 outside the rounds where someone present has met everyone present), one 10k-person matchRound
// within 1 s, and the time-zone checker (every group shares an hour whenever a grouping of everyone could; 10,000
// people in three zones within 1 s; 100,000 people within 3 s in a 256 MB heap, with and without zones).

import { fork } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createRandom, hashString, matchRound, type PastGroup } from '../src/core/matching/index.js'
import type { LargeResult } from './lib/matching-large.js'
import { sizeBounds } from '../src/core/matching/groups.js'
import { groupSizes } from '../src/core/group-size.js'
import { availability, groupCanMeet, meetingWindows, type Availability } from '../src/core/working-hours.js'

const DAY = 24 * 60 * 60 * 1000

type Random = () => number
type Method = 'matcher' | '-lookahead' | 'greedy' | 'random'
const METHODS: Method[] = ['matcher', '-lookahead', 'greedy', 'random']
const MATCHERS: Method[] = ['matcher', '-lookahead']

const option = (name: string, fallback: number): number => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  const value = arg === undefined ? fallback : Number(arg.slice(name.length + 3))
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`)
  return value
}
const SEED = option('seed', 1)
const SEEDS = option('seeds', 40)

function shuffle<T> (items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = items[i]!
    items[i] = items[j]!
    items[j] = tmp
  }
  return items
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`)

/** Who has met whom, kept up to date as rounds are added. */
class Met {
  private readonly pairs = new Set<string>()
  has (a: string, b: string): boolean { return this.pairs.has(pairKey(a, b)) }
  addGroup (members: readonly string[]): void {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) this.pairs.add(pairKey(members[i]!, members[j]!))
    }
  }
}

function randomPairs (people: readonly string[], random: Random): string[][] {
  const order = shuffle([...people], random)
  const groups: string[][] = []
  for (let i = 0; i + 1 < order.length; i += 2) groups.push([order[i]!, order[i + 1]!])
  if (order.length % 2 === 1 && groups.length > 0) groups[groups.length - 1]!.push(order[order.length - 1]!)
  return groups
}

function greedyPairs (people: readonly string[], met: Met, random: Random): string[][] {
  const order = shuffle([...people], random)
  const paired = new Set<string>()
  const groups: string[][] = []
  for (const person of order) {
    if (paired.has(person)) continue
    paired.add(person)
    let partner: string | undefined
    let fallback: string | undefined
    for (const other of order) {
      if (paired.has(other)) continue
      fallback ??= other
      if (!met.has(person, other)) {
        partner = other
        break
      }
    }
    partner ??= fallback
    if (partner === undefined) {
      if (groups.length > 0) groups[groups.length - 1]!.push(person)
      continue
    }
    paired.add(partner)
    groups.push([person, partner])
  }
  return groups
}

function countRepeats (groups: readonly string[][], met: Met): number {
  let repeats = 0
  for (const g of groups) {
    for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) if (met.has(g[i]!, g[j]!)) repeats++
  }
  return repeats
}

const roundSeed = (...parts: number[]): number => hashString(parts.join(':'))

/** Attendance per round: everyone, or all but round(skip·n) people drawn at random. */
function attendance (people: readonly string[], rounds: number, skip: number, seed: number): string[][] {
  const random = createRandom(roundSeed(seed, people.length, 7))
  const absent = Math.round(skip * people.length)
  return Array.from({ length: rounds }, () => shuffle([...people], random).slice(absent))
}

interface Run {
  repeats: number
  /** Repeats in rounds that were not stuck: the ones a matcher could have avoided. */
  avoidable: number
  /** Rounds in which someone present had no never-met partner present: a repeat was forced, whoever matched. */
  stuckRounds: number
  ms: number
}

function simulate (method: Method, people: readonly string[], rounds: string[][], seed: number): Run {
  const met = new Met()
  const history: PastGroup[] = []
  let repeats = 0
  let avoidable = 0
  let stuckRounds = 0
  let ms = 0
  for (const [index, present] of rounds.entries()) {
    const round = index + 1
    const stuck = present.some((a) => present.every((b) => b === a || met.has(a, b)))
    if (stuck) stuckRounds++
    const random = createRandom(roundSeed(seed, people.length, round))
    const started = performance.now()
    let groups: string[][]
    if (MATCHERS.includes(method)) {
      const input = { people: present, groupSize: 2, history, blocks: [], round, random }
      groups = matchRound(input, { lookahead: method !== '-lookahead' }).groups
    } else if (method === 'greedy') {
      groups = greedyPairs(present, met, random)
    } else {
      groups = randomPairs(present, random)
    }
    ms += performance.now() - started
    const placed = groups.flat()
    if (placed.length !== present.length || new Set(placed).size !== placed.length) {
      throw new Error(`${method} lost or duplicated people in round ${round}`)
    }
    const repeated = countRepeats(groups, met)
    repeats += repeated
    if (!stuck) avoidable += repeated
    for (const g of groups) {
      met.addGroup(g)
      history.push({ round, members: g })
    }
  }
  return { repeats, avoidable, stuckRounds, ms }
}

const peopleOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `user-${String(i).padStart(5, '0')}`)

const pad = (text: string | number, width: number): string => String(text).padStart(width)
const padEnd = (text: string, width: number): string => text.padEnd(width)

interface Target { name: string, ok: boolean, detail: string }
const targets: Target[] = []

// 1. Stable and skipping channels, one seed, side by side.
console.log(`Repeat pairs over n - 1 rounds of pairing (seed ${SEED}; lower is better)\n`)
console.log(`${padEnd('scenario', 24)}${pad('rounds', 7)}${METHODS.map((m) => pad(m, 11)).join('')}   ms/round: ${MATCHERS.map((m) => pad(m, 11)).join('')}${pad('stuck rounds*', 15)}`)
for (const skip of [0, 0.2]) {
  for (const n of [10, 20, 40]) {
    const people = peopleOf(n)
    const rounds = attendance(people, n - 1, skip, SEED)
    const runs = METHODS.map((m) => simulate(m, people, rounds, SEED))
    const name = skip === 0 ? `stable, n=${n}` : `${skip * 100}% skipping, n=${n}`
    const msPerRound = MATCHERS.map((m) => pad((runs[METHODS.indexOf(m)]!.ms / (n - 1)).toFixed(2), 11)).join('')
    console.log(`${padEnd(name, 24)}${pad(n - 1, 7)}${runs.map((r) => pad(r.repeats, 11)).join('')}${' '.repeat(13)}${msPerRound}${pad(runs[0]!.stuckRounds, 15)}`)
    // Skipping can leave someone present with nobody new present (a stuck round: see bench/README.md, no matcher can
    // avoid it, not knowing who will skip); the target there is no repeat in the other rounds.
    targets.push(skip === 0
      ? { name: `${name}: matcher 0 repeats`, ok: runs[0]!.repeats === 0, detail: `${runs[0]!.repeats} repeats` }
      : { name: `${name}: matcher 0 repeats outside stuck rounds`, ok: runs[0]!.avoidable === 0, detail: `${runs[0]!.avoidable} of ${runs[0]!.repeats} repeats outside the ${runs[0]!.stuckRounds} stuck rounds` })
  }
}

console.log('* matcher run: rounds where someone present had met everyone else present, so any pairing repeats')

// 2. The same over many seeds: how often each method gets through a whole cycle without a single repeat. The
// last column pairs the two matcher runs seed by seed (same attendance): runs clean only with the lookahead vs
// only without it. A difference of a few runs is noise; --seeds=400 or more tells.
console.log(`\nOver ${SEEDS} seeds: runs with no repeat at all, (mean repeat pairs per run), the matchers' mean ms per round\n`)
console.log(`${padEnd('scenario', 24)}${METHODS.map((m) => pad(m, 18)).join('')}   ms/round: ${MATCHERS.map((m) => pad(m, 11)).join('')}${pad('clean only with/without lookahead', 36)}`)
for (const skip of [0, 0.2]) {
  for (const n of [10, 20, 40]) {
    const people = peopleOf(n)
    const clean = METHODS.map(() => 0)
    const total = METHODS.map(() => 0)
    const ms = METHODS.map(() => 0)
    let onlyWith = 0
    let onlyWithout = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rounds = attendance(people, n - 1, skip, seed)
      const repeats = METHODS.map((m, i) => {
        const run = simulate(m, people, rounds, seed)
        if (run.repeats === 0) clean[i]!++
        total[i]! += run.repeats
        ms[i]! += run.ms
        return run.repeats
      })
      const withLookahead = repeats[METHODS.indexOf('matcher')]! === 0
      const withoutLookahead = repeats[METHODS.indexOf('-lookahead')]! === 0
      if (withLookahead && !withoutLookahead) onlyWith++
      if (withoutLookahead && !withLookahead) onlyWithout++
    }
    const name = skip === 0 ? `stable, n=${n}` : `${skip * 100}% skipping, n=${n}`
    const msPerRound = MATCHERS.map((m) => pad((ms[METHODS.indexOf(m)]! / SEEDS / (n - 1)).toFixed(2), 11)).join('')
    const cells = METHODS.map((_, i) => pad(`${clean[i]}/${SEEDS} (${(total[i]! / SEEDS).toFixed(2)})`, 18)).join('')
    console.log(`${padEnd(name, 24)}${cells}${' '.repeat(13)}${msPerRound}${pad(`${onlyWith} / ${onlyWithout}`, 36)}`)
  }
}

// 3. Groups of 3: the matcher against random groups of the same sizes, stable channels over the rounds in which a
// cycle with no repeat could exist at all (each person meets two new people a round: floor((n - 1) / 2) rounds).
{
  const k = 3
  /** One run of a stable channel in groups of k; the random baseline cuts a shuffle into the matcher's sizes. */
  const groupsOf = (method: 'matcher' | 'random', people: readonly string[], rounds: number, seed: number): { repeats: number, pairs: number, sizes: string, ms: number } => {
    const met = new Met()
    const history: PastGroup[] = []
    let repeats = 0
    let ms = 0
    const sizes = new Set<string>()
    for (let round = 1; round <= rounds; round++) {
      const random = createRandom(roundSeed(seed, people.length, k, round))
      const started = performance.now()
      const matched = matchRound({ people, groupSize: k, history: method === 'matcher' ? history : [], blocks: [], round, random }).groups
      ms += performance.now() - started
      let groups = matched
      if (method === 'random') {
        const order = shuffle([...people], random)
        groups = matched.map((g) => order.splice(0, g.length))
      }
      sizes.add(describeSizes(matched.map((g) => g.length)))
      repeats += countRepeats(groups, met)
      for (const g of groups) {
        met.addGroup(g)
        history.push({ round, members: g })
      }
    }
    let pairs = 0
    for (const a of people) for (const b of people) if (a < b && met.has(a, b)) pairs++
    return { repeats, pairs, sizes: [...sizes].join(', '), ms }
  }
  /** 4, 4, 3, 3 as "2×4 + 2×3". */
  const describeSizes = (sizes: number[]): string => {
    const counts = new Map<number, number>()
    for (const size of sizes) counts.set(size, (counts.get(size) ?? 0) + 1)
    return [...counts].sort(([x], [y]) => y - x).map(([size, count]) => `${count}×${size}`).join(' + ')
  }
  console.log(`\nGroups of ${k}, stable channels: repeat pairs (seed ${SEED}), pairs met of all pairs, and over ${SEEDS} seeds runs with no repeat (mean repeat pairs)\n`)
  console.log(`${padEnd('scenario', 16)}${pad('rounds', 7)}  ${padEnd('sizes', 16)}${pad('matcher', 9)}${pad('random', 8)}${pad('pairs met', 12)}${pad('matcher', 18)}${pad('random', 18)}${pad('ms/round', 10)}`)
  for (const n of [8, 10, 20, 40]) {
    const people = peopleOf(n)
    const rounds = Math.floor((n - 1) / (k - 1))
    const one = groupsOf('matcher', people, rounds, SEED)
    const base = groupsOf('random', people, rounds, SEED)
    const clean = [0, 0]
    const total = [0, 0]
    let ms = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      for (const [i, method] of (['matcher', 'random'] as const).entries()) {
        const run = groupsOf(method, people, rounds, seed)
        if (run.repeats === 0) clean[i]!++
        total[i]! += run.repeats
        if (i === 0) ms += run.ms
      }
    }
    const cells = [0, 1].map((i) => pad(`${clean[i]}/${SEEDS} (${(total[i]! / SEEDS).toFixed(2)})`, 18)).join('')
    console.log(`${padEnd(`stable, n=${n}`, 16)}${pad(rounds, 7)}  ${padEnd(one.sizes, 16)}${pad(one.repeats, 9)}${pad(base.repeats, 8)}${pad(`${one.pairs}/${n * (n - 1) / 2}`, 12)}${cells}${pad((ms / SEEDS / rounds).toFixed(2), 10)}`)
  }
}

// 4. Speed: one round of a 10,000-person program with a year of weekly pairs behind it.
{
  const n = 10_000
  const people = peopleOf(n)
  const random = createRandom(roundSeed(SEED, n, 0))
  const history: PastGroup[] = []
  const met = new Met()
  for (let round = 1; round <= 52; round++) {
    for (const g of randomPairs(people, random)) {
      history.push({ round, members: g })
      met.addGroup(g)
    }
  }
  const blocks: [string, string][] = []
  for (let i = 0; i < 100; i++) blocks.push([people[Math.floor(random() * n)]!, people[Math.floor(random() * n)]!])
  const input = { people, groupSize: 2, history, blocks, round: 53 }

  const time = <T>(fn: () => T): [T, number] => {
    const started = performance.now()
    const value = fn()
    return [value, performance.now() - started]
  }
  const [first, firstMs] = time(() => matchRound({ ...input, random: createRandom(1) }))
  const again: number[] = []
  for (let i = 2; i <= 4; i++) again.push(time(() => matchRound({ ...input, random: createRandom(i) }))[1])
  again.sort((x, y) => x - y)
  const randomTimes: number[] = []
  let randomGroups: string[][] = []
  for (let i = 1; i <= 5; i++) {
    const [groups, ms] = time(() => randomPairs(people, createRandom(i)))
    randomGroups = groups
    randomTimes.push(ms)
  }
  randomTimes.sort((x, y) => x - y)
  const [greedyGroups, greedyMs] = time(() => greedyPairs(people, met, createRandom(1)))
  const randomMs = randomTimes[2]!

  console.log(`\nSpeed: ${n.toLocaleString('en')} people, 52 rounds of weekly pair history (${history.length.toLocaleString('en')} past groups), 100 blocks\n`)
  console.log(`${padEnd('', 26)}${pad('time', 12)}${pad('repeats', 9)}${pad('alone', 7)}`)
  console.log(`${padEnd('matcher, first call', 26)}${pad(`${firstMs.toFixed(0)} ms`, 12)}${pad(first.repeats, 9)}${pad(first.alone.length, 7)}`)
  console.log(`${padEnd('matcher, median of 3 more', 26)}${pad(`${again[1]!.toFixed(0)} ms`, 12)}`)
  console.log(`${padEnd('greedy baseline', 26)}${pad(`${greedyMs.toFixed(0)} ms`, 12)}${pad(countRepeats(greedyGroups, met), 9)}`)
  console.log(`${padEnd('random baseline (median)', 26)}${pad(`${randomMs.toFixed(1)} ms`, 12)}${pad(countRepeats(randomGroups, met), 9)}`)
  console.log(`matcher / random time: ${(firstMs / randomMs).toFixed(0)}× (first call), ${(again[1]! / randomMs).toFixed(0)}× (warm)`)
  targets.push({ name: '10,000 people: one matchRound within 1 s', ok: firstMs <= 1000, detail: `${firstMs.toFixed(0)} ms` })
  targets.push({ name: '10,000 people: nobody alone, no repeat', ok: first.alone.length === 0 && first.repeats === 0, detail: `${first.alone.length} alone, ${first.repeats} repeats` })
}

// 5. Time zones: people in three clusters (Los Angeles, Berlin, Tokyo, and a few whose zone Mattermost does not know),
// weekly rounds from 2 March 2026, across the US (8 March) and EU (29 March) clock changes, working hours 09–17. The
// share of groups whose members share an hour of working time, repeats and time, for the matcher with zones, the
// matcher without them, greedy and random. A checker proves per round that the matcher reaches 100 % whenever any
// grouping of everyone can: when a group cannot meet, the zones' components (classes that share an hour, all of them
// together) must admit no split into allowed sizes, unknown zones going wherever they help.
{
  const CLUSTERS = ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo']
  const HOURS = { start: 9, end: 17 }
  const FIRST = Date.parse('2026-03-02T09:00:00Z')
  type ZoneMethod = 'matcher' | 'zone-blind' | 'greedy' | 'random'
  const ZONE_METHODS: ZoneMethod[] = ['matcher', 'zone-blind', 'greedy', 'random']

  const zonesOf = (people: readonly string[], unknown: number, seed: number): Map<string, string> => {
    const random = createRandom(roundSeed(seed, people.length, 99))
    const order = shuffle([...people], random)
    return new Map(order.map((id, i) => [id, i < unknown ? '' : CLUSTERS[i % CLUSTERS.length]!]))
  }

  /** Whether some grouping of everyone in sizes lo..hi has every group sharing an hour: true, false, or null (unproven). */
  const meetableGroupingExists = (people: readonly string[], avail: Availability, lo: number, hi: number): boolean | null => {
    const classes = [...new Set(people.flatMap((id) => { const c = avail.classOf.get(id); return c === undefined ? [] : [c] }))]
    const parent = new Map(classes.map((c) => [c, c]))
    const find = (c: number): number => (parent.get(c) === c ? c : find(parent.get(c)!))
    for (const a of classes) for (const b of classes) if (avail.overlap(a, b)) parent.set(find(a), find(b))
    const components = new Map<number, number[]>()
    for (const c of classes) components.set(find(c), [...(components.get(find(c)) ?? []), c])
    for (const members of components.values()) {
      if (meetingWindows(members.map((c) => avail.intervals[c]!)).length === 0) return null
    }
    const counts = [...components.values()].map((members) => people.filter((id) => members.includes(avail.classOf.get(id) ?? -1)).length)
    const unknown = people.filter((id) => !avail.classOf.has(id)).length
    const splittable = (c: number): boolean => {
      for (let m = 1; m * lo <= c; m++) if (c <= m * hi) return true
      return c === 0
    }
    // Unknown zones fit anyone: each may join any component (or groups of their own).
    let reachable = new Set([0])
    for (const count of counts) {
      const next = new Set<number>()
      for (const used of reachable) for (let extra = 0; used + extra <= unknown; extra++) if (splittable(count + extra)) next.add(used + extra)
      reachable = next
    }
    return [...reachable].some((used) => splittable(unknown - used))
  }

  const zoneRun = (method: ZoneMethod, people: readonly string[], k: number, rounds: number, unknown: number, seed: number): { meet: number, groups: number, repeats: number, ms: number, unproven: number, failed: number } => {
    const zones = zonesOf(people, unknown, seed)
    const met = new Met()
    const history: PastGroup[] = []
    let meet = 0
    let total = 0
    let repeats = 0
    let ms = 0
    let unproven = 0
    let failed = 0
    for (let round = 1; round <= rounds; round++) {
      const from = new Date(FIRST + (round - 1) * 7 * DAY)
      const avail = availability(zones, HOURS, from)
      const random = createRandom(roundSeed(seed, people.length, k, round, 5))
      const started = performance.now()
      let groups: string[][]
      if (method === 'matcher' || method === 'zone-blind') {
        groups = matchRound({ people, groupSize: k, history, blocks: [], round, random, ...(method === 'matcher' ? { availability: avail } : {}) }).groups
      } else if (method === 'greedy' && k === 2) {
        groups = greedyPairs(people, met, random)
      } else {
        // Random (and greedy for groups, which the original never made): a shuffle cut into the matcher's sizes.
        const order = shuffle([...people], random)
        groups = groupSizes(people.length, k).map((size) => order.splice(0, size))
      }
      ms += performance.now() - started
      const meeting = groups.filter((g) => groupCanMeet(g, avail)).length
      if (method === 'matcher' && meeting < groups.length) {
        const { lo, hi } = sizeBounds(people.length, k)
        const exists = meetableGroupingExists(people, avail, lo, hi)
        if (exists === null) unproven++
        else if (exists) failed++
      }
      meet += meeting
      total += groups.length
      repeats += countRepeats(groups, met)
      for (const g of groups) {
        met.addGroup(g)
        history.push({ round, members: g })
      }
    }
    return { meet, groups: total, repeats, ms, unproven, failed }
  }

  const ROUNDS = 12
  console.log(`\nTime zones: Los Angeles, Berlin and Tokyo in equal parts (and a few unknown), 09:00–17:00, ${ROUNDS} weekly rounds from Mon 2 Mar 2026 (both DST changes);`)
  console.log(`share of groups with a shared working hour, repeat pairs, ms/round (seed ${SEED}). Checker: rounds with a group that cannot meet although a grouping of everyone could\n`)
  console.log(`${padEnd('scenario', 30)}${ZONE_METHODS.map((m) => pad(m, 18)).join('')}${pad('ms/round', 10)}${pad('checker', 14)}`)
  for (const [n, k, unknown] of [[30, 2, 0], [31, 2, 2], [60, 2, 3], [40, 3, 2], [41, 4, 0], [200, 2, 5]] as const) {
    const people = peopleOf(n)
    const runs = ZONE_METHODS.map((m) => zoneRun(m, people, k, ROUNDS, unknown, SEED))
    const cells = runs.map((r) => pad(`${(100 * r.meet / r.groups).toFixed(1)} % / ${r.repeats}`, 18)).join('')
    const mine = runs[0]!
    const check = mine.failed > 0 ? `${mine.failed} FAILED` : mine.unproven > 0 ? `${mine.unproven} unproven` : 'all proven'
    const name = `n=${n}, ${k === 2 ? 'pairs' : `groups of ${k}`}${unknown > 0 ? `, ${unknown} unknown` : ''}`
    console.log(`${padEnd(name, 30)}${cells}${pad((mine.ms / ROUNDS).toFixed(2), 10)}${pad(check, 14)}`)
    targets.push({ name: `time zones, ${name}: every group shares an hour whenever a grouping of everyone can`, ok: mine.failed === 0 && mine.unproven === 0, detail: check })
  }

  // Speed with zones: 10,000 people in the three clusters with a year of weekly pair history.
  const n = 10_000
  const people = peopleOf(n)
  const random = createRandom(roundSeed(SEED, n, 1))
  const history: PastGroup[] = []
  for (let round = 1; round <= 52; round++) for (const g of randomPairs(people, random)) history.push({ round, members: g })
  const zones = zonesOf(people, 0, SEED)
  const started = performance.now()
  const avail = availability(zones, HOURS, new Date(FIRST))
  const result = matchRound({ people, groupSize: 2, history, blocks: [], round: 53, random: createRandom(1), availability: avail })
  const zonedMs = performance.now() - started
  console.log(`\n10,000 people in three clusters, 52 rounds of history: ${zonedMs.toFixed(0)} ms (availability included), ${result.apart} groups without a shared hour, ${result.repeats} repeats, ${result.alone.length} alone`)
  targets.push({ name: '10,000 people in three time zones: one matchRound within 1 s, every group can meet', ok: zonedMs <= 1000 && result.apart === 0, detail: `${zonedMs.toFixed(0)} ms, ${result.apart} apart` })
}

// 6. An everyone-channel: 100,000 people with a year of weekly pair history, each run in a child process with the Docker
// image's heap limit (bench/lib/matching-large.ts), without and with time zones.
{
  const HEAP_MB = 256
  const large = (zones: boolean): Promise<LargeResult> => new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('lib/matching-large.ts', import.meta.url)), [`--zones=${zones ? 1 : 0}`, `--seed=${SEED}`], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${HEAP_MB}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    let result: LargeResult | undefined
    child.on('message', (message: LargeResult) => { result = message })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (result !== undefined) resolve(result)
      else reject(new Error(`the 100,000-person run ${zones ? 'with' : 'without'} zones died (exit ${code ?? signal}; out of memory?)`))
    })
  })
  console.log(`\n100,000 people (an everyone-channel), 52 rounds of weekly pair history (2,600,000 past groups), child process with --max-old-space-size=${HEAP_MB}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`)
  console.log(`${padEnd('', 14)}${pad('matchRound', 12)}${pad('CPU', 10)}${pad('history', 10)}${pad('repeats', 9)}${pad('apart', 7)}${pad('alone', 7)}${pad('peak RSS', 10)}${pad('heap', 8)}${pad('typed arrays', 14)}`)
  for (const zones of [false, true]) {
    const name = zones ? 'three zones' : 'no zones'
    try {
      const r = await large(zones)
      console.log(`${padEnd(name, 14)}${pad(`${r.ms.toFixed(0)} ms`, 12)}${pad(`${r.cpuMs.toFixed(0)} ms`, 10)}${pad(`${r.historyMs.toFixed(0)} ms`, 10)}${pad(r.repeats, 9)}${pad(r.apart, 7)}${pad(r.alone, 7)}${pad(`${r.maxRssMb} MB`, 10)}${pad(`${r.heapTotalMb} MB`, 8)}${pad(`${r.arrayBuffersMb} MB`, 14)}`)
      targets.push({ name: `100,000 people, ${name}: one matchRound within 3 s in a ${HEAP_MB} MB heap, no repeat, every group can meet`, ok: r.ms <= 3000 && r.repeats === 0 && r.apart === 0 && r.alone === 0, detail: `${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms), ${r.repeats} repeats, ${r.apart} apart, peak RSS ${r.maxRssMb} MB` })
    } catch (error) {
      console.log(`${padEnd(name, 14)}${(error as Error).message}`)
      targets.push({ name: `100,000 people, ${name}: one matchRound within 3 s in a ${HEAP_MB} MB heap`, ok: false, detail: (error as Error).message })
    }
  }
  console.log('history: building the GroupHistory from integer ids (the caller\'s part, not in matchRound); heap: V8\'s committed heap after the call')
}

console.log('\nTargets')
for (const target of targets) console.log(`${target.ok ? 'PASS' : 'FAIL'}  ${target.name} (${target.detail})`)
if (targets.some((target) => !target.ok)) process.exitCode = 1
