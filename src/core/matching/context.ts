// The indexes every stage of matching reads: people as dense integers, who met whom and when, who blocked whom.
// Building them is the only part that looks at the whole history, so it is written for a year of weekly
// rounds in a 10⁴-person program (≈ 2.6·10⁵ distinct pairs): numeric keys, no per-pair objects.

import { PairTable } from './pair-table.js'
import type { MatchInput } from './types.js'

// Pair keys are lo * KEY_BASE + hi; 2^26 ids keeps every key an exact double.
const KEY_BASE = 0x4000000

export const pairKey = (a: number, b: number): number => a < b ? a * KEY_BASE + b : b * KEY_BASE + a

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
  /** Distinct earlier partners per person (people only), for sizing the candidate graph. */
  readonly metCount: Int32Array
  /** Number of blocked partners per person (among people). */
  readonly blockCount: Int32Array
  /** Latest round each universe member was grouped in (this round for people). */
  readonly lastSeen: readonly number[]
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

  let pairCount = 0
  for (const group of input.history) pairCount += group.members.length * (group.members.length - 1) / 2
  const met = new PairTable(pairCount)
  const members: number[] = []
  const lastSeen: number[] = ids.map(() => round)
  const firstRound: number[] = ids.map(() => Infinity)
  const timesGrouped: number[] = ids.map(() => 0)
  const historyRounds = new Set<number>()
  const addToUniverse = (id: string, seen: number): number => {
    const index = universe.length
    indexOf.set(id, index)
    universe.push(id)
    lastSeen.push(seen)
    firstRound.push(Infinity)
    timesGrouped.push(0)
    return index
  }
  for (const group of input.history) {
    // Later rounds (or this one, e.g. a retried run) are not history yet.
    if (!(group.round < round)) continue
    members.length = 0
    historyRounds.add(group.round)
    for (const id of group.members) {
      let index = indexOf.get(id)
      if (index === undefined) index = addToUniverse(id, group.round)
      else if (group.round > lastSeen[index]!) lastSeen[index] = group.round
      if (members.includes(index)) continue
      members.push(index)
      timesGrouped[index]!++
      if (group.round < firstRound[index]!) firstRound[index] = group.round
    }
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) met.add(members[i]!, members[j]!, group.round)
    }
  }

  const rounds = [...historyRounds].sort((x, y) => x - y)
  // Laplace-smoothed share of the rounds since someone first took part in which they took part, counting this
  // round (present for people, absent for the others).
  const attendance = (u: number): number => {
    let lo = 0
    let hi = rounds.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (rounds[mid]! < firstRound[u]!) lo = mid + 1
      else hi = mid
    }
    return (timesGrouped[u]! + (u < n ? 1 : 0) + 1) / (rounds.length - lo + 1 + 2)
  }

  const metCount = new Int32Array(n)
  met.forEach((a, b) => {
    if (a < n && b < n) {
      metCount[a]!++
      metCount[b]!++
    }
  })

  const blockedKeys = new Set<number>()
  const blockCount = new Int32Array(n)
  for (const [x, y] of input.blocks) {
    const a = indexOf.get(x)
    const b = indexOf.get(y)
    if (a === undefined || b === undefined || a >= n || b >= n || a === b) continue
    const key = pairKey(a, b)
    if (blockedKeys.has(key)) continue
    blockedKeys.add(key)
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
    lastMet: (a, b) => met.lastMet(a, b),
    blocked: (a, b) => blockedKeys.has(pairKey(a, b)),
    apart: anyApart ? apart : () => false,
    anyApart,
    metCount,
    blockCount,
    lastSeen,
    attendance,
    forEachMet: (fn) => met.forEach(fn)
  }
}
