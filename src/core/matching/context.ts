// The indexes every stage of matching reads: people as dense integers, who met whom and when, who blocked whom.
// Building them is the only part that looks at the whole history, so it is written for a year of weekly
// rounds in a 10⁵-person program (≈ 2.6·10⁶ distinct pairs): integer columns, no per-pair objects.

import { PairTable } from './pair-table.js'
import { GroupHistory } from './history.js'
import type { MatchInput } from './types.js'

// readHistory's figures per universe member u, at STATS * u + LAST etc.
const STATS = 4
const LAST = 0
const FIRST = 1
const TIMES = 2
const ENTRIES = 3

export interface MatchContext {
  /** People this round, in the (seeded) order all later tie-breaks follow. Indexes 0..n-1. */
  readonly ids: readonly string[]
  readonly n: number
  readonly round: number
  /** Every id known to this round: people first, then those only seen in history (indexes n..). */
  readonly universe: readonly string[]
  readonly indexOf: ReadonlyMap<string, number>
  /** Most recent earlier round in which a and b were in a group together, or undefined. */
  lastMet (a: number, b: number): number | undefined
  blocked (a: number, b: number): boolean
  /** Whether a and b (people) have no working hour in common this round's week. */
  apart (a: number, b: number): boolean
  /** Whether any two people are apart: the layers that keep groups meetable are only needed then. */
  readonly anyApart: boolean
  /** Each person's working-hours class (their zone and hours), -1 when unknown: they fit anyone. */
  readonly zoneClass: Int32Array
  /** Whether the people of classes c and d share a working hour this round's week. */
  classesMeet (c: number, d: number): boolean
  /** Distinct earlier partners per person (people only), for sizing the candidate graph. */
  readonly metCount: Int32Array
  /** Number of blocked partners per person (among people). */
  readonly blockCount: Int32Array
  /** Latest round each universe member was grouped in (this round for people). */
  readonly lastSeen: Float64Array
  /** Estimated chance that universe member u takes part in a future round, from their attendance so far. */
  attendance (u: number): number
  /** Iterates over every pair that met before, with the last round they met. */
  forEachMet (fn: (a: number, b: number, lastRound: number) => void): void
}

export function buildContext (input: MatchInput, order: readonly string[]): MatchContext {
  const ids: string[] = []
  const indexOf = new Map<string, number>()
  for (const id of order) {
    if (indexOf.has(id)) continue
    indexOf.set(id, ids.length)
    ids.push(id)
  }
  const n = ids.length
  const universe = ids.slice()
  const round = input.round

  const history = input.history instanceof GroupHistory ? input.history : GroupHistory.from(input.history)
  const { stats, historyRounds, start, entries } = readHistory(history, round, n, indexOf, universe)
  const size = universe.length
  const lastMet = (a: number, b: number): number | undefined => {
    const lo = a < b ? a : b
    const hi = a < b ? b : a
    for (let i = start[lo]!; i < start[lo + 1]!; i++) if (entries[2 * i] === hi) return entries[2 * i + 1]!
    return undefined
  }
  const forEachMet = (fn: (a: number, b: number, lastRound: number) => void): void => {
    for (let a = 0; a < size; a++) {
      for (let i = start[a]!; i < start[a + 1]!; i++) fn(a, entries[2 * i]!, entries[2 * i + 1]!)
    }
  }

  const lastSeen = new Float64Array(size)
  for (let u = 0; u < size; u++) lastSeen[u] = u < n ? round : stats[STATS * u + LAST]!
  const rounds = [...historyRounds].sort((x, y) => x - y)
  // Laplace-smoothed share of the rounds since someone first took part in which they took part, counting this
  // round (present for people, absent for the others).
  const attendance = (u: number): number => {
    let lo = 0
    let hi = rounds.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (rounds[mid]! < stats[STATS * u + FIRST]!) lo = mid + 1
      else hi = mid
    }
    return (stats[STATS * u + TIMES]! + (u < n ? 1 : 0) + 1) / (rounds.length - lo + 1 + 2)
  }

  const metCount = new Int32Array(n)
  for (let a = 0; a < n; a++) {
    for (let i = start[a]!; i < start[a + 1]!; i++) {
      const b = entries[2 * i]!
      if (b < n) {
        metCount[a]!++
        metCount[b]!++
      }
    }
  }

  const blocked = new PairTable(input.blocks.length)
  const blockCount = new Int32Array(n)
  for (const [x, y] of input.blocks) {
    const a = indexOf.get(x)
    const b = indexOf.get(y)
    if (a === undefined || b === undefined || a >= n || b >= n || a === b || blocked.has(a, b)) continue
    blocked.add(a, b, 0)
    blockCount[a]!++
    blockCount[b]!++
  }

  const avail = input.availability
  const classes = new Int32Array(n).fill(-1)
  let anyApart = false
  if (avail !== undefined) {
    const seen: number[] = []
    for (let a = 0; a < n; a++) {
      const c = avail.classOf.get(ids[a]!)
      if (c === undefined) continue
      classes[a] = c
      if (!seen.includes(c)) seen.push(c)
    }
    for (const c of seen) for (const d of seen) if (!avail.overlap(c, d)) anyApart = true
  }
  const apart = (a: number, b: number): boolean => {
    const ca = classes[a]!
    const cb = classes[b]!
    return ca >= 0 && cb >= 0 && !avail!.overlap(ca, cb)
  }

  return {
    ids,
    n,
    round,
    universe,
    indexOf,
    lastMet,
    blocked: (a, b) => blocked.has(a, b),
    apart: anyApart ? apart : () => false,
    anyApart,
    zoneClass: classes,
    classesMeet: (c, d) => avail === undefined || avail.overlap(c, d),
    metCount,
    blockCount,
    lastSeen,
    attendance,
    forEachMet
  }
}

interface HistoryIndex {
  /** Per universe member u, at STATS * u: last round grouped, first round grouped, times grouped, (scratch). */
  stats: Int32Array
  historyRounds: Set<number>
  /** Member u's earlier partners of higher index: entries[2i] (partner) and entries[2i + 1] (last round met) for i in start[u] .. start[u + 1] - 1. */
  start: Int32Array
  entries: Int32Array
}

// Reads the groups of rounds before `round`, adding the ids only seen there to the universe. Each pass is a function
// of its own: V8 then optimises each loop once, where one long function was deoptimised and recompiled between them.
function readHistory (history: GroupHistory, round: number, n: number, indexOf: Map<string, number>, universe: string[]): HistoryIndex {
  const columns = history.columns()
  // Universe index of each history id, given on its first group before this round (-1 until then).
  const toUniverse = new Int32Array(history.ids.length).fill(-1)
  const enter = (h: number): number => {
    const id = history.ids[h]!
    let u = indexOf.get(id)
    if (u === undefined) {
      u = universe.length
      indexOf.set(id, u)
      universe.push(id)
    }
    toUniverse[h] = u
    return u
  }
  const most = n + history.ids.length
  // Per member, side by side (the history comes in no useful order, so each member read costs a cache miss; one
  // instead of four): last round grouped, first round grouped, times grouped, then how many partner entries they
  // own (the write cursor in the second pass).
  const stats = new Int32Array(STATS * most)
  for (let u = 0; u < most; u++) {
    stats[STATS * u + LAST] = -0x80000000
    stats[STATS * u + FIRST] = 0x7fffffff
  }
  let widest = 0
  for (let g = 0; g < history.size; g++) widest = Math.max(widest, columns.start[g + 1]! - columns.start[g]!)
  const reader: GroupReader = { groupRound: columns.rounds, groupStart: columns.start, groupMembers: columns.members, round, toUniverse, enter, distinct: new Int32Array(widest) }
  countPass(reader, history.size, stats)
  const size = universe.length
  // Each pair is kept once, by its lower index: entries degree[u] .. degree[u + 1] - 1 are u's.
  const degree = new Int32Array(size + 1)
  for (let u = 0; u < size; u++) {
    degree[u + 1] = degree[u]! + stats[STATS * u + ENTRIES]!
    stats[STATS * u + ENTRIES] = degree[u]!
  }
  const entries = new Int32Array(2 * degree[size]!)
  fillPass(reader, history.size, stats, entries)
  const start = packPass(size, degree, entries)
  return { stats, historyRounds: roundsBefore(columns.rounds, round), start, entries }
}

// The distinct rounds of the groups before `round`. Groups come mostly round by round: the set is only asked when the
// round changes. A loop of its own: inside the counting pass, that rare branch made V8 drop the pass's optimised code
// halfway through.
function roundsBefore (groupRound: Int32Array, round: number): Set<number> {
  const rounds = new Set<number>()
  let previous = NaN
  for (let g = 0; g < groupRound.length; g++) {
    const r = groupRound[g]!
    if (r < round && r !== previous) rounds.add(r)
    previous = r
  }
  return rounds
}

interface GroupReader {
  readonly groupRound: Int32Array
  readonly groupStart: Int32Array
  readonly groupMembers: Int32Array
  readonly round: number
  readonly toUniverse: Int32Array
  readonly enter: (h: number) => number
  /** Scratch: the group's distinct members as universe indexes. */
  readonly distinct: Int32Array
}

// Reads group g's distinct members into r.distinct, in ascending order; returns how many, or -1 for a group of this
// round or later (e.g. a retried run), which is not history yet. In order, each member's partners of higher index
// are simply the members after it: the passes below need no comparison per pair (a branch that is random on a
// history in no useful order).
function readGroup (r: GroupReader, g: number): number {
  const { groupRound, groupStart, groupMembers, distinct, toUniverse } = r
  if (!(groupRound[g]! < r.round)) return -1
  const end = groupStart[g + 1]!
  let count = 0
  for (let i = groupStart[g]!; i < end; i++) {
    const h = groupMembers[i]!
    let u = toUniverse[h]!
    if (u < 0) u = r.enter(h)
    let at = count
    while (at > 0 && distinct[at - 1]! > u) at--
    if (at > 0 && distinct[at - 1] === u) continue
    for (let k = count; k > at; k--) distinct[k] = distinct[k - 1]!
    distinct[at] = u
    count++
  }
  return count
}

function countPass (r: GroupReader, groups: number, stats: Int32Array): void {
  const { distinct } = r
  for (let g = 0; g < groups; g++) {
    const count = readGroup(r, g)
    if (count < 0) continue
    const round = r.groupRound[g]!
    for (let i = 0; i < count; i++) {
      const at = STATS * distinct[i]!
      if (round > stats[at + LAST]!) stats[at + LAST] = round
      if (round < stats[at + FIRST]!) stats[at + FIRST] = round
      stats[at + TIMES]!++
      stats[at + ENTRIES]! += count - 1 - i
    }
  }
}

function fillPass (r: GroupReader, groups: number, stats: Int32Array, entries: Int32Array): void {
  const { distinct } = r
  for (let g = 0; g < groups; g++) {
    const count = readGroup(r, g)
    if (count < 0) continue
    const round = r.groupRound[g]!
    for (let i = 0; i < count; i++) {
      const a = distinct[i]!
      for (let j = i + 1; j < count; j++) {
        const at = 2 * stats[STATS * a + ENTRIES]!++
        entries[at] = distinct[j]!
        entries[at + 1] = round
      }
    }
  }
}

// A pair that met more than once keeps one entry, with the last round; the lists are packed towards the front.
// Returns where each member's list starts.
function packPass (size: number, degree: Int32Array, entries: Int32Array): Int32Array {
  const start = new Int32Array(size + 1)
  const seenFrom = new Int32Array(size).fill(-1)
  const keptAt = new Int32Array(size)
  let kept = 0
  for (let a = 0; a < size; a++) {
    start[a] = kept
    for (let i = degree[a]!; i < degree[a + 1]!; i++) {
      const b = entries[2 * i]!
      const round = entries[2 * i + 1]!
      if (seenFrom[b] === a) {
        const at = 2 * keptAt[b]! + 1
        if (round > entries[at]!) entries[at] = round
        continue
      }
      seenFrom[b] = a
      keptAt[b] = kept
      entries[2 * kept] = b
      entries[2 * kept + 1] = round
      kept++
    }
  }
  start[size] = kept
  return start
}
