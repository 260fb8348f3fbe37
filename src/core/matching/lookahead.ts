// End-game lookahead for small programs whose attendance varies.
//
// With everyone present the round-robin alone gives n - 1 repeat-free rounds. When people skip, the last
// rounds of a cycle get tight: some people have only a few never-met partners left, and which repeat-free
// pairing is chosen now decides whether the next rounds still have one. Static preferences did not help in
// simulation (schedule factors, partner degrees: all within noise of a random choice), simulating did:
// candidates that are equally good for this round are compared by playing out future rounds — attendance
// drawn from each member's attendance so far, each simulated round a random maximum matching of the pairs
// still unused — and scored by how many simulated rounds pass before one needs a repeat. Every candidate
// sees the same simulated futures (common random numbers), so few rollouts are enough to rank them.
//
// What it earns (bench:matching's '-lookahead' column; figures in bench/README.md): with 20 % skipping each
// round, runs of n - 1 rounds without a repeat went from 38 % to 43 % for 10 people and from 79 % to 83 % for
// 20 (1,000 seeds each), and repeat pairs fell by 9 % and 16 %. Part of the rest is beyond any online method:
// someone present every round must meet everyone, and nobody can know whether their last unmet partner will be
// there for the last round.

import { maxCardinalityMatching } from './cardinality.js'
import type { MatchContext } from './context.js'
import { createRandom, randomInt, shuffleInPlace, type Random } from './random.js'

/** Look ahead only once someone present has at most this many never-met partners left. */
export const ENDGAME_DEGREE = 4
/** Members on the circle up to which lookahead runs (its cost grows with the square of this). */
export const LOOKAHEAD_UP_TO = 64
const CANDIDATES = 48
const ROLLOUTS = 64
/** Simulated rounds per rollout: the end game is decided within a few rounds. */
const HORIZON = 12
/** Work allowed for all rollouts, in pair checks (a simulated round costs about m² of them): ~0.2 s. */
const BUDGET = 40_000_000

/**
 * Returns the pairing (mate over people) to use: `primary` unless the end game has started and another
 * repeat-free pairing of everyone survives longer in simulation. `primary` must pair everyone without repeats.
 */
export function chooseByLookahead (ctx: MatchContext, circle: readonly number[], primary: Int32Array, random: Random): Int32Array {
  const n = ctx.n
  const m = circle.length
  if (m > LOOKAHEAD_UP_TO || n % 2 === 1) return primary
  // Circle position of each person; people are always on the circle.
  const position = new Int32Array(ctx.universe.length).fill(-1)
  for (const [i, u] of circle.entries()) position[u] = i
  const unused = new Uint8Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const a = circle[i]!
      const b = circle[j]!
      if (ctx.lastMet(a, b) !== undefined || (a < n && b < n && (ctx.blocked(a, b) || ctx.apart(a, b)))) continue
      unused[i * m + j] = unused[j * m + i] = 1
    }
  }
  let tightest = Infinity
  for (let a = 0; a < n; a++) {
    const row = position[a]! * m
    let degree = 0
    for (let j = 0; j < m; j++) degree += unused[row + j]!
    tightest = Math.min(tightest, degree)
  }
  if (tightest > ENDGAME_DEGREE) return primary

  const candidates = [primary, ...enumeratePairings(n, (a, b) => unused[position[a]! * m + position[b]!] === 1, random, CANDIDATES)]
  const attendance = Float64Array.from(circle, (u) => ctx.attendance(u))
  const seeds = Array.from({ length: ROLLOUTS }, () => randomInt(random, 0x7fffffff))
  let best = primary
  let bestScore = -1
  let budget = BUDGET
  const seen = new Set<string>()
  for (const mate of candidates) {
    if (budget <= 0) break
    const key = mate.join(',')
    if (seen.has(key)) continue
    seen.add(key)
    const after = unused.slice()
    for (let a = 0; a < n; a++) {
      const b = mate[a]!
      if (b > a) after[position[a]! * m + position[b]!] = after[position[b]! * m + position[a]!] = 0
    }
    let score = 0
    for (const seed of seeds) {
      const survived = survivedRounds(after, m, attendance, createRandom(seed), HORIZON)
      score += survived
      budget -= (survived + 1) * m * m
    }
    if (score > bestScore) {
      best = mate
      bestScore = score
    }
  }
  return best
}

/** Up to `limit` distinct perfect matchings of 0..n-1 over allowed pairs, explored in random order. */
function enumeratePairings (n: number, allowed: (a: number, b: number) => boolean, random: Random, limit: number): Int32Array[] {
  const found: Int32Array[] = []
  const mate = new Int32Array(n).fill(-1)
  let budget = limit * 50
  const search = (): void => {
    if (found.length >= limit || --budget < 0) return
    // Branch on the person with the fewest options: dead ends show up at once.
    let pivot = -1
    let options: number[] = []
    for (let a = 0; a < n; a++) {
      if (mate[a] !== -1) continue
      const mine: number[] = []
      for (let b = 0; b < n; b++) if (b !== a && mate[b] === -1 && allowed(a, b)) mine.push(b)
      if (pivot === -1 || mine.length < options.length) {
        pivot = a
        options = mine
        if (mine.length <= 1) break
      }
    }
    if (pivot === -1) {
      found.push(mate.slice())
      return
    }
    for (const b of shuffleInPlace(options, random)) {
      mate[pivot] = b
      mate[b] = pivot
      search()
      mate[pivot] = mate[b] = -1
      if (found.length >= limit) return
    }
  }
  search()
  return found
}

// Plays rounds on a copy of the unused pairs until one cannot pair everyone present; returns how many passed.
function survivedRounds (unused: Uint8Array, m: number, attendance: Float64Array, random: Random, horizon: number): number {
  const left = unused.slice()
  const present: number[] = []
  const start = new Int32Array(m + 1)
  const targets = new Int32Array(m * m)
  for (let step = 0; step < horizon; step++) {
    present.length = 0
    for (let i = 0; i < m; i++) if (random() < attendance[i]!) present.push(i)
    shuffleInPlace(present, random)
    const k = present.length
    let edges = 0
    for (let x = 0; x < k; x++) {
      start[x] = edges
      const row = present[x]! * m
      for (let y = 0; y < k; y++) if (left[row + present[y]!] === 1) targets[edges++] = y
    }
    start[k] = edges
    const mate = maxCardinalityMatching(k, start.subarray(0, k + 1), targets.subarray(0, edges))
    let pairs = 0
    for (let x = 0; x < k; x++) {
      const y = mate[x]!
      if (y <= x) continue
      pairs++
      const i = present[x]!
      const j = present[y]!
      left[i * m + j] = left[j * m + i] = 0
    }
    if (pairs < Math.floor(k / 2)) return step
  }
  return horizon
}
