// Fair turns: someone who sat out the last round (alone, or their group could not meet) is not the one left without
// a group again while anyone else could take that place. Runs on a finished grouping; sitting out twice running is
// worse than a repeat, so a swap may cost one (never a block).
import type { Grouping } from './groups.js'
import { APART_COST } from './scoring.js'

/**
 * Seats every person of `priority` who is in `alone` in place of a grouped person outside `priority` whose group
 * takes them (no blocked pair, and no more pairs without shared working hours), choosing the swap that adds the least cost. Returns the new alone list. Each swap
 * seats one more priority person for good, so the loop ends; when it does, no priority person alone could replace
 * anyone outside `priority`.
 */
export function seatPriority (grouping: Grouping, alone: readonly number[], priority: ReadonlySet<number>): number[] {
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
          const taken = grouping.costWith(p, g, q)
          const given = grouping.costWith(q, g)
          // A seat in a group one cannot meet is no turn: never trade a meetable group for that.
          if (Math.floor(taken / APART_COST) > Math.floor(given / APART_COST)) continue
          const delta = taken - given
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
