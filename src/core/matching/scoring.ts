// How much a pair is worth. Two scales: weights (bigger is better) for the matching graph, and costs
// (smaller is better) for the group search. Both put "never met" far above any repeat and, among repeats,
// favour the pair that met longest ago.

import type { MatchContext } from './context.js'

/** Upper bound of metWeight. */
export const MET_WEIGHT_MAX = 1000

/**
 * Weight of a pair that last met `gap` rounds ago, 100 (last round) .. ~1000. Concave on purpose: two pairs
 * that met 5 rounds ago each are better than one that met last week plus one that met 9 weeks ago.
 */
export function metWeight (gap: number): number {
  const g = Math.min(Math.max(gap, 1), 1000)
  return Math.round(100 * Math.log2(1 + g))
}

/** Cost of any repeat; one repeat fewer outweighs every recency difference inside a round. */
export const REPEAT_COST = 1_000_000
/**
 * Cost of a pair without a working hour in common; outweighs the repeats of any program up to 10⁵ pairs in groups
 * (so a group that can meet comes before a new partner).
 */
export const APART_COST = 1e11
/** Cost of a blocked pair; outweighs every possible sum of repeats and of apart pairs up to 10⁴ of them. */
export const BLOCKED_COST = 1e15

export type PairCost = (a: number, b: number) => number

export function pairCostFunction (ctx: MatchContext): PairCost {
  const raw = (a: number, b: number): number => {
    if (ctx.blocked(a, b)) return BLOCKED_COST
    const apart = ctx.apart(a, b) ? APART_COST : 0
    const last = ctx.lastMet(a, b)
    if (last === undefined) return apart
    return apart + REPEAT_COST + MET_WEIGHT_MAX - metWeight(ctx.round - last)
  }
  const n = ctx.n
  // Local search evaluates the same pairs over and over; a dense table is cheap for small programs.
  if (n > 300) return raw
  const table = new Float64Array(n * n)
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const c = raw(a, b)
      table[a * n + b] = c
      table[b * n + a] = c
    }
  }
  return (a, b) => table[a * n + b]!
}
