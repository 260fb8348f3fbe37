// Fair turns: someone who sat out the last round (store.satOut says who) comes first in this one. The last stage of
// the matcher, on a finished grouping: nobody who sat out is left without a group again while anyone else could take
// that place, and the round's best seats (places in its larger groups, such as the trio of an odd pairing: more
// partners, better odds of meeting) go to them before anyone else.
import type { Grouping } from './groups.js'
import { APART_COST, BLOCKED_COST, REPEAT_COST } from './scoring.js'

/**
 * Both rules until neither changes anything: seatPriority, then upgradeSeats (a swap there can open a seat that a
 * priority person left alone fits). Ends: each pass that changes something seats one more priority person, or
 * keeps that number and moves one to a larger group. Returns the new alone list.
 */
export function giveTurns (grouping: Grouping, alone: readonly number[], priority: ReadonlySet<number>): number[] {
  let result = [...alone]
  if (priority.size === 0) return result
  do result = seatPriority(grouping, result, priority)
  while (upgradeSeats(grouping, priority))
  return result
}

/**
 * Seats every person of `priority` who is in `alone` in place of a grouped person outside `priority` whose group
 * takes them (no blocked pair, and no more pairs without shared working hours), choosing the swap that adds the
 * least cost. Sitting out twice running is worse than a repeat, so a swap may cost one. Returns the new alone list.
 * Each swap seats one more priority person for good, so the loop ends; when it does, no priority person alone could
 * replace anyone outside `priority`.
 */
function seatPriority (grouping: Grouping, alone: readonly number[], priority: ReadonlySet<number>): number[] {
  const result = [...alone]
  for (let changed = true; changed;) {
    changed = false
    for (let i = 0; i < result.length; i++) {
      const p = result[i]!
      if (!priority.has(p)) continue
      let best = -1
      let bestDelta = Infinity
      for (let g = 0; g < grouping.groups.length; g++) {
        for (const q of grouping.groups[g]!) {
          if (priority.has(q) || !grouping.compatible(p, g, q)) continue
          // A seat in a group one cannot meet is no turn: never trade a meetable group for that.
          if (tally(grouping, p, g, q).apart > tally(grouping, q, g).apart) continue
          const delta = grouping.costWith(p, g, q) - grouping.costWith(q, g)
          if (delta < bestDelta) {
            best = q
            bestDelta = delta
          }
        }
      }
      if (best < 0) continue
      const g = grouping.groupOf[best]!
      grouping.remove(best)
      grouping.insert(p, g)
      result[i] = best
      changed = true
    }
  }
  return result
}

/**
 * Moves priority people into larger groups: p of `priority` swaps with q outside it whose group is larger than p's,
 * when the swap costs no blocked pair, no extra repeat (over both groups) and, in neither group, another pair without
 * shared working hours; of those, the swap that adds the least cost. Group sizes stay as they are. Returns whether
 * anything moved; when nothing can, no such swap is left (the invariant test/core/matching/fair-turns.test.ts checks).
 * Each swap moves a priority person to a strictly larger group, so the loop ends.
 */
export function upgradeSeats (grouping: Grouping, priority: ReadonlySet<number>): boolean {
  const { groups, groupOf } = grouping
  let moved = false
  for (let changed = true; changed;) {
    changed = false
    for (const p of priority) {
      const a = groupOf[p]!
      if (a < 0) continue
      const pHere = tally(grouping, p, a)
      let best = -1
      let bestDelta = Infinity
      for (let b = 0; b < groups.length; b++) {
        if (groups[b]!.length <= groups[a]!.length) continue
        for (const q of groups[b]!) {
          if (priority.has(q) || !grouping.compatible(p, b, q) || !grouping.compatible(q, a, p)) continue
          const qThere = tally(grouping, q, b)
          const pThere = tally(grouping, p, b, q)
          const qHere = tally(grouping, q, a, p)
          if (pThere.apart > qThere.apart || qHere.apart > pHere.apart) continue
          if (pThere.repeats + qHere.repeats > pHere.repeats + qThere.repeats) continue
          const delta = grouping.costWith(p, b, q) + grouping.costWith(q, a, p) - grouping.costWith(p, a) - grouping.costWith(q, b)
          if (delta < bestDelta) {
            best = q
            bestDelta = delta
          }
        }
      }
      if (best < 0) continue
      grouping.swap(p, best)
      changed = true
      moved = true
    }
  }
  return moved
}

/** x's pairs with the members of group g (skip aside) without shared working hours, and those that met before (blocked pairs aside). */
function tally (grouping: Grouping, x: number, g: number, skip = -1): { apart: number, repeats: number } {
  let apart = 0
  let repeats = 0
  for (const y of grouping.groups[g]!) {
    if (y === x || y === skip) continue
    // Costs add up (scoring.ts): a repeat's share stays below APART_COST, which stays below BLOCKED_COST.
    const c = grouping.cost(x, y)
    if (c >= BLOCKED_COST) continue
    if (c >= APART_COST) apart++
    if (c % APART_COST >= REPEAT_COST) repeats++
  }
  return { apart, repeats }
}
