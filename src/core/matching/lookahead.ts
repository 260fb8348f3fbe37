// Rollout lookahead for small programs with varying attendance.
//
// When everyone attends, following the round-robin schedule is enough for n - 1 repeat-free rounds. When some
// skip, every round leaves "orphans" (people whose scheduled partner is away) who must be paired off-schedule,
// and which of several repeat-free pairings is chosen decides whether the last rounds still have one: a
// random greedy choice fails in about half of 10-person programs although a repeat-free plan nearly always
// exists. Static preferences (schedule factors, degree heuristics) did not change that in simulation.
//
// So candidates (equally good for this round) are compared by simulating the future: attendance is sampled
// from each member's attendance so far, each simulated round is a random maximum matching of the pairs still
// unused, and a candidate scores the number of simulated rounds before the first one that needs a repeat.
// Every candidate sees the same simulated futures (common random numbers), so the comparison is fair even with
// few rollouts.

import { maxCardinalityMatching } from './cardinality.js'
import type { MatchContext } from './context.js'
import { createRandom, randomInt, type Random } from './random.js'

export interface LookaheadOptions {
  rollouts: number
  horizon: number
}

export interface Rollout {
  /** Index of the best candidate. */
  best: number
  scores: number[]
}

/**
 * candidates: mate arrays over people (context indexes < n). Members beyond the people are taken from the
 * context universe restricted to `members` (universe indexes), with their attendance estimate.
 */
export function compareByRollouts (
  ctx: MatchContext,
  members: readonly number[],
  attendance: Float64Array,
  candidates: readonly Int32Array[],
  random: Random,
  options: LookaheadOptions
): Rollout {
  const m = members.length
  // Unused (never-met, not blocked) pairs among the members, as an m × m matrix by member position.
  const base = new Uint8Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const a = members[i]!
      const b = members[j]!
      if (ctx.lastMet(a, b) !== undefined) continue
      if (a < ctx.n && b < ctx.n && ctx.blocked(a, b)) continue
      base[i * m + j] = base[j * m + i] = 1
    }
  }
  const position = new Map<number, number>()
  for (const [i, a] of members.entries()) position.set(a, i)

  const seeds: number[] = []
  for (let r = 0; r < options.rollouts; r++) seeds.push(randomInt(random, 0x7fffffff))

  const scores: number[] = []
  const unused = new Uint8Array(m * m)
  const start = new Int32Array(m + 1)
  const targets = new Int32Array(m * m)
  const present: number[] = []
  const local = new Int32Array(m)
  for (const mate of candidates) {
    let total = 0
    for (const seed of seeds) {
      unused.set(base)
      for (let a = 0; a < mate.length; a++) {
        const b = mate[a]!
        if (b < a) continue
        const i = position.get(a)
        const j = position.get(b)
        if (i !== undefined && j !== undefined) unused[i * m + j] = unused[j * m + i] = 0
      }
      const rng = createRandom(seed)
      let survived = 0
      for (let step = 0; step < options.horizon; step++) {
        present.length = 0
        for (let i = 0; i < m; i++) if (rng() < attendance[i]!) present.push(i)
        // Random vertex order = random choice among maximum matchings.
        for (let i = present.length - 1; i > 0; i--) {
          const j = randomInt(rng, i + 1)
          const t = present[i]!
          present[i] = present[j]!
          present[j] = t
        }
        const k = present.length
        let edges = 0
        for (let x = 0; x < k; x++) {
          start[x] = edges
          const row = present[x]! * m
          for (let y = 0; y < k; y++) if (unused[row + present[y]!] === 1) targets[edges++] = y
        }
        start[k] = edges
        const matched = maxCardinalityMatching(k, start.subarray(0, k + 1), targets.subarray(0, edges))
        let pairs = 0
        for (let x = 0; x < k; x++) {
          local[x] = matched[x]!
          if (matched[x]! > x) {
            pairs++
            const i = present[x]!
            const j = present[matched[x]!]!
            unused[i * m + j] = unused[j * m + i] = 0
          }
        }
        if (pairs < Math.floor(k / 2)) break
        survived++
      }
      total += survived
    }
    scores.push(total / seeds.length)
  }
  let best = 0
  for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[best]!) best = c
  return { best, scores }
}
