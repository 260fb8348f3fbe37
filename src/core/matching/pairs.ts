// Pairing as a maximum-weight matching. Weights are layered so that the matching optimises, in this order:
//   1. how many people are paired at all (maximum cardinality),
//   2. how many pairs have never met,
//   3. among repeats, how long ago they met (metWeight),
//   4. how many pairs follow this round's factor of the round-robin schedule,
//   5. whether the other never-met pairs come from factors that are already mostly used.
// Each layer's unit exceeds the largest possible total of every layer below it, so the layers never trade.
// In the end game of a cycle with absences, lookahead.ts may then swap the result for another repeat-free
// pairing that keeps more future rounds repeat-free.
// Small programs get the complete graph and the schedule; large ones a sparse random candidate graph (repeats
// are not a real risk there, speed is).

import { EdgeList, maxWeightMatching } from './blossom.js'
import type { MatchContext } from './context.js'
import { chooseByLookahead } from './lookahead.js'
import { randomInt, type Random } from './random.js'
import { circleSchedule } from './schedule.js'
import { MET_WEIGHT_MAX, metWeight } from './scoring.js'

/** Up to this many people the candidate graph is complete and the round-robin schedule is used. */
export const DENSE_UP_TO = 200
/** Never-met candidates sampled per person in the sparse graph (random 2-out graphs already have perfect matchings). */
const SPARSE_NEW = 6
/** Longest-ago partners added per person whose never-met partners are scarce. */
const SPARSE_MET = 6
/** Granularity of the depletion bonus. */
const DEPLETION_STEPS = 100

interface Layers {
  /** Bonus of a pair that can meet; 0 when everyone can meet everyone. */
  readonly meet: number
  readonly never: number
  readonly metUnit: number
  readonly factorBonus: number
}

function layers (n: number, withSchedule: boolean, withMeet: boolean): Layers {
  const slots = Math.floor(n / 2) + 1
  const factorBonus = withSchedule ? slots * (DEPLETION_STEPS + 1) : 0
  const scheduleSpan = withSchedule ? factorBonus + DEPLETION_STEPS : 0
  const metUnit = slots * (scheduleSpan + 1)
  const never = slots * (MET_WEIGHT_MAX * metUnit + scheduleSpan + 1)
  // At DENSE_UP_TO people this is ~10¹³ per edge, a matching's total ~10¹⁵: integers doubles still hold exactly.
  const meet = withMeet ? slots * (never + scheduleSpan + 1) : 0
  return { meet, never, metUnit, factorBonus }
}

/** Returns mate over context indexes (-1: unpaired). */
export function matchPairs (ctx: MatchContext, random: Random, lookahead = true): Int32Array {
  return ctx.n <= DENSE_UP_TO ? matchDense(ctx, random, lookahead) : matchSparse(ctx, random)
}

function matchDense (ctx: MatchContext, random: Random, lookahead: boolean): Int32Array {
  const n = ctx.n
  // Two full cycles: someone who skipped a while stays on the circle, someone long gone stops holding a seat.
  const schedule = circleSchedule(ctx, 2 * n + 2)
  const { factors } = schedule

  // Factor of every eligible pair, whether it is still usable, and how used up each factor is.
  const factorOfPair = new Int32Array(n * n)
  const usable = new Int32Array(factors)
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const f = schedule.factorOf(a, b)
      factorOfPair[a * n + b] = f
      if (f >= 0 && !ctx.blocked(a, b) && ctx.lastMet(a, b) === undefined) usable[f]!++
    }
  }
  const used = new Int32Array(factors)
  ctx.forEachMet((a, b) => {
    const f = schedule.factorOf(a, b)
    if (f >= 0) used[f]!++
  })

  // This round's factor: the one offering the most new pairs among the people here (ties at random).
  let chosen = -1
  let ties = 0
  for (let f = 0; f < factors; f++) {
    const u = usable[f]!
    if (u === 0) continue
    if (chosen < 0 || u > usable[chosen]!) {
      chosen = f
      ties = 1
    } else if (u === usable[chosen]! && randomInt(random, ++ties) === 0) {
      chosen = f
    }
  }

  const w = layers(n, true, ctx.anyApart)
  const edges = new EdgeList(n * (n - 1) / 2)
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (ctx.blocked(a, b)) continue
      const meet = ctx.apart(a, b) ? 0 : w.meet
      const last = ctx.lastMet(a, b)
      if (last !== undefined) {
        edges.add(a, b, meet + metWeight(ctx.round - last) * w.metUnit)
        continue
      }
      const f = factorOfPair[a * n + b]!
      let weight = meet + w.never
      if (f >= 0) {
        if (f === chosen) weight += w.factorBonus
        weight += Math.floor(DEPLETION_STEPS * Math.min(1, used[f]! / schedule.factorSize))
      }
      edges.add(a, b, weight)
    }
  }
  const primary = maxWeightMatching(n, edges, { maxCardinality: true })
  if (!lookahead) return primary

  // The end game of a cycle with varying attendance: compare the repeat-free alternatives by simulation.
  // Not when this round's factor pairs everyone by itself: that is the round-robin working as intended.
  let repeatFree = n % 2 === 0
  let offSchedule = false
  for (let a = 0; a < n && repeatFree; a++) {
    const b = primary[a]!
    if (b < 0 || ctx.lastMet(a, b) !== undefined || ctx.apart(a, b)) repeatFree = false
    else if (a < b && factorOfPair[a * n + b] !== chosen) offSchedule = true
  }
  return repeatFree && offSchedule ? chooseByLookahead(ctx, schedule.members, primary, random) : primary
}

function matchSparse (ctx: MatchContext, random: Random): Int32Array {
  const n = ctx.n
  // No meet layer here (10⁴ people would overflow exact doubles): pairs that cannot meet are left out of the
  // sample and, when the fallback below needs them, come in at the lowest weight.
  const w = layers(n, false, false)
  const edges = new EdgeList(n * (SPARSE_NEW + 2))
  // A pair may come in twice (drawn from either side, or again by the fallbacks): the matching takes parallel edges.
  const addEdge = (a: number, b: number): void => {
    if (ctx.blocked(a, b)) return
    const last = ctx.lastMet(a, b)
    edges.add(a, b, ctx.apart(a, b) ? 1 : last === undefined ? w.never : metWeight(ctx.round - last) * w.metUnit)
  }
  const addAllFor = (a: number): void => {
    for (let b = 0; b < n; b++) if (b !== a) addEdge(a, b)
  }

  const drawn = new Int32Array(SPARSE_NEW)
  for (let a = 0; a < n; a++) {
    let found = 0
    // Drawing someone a shares no working hour with says nothing about a's history: such draws do not count towards
    // the attempts (in a zone that shares hours with no other, only a third of the draws may be people a can meet),
    // up to a cap for someone who can meet almost nobody. Counted, they sent some of that zone to the fallback below,
    // which adds every never-met partner a can meet: not few there, but a third of the program.
    let attempts = 0
    for (let draw = 0; draw < 64 * SPARSE_NEW && attempts < 8 * SPARSE_NEW && found < SPARSE_NEW; draw++) {
      const b = randomInt(random, n)
      if (b !== a && ctx.apart(a, b)) continue
      attempts++
      if (b === a || ctx.blocked(a, b) || ctx.lastMet(a, b) !== undefined) continue
      let again = false
      for (let i = 0; i < found; i++) if (drawn[i] === b) again = true
      if (again) continue
      edges.add(a, b, w.never)
      drawn[found++] = b
    }
    if (found < SPARSE_NEW) addScarce(a)
  }

  // Rejection sampling failed: most of a's possible partners are taken by history or blocks. Add every
  // never-met partner (there are few) and the longest-ago ones.
  function addScarce (a: number): void {
    const met: [number, number][] = []
    for (let b = 0; b < n; b++) {
      if (b === a || ctx.blocked(a, b) || ctx.apart(a, b)) continue
      const last = ctx.lastMet(a, b)
      if (last === undefined) edges.add(a, b, w.never)
      else met.push([b, last])
    }
    met.sort((x, y) => x[1] - y[1] || x[0] - y[0])
    for (const [b, last] of met.slice(0, SPARSE_MET)) edges.add(a, b, metWeight(ctx.round - last) * w.metUnit)
  }

  let mate = maxWeightMatching(n, edges, { maxCardinality: true })
  // The sample may (rarely) lack the edges for a perfect matching; then give every unpaired person all their
  // edges and solve again.
  const unpaired: number[] = []
  for (let a = 0; a < n; a++) if (mate[a]! < 0) unpaired.push(a)
  // Unpaired people in zones that share no hour (an odd count in each) are not a sampling miss: they become trios.
  const missed = !ctx.anyApart || unpaired.some((a, i) => unpaired.some((b, j) => j > i && !ctx.apart(a, b)))
  if (unpaired.length > n % 2 && missed) {
    for (const a of unpaired) addAllFor(a)
    mate = maxWeightMatching(n, edges, { maxCardinality: true })
  }
  return mate
}

/** Odd pairings up to this size get the exhaustive trio search when the ordinary one leaves a repeat. */
export const TRIO_SEARCH_UP_TO = 41

/**
 * For an odd number of people, the best pairing with the trio chosen deliberately: for every candidate extra
 * person x, a matching of the others that contains (if at all possible) a pair x can join without a repeat or
 * block. Returns, for each x, the mate array over all people with x unmatched; the caller places x and keeps
 * the cheapest result. Used only when the ordinary pairing plus placement left a repeat behind.
 */
export function pairingsLeavingOut (ctx: MatchContext): Int32Array[] {
  const n = ctx.n
  const slots = Math.floor(n / 2) + 1
  const clean = slots * (MET_WEIGHT_MAX + 1)
  const never = slots * (clean + MET_WEIGHT_MAX + 1)
  const meet = ctx.anyApart ? slots * (never + clean + MET_WEIGHT_MAX + 1) : 0
  const fine = (a: number, b: number): boolean => !ctx.blocked(a, b) && !ctx.apart(a, b) && ctx.lastMet(a, b) === undefined
  const results: Int32Array[] = []
  for (let x = 0; x < n; x++) {
    const edges = new EdgeList(n * n / 2)
    for (let a = 0; a < n; a++) {
      if (a === x) continue
      for (let b = a + 1; b < n; b++) {
        if (b === x || ctx.blocked(a, b)) continue
        const last = ctx.lastMet(a, b)
        const bonus = fine(x, a) && fine(x, b) ? clean : 0
        edges.add(a, b, (ctx.apart(a, b) ? 0 : meet) + (last === undefined ? never : metWeight(ctx.round - last)) + bonus)
      }
    }
    results.push(maxWeightMatching(n, edges, { maxCardinality: true }))
  }
  return results
}
