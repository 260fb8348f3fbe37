import { buildContext, type MatchContext } from './context.js'
import {
  evictBlocked, Grouping, improveGroups, placeHomeless, rebalance, rotateGroups, sizeBounds, type SizeBounds
} from './groups.js'
import { matchPairs, pairingsLeavingOut, TRIO_SEARCH_UP_TO } from './pairs.js'
import { shuffleInPlace, type Random } from './random.js'
import { APART_COST, pairCostFunction, REPEAT_COST, type PairCost } from './scoring.js'
import type { MatchInput, MatchResult } from './types.js'
import { giveTurns } from './fair-turns.js'
import { planByZone } from './zone-plan.js'
import { groupSizes, MIN_GROUP_SIZE, MAX_GROUP_SIZE } from '../group-size.js'

/** Parts of the matcher that can be switched off, for bench:matching to measure what they earn. */
export interface MatchTuning {
  /** The end-game lookahead of pairing (lookahead.ts); default true. */
  lookahead?: boolean
}

/**
 * Splits this round's people into groups of the sizes groupSizes gives (groups of `groupSize`, some one smaller),
 * never putting blocked pairs together, then keeping every group able to meet in working hours (pairwise: for
 * daily windows of up to 8 hours, pairwise overlap means the group's), avoiding pairs that met before and, failing that, preferring those that
 * met longest ago. Blocks come before sizes: when they leave someone without a seat, a group may take one more.
 * Pure: the same input and random sequence give the same result.
 */
export function matchRound (input: MatchInput, tuning: MatchTuning = {}): MatchResult {
  const k = input.groupSize
  if (!Number.isInteger(k) || k < MIN_GROUP_SIZE || k > MAX_GROUP_SIZE) {
    throw new RangeError(`groupSize must be an integer from ${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE}, got ${k}`)
  }
  const random = input.random
  // Where each person first is in input.people, in the (seeded) working order.
  const seen = new Set<string>()
  const positions: number[] = []
  for (const [i, id] of input.people.entries()) {
    if (seen.has(id)) continue
    seen.add(id)
    positions.push(i)
  }
  shuffleInPlace(positions, random)
  const ctx = buildContext(input, positions.map((i) => input.people[i]!))
  const n = ctx.n
  if (n < 2) return { groups: [], alone: [...ctx.ids], repeats: 0, apart: 0 }
  // The result lists people in the caller's order, not the working order, so output does not look random twice.
  const byPosition = (x: number, y: number): number => positions[x]! - positions[y]!

  const cost = pairCostFunction(ctx)
  const grouping = new Grouping(n, cost)
  let bounds = sizeBounds(n, k)
  let homeless: number[]
  if (k === 2) {
    const mate = matchPairs(ctx, random, tuning.lookahead !== false)
    homeless = []
    for (let a = 0; a < n; a++) {
      const b = mate[a]!
      if (b < 0) homeless.push(a)
      else if (a < b) grouping.addGroup([a, b])
    }
  } else {
    homeless = buildLargerGroups(ctx, grouping, k, cost, random)
  }

  let alone = placeHomeless(grouping, homeless, bounds)
  // Fewer people to group than planned: the allowed sizes follow the number actually grouped.
  if (alone.length > 0) bounds = sizeBounds(n - alone.length, k)
  // Always: an eviction can leave a group below the smallest size (even a person by themselves) with nobody alone.
  alone = alone.concat(rebalance(grouping, bounds))
  if (k === 2 && ctx.anyApart) splitApartPairs(grouping, bounds)
  polish(grouping, bounds, random)

  if (k === 2 && n % 2 === 1 && n <= TRIO_SEARCH_UP_TO && (alone.length > 0 || grouping.totalCost() >= REPEAT_COST)) {
    // Anyone alone makes any complete grouping better, whatever its cost.
    const better = searchTrio(ctx, cost, bounds, random, alone.length > 0 ? Infinity : grouping.totalCost())
    if (better !== null) return finish(ctx, input, byPosition, better.grouping, better.alone)
  }
  return finish(ctx, input, byPosition, grouping, alone)
}

// Last, so that no later stage undoes it: who sat out last time comes first (fair-turns.ts).
function finish (ctx: MatchContext, input: MatchInput, byPosition: (x: number, y: number) => number, grouping: Grouping, alone: number[]): MatchResult {
  const priority = new Set<number>()
  for (const id of input.priority ?? []) {
    const x = ctx.indexOf.get(id)
    if (x !== undefined && x < ctx.n) priority.add(x)
  }
  return toResult(ctx, byPosition, grouping, giveTurns(grouping, alone, priority))
}

// The extra person of an odd pairing decides a lot when history is dense: the ordinary matching may leave out
// someone who has met a member of every pair. Trying every person as the extra one is cheap for small programs.
function searchTrio (ctx: MatchContext, cost: PairCost, bounds: SizeBounds, random: Random, toBeat: number): { grouping: Grouping, alone: number[] } | null {
  let best: { grouping: Grouping, alone: number[] } | null = null
  let bestCost = toBeat
  for (const mate of pairingsLeavingOut(ctx)) {
    const trial = new Grouping(ctx.n, cost)
    const homeless: number[] = []
    for (let a = 0; a < ctx.n; a++) {
      const b = mate[a]!
      if (b < 0) homeless.push(a)
      else if (a < b) trial.addGroup([a, b])
    }
    const alone = placeHomeless(trial, homeless, bounds)
    if (alone.length > 0) continue
    const total = trial.totalCost()
    if (total < bestCost) {
      best = { grouping: trial, alone }
      bestCost = total
    }
  }
  if (best !== null) polish(best.grouping, bounds, random)
  return best
}

// Greedy assignment from the most constrained person down, then local search; a few restarts for small
// programs, where the search space is small enough that restarts find noticeably better groupings. When time zones
// split the people, the groups are planned per zone (zone-plan.ts) and each person starts in a group of their own.
function buildLargerGroups (ctx: MatchContext, grouping: Grouping, k: number, cost: PairCost, random: Random): number[] {
  const n = ctx.n
  const plan = planByZone(ctx, k)
  const sizes = plan?.sizes ?? groupSizes(n, k)
  const fits = plan === null ? () => true : (x: number, g: number) => plan.groupLabel[g] === plan.personLabel[x]
  const bounds = sizeBounds(n, k)
  const restarts = n <= 60 ? 8 : n <= 300 ? 3 : 1
  let best: number[][] | null = null
  let bestCost = Infinity
  for (let attempt = 0; attempt < restarts; attempt++) {
    const trial = new Grouping(n, cost)
    const order = Array.from({ length: n }, (_, i) => i)
    shuffleInPlace(order, random)
    if (attempt === 0) {
      // Stable sort: the shuffle still breaks ties between equally constrained people.
      const difficulty = (x: number): number => ctx.blockCount[x]! * n + ctx.metCount[x]!
      order.sort((x, y) => difficulty(y) - difficulty(x))
    }
    for (let g = 0; g < sizes.length; g++) trial.addGroup([])
    if (n <= 1000) {
      for (const x of order) {
        let target = -1
        let targetCost = Infinity
        for (let g = 0; g < sizes.length; g++) {
          const members = trial.groups[g]!
          if (members.length >= sizes[g]! || !fits(x, g)) continue
          const c = trial.costWith(x, g)
          if (c < targetCost || (c === targetCost && members.length < trial.groups[target]!.length)) {
            target = g
            targetCost = c
          }
        }
        trial.insert(x, target)
      }
    } else {
      // Each person into the first group with room that is for them.
      const cursor = new Map<number, number>()
      for (const x of order) {
        let g = cursor.get(plan?.personLabel[x] ?? 0) ?? 0
        while (trial.groups[g]!.length >= sizes[g]! || !fits(x, g)) g++
        cursor.set(plan?.personLabel[x] ?? 0, g)
        trial.insert(x, g)
      }
    }
    polish(trial, bounds, random)
    const total = trial.totalCost()
    if (total < bestCost) {
      bestCost = total
      best = trial.groups.map((members) => [...members])
    }
    if (total === 0) break
  }
  for (const members of best!) grouping.addGroup(members)
  return evictBlocked(grouping)
}

// Pairing pairs everyone, so an odd count of people in a zone leaves a pair without a shared hour; each of them
// joining a pair they can meet makes two trios that can. Only when both have such a pair to join.
function splitApartPairs (grouping: Grouping, bounds: SizeBounds): void {
  const { groups } = grouping
  const home = (x: number, skip: number, not: number): number => {
    let best = -1
    let bestCost = APART_COST
    for (let h = 0; h < groups.length; h++) {
      const size = groups[h]!.length
      if (h === skip || h === not || size === 0 || size >= bounds.hi) continue
      const c = grouping.costWith(x, h)
      if (c < bestCost) {
        best = h
        bestCost = c
      }
    }
    return best
  }
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g]!
    if (members.length !== 2 || grouping.cost(members[0]!, members[1]!) < APART_COST) continue
    const [a, b] = members as [number, number]
    const forA = home(a, g, -1)
    const forB = forA < 0 ? -1 : home(b, g, forA)
    if (forB < 0) continue
    grouping.remove(a)
    grouping.insert(a, forA)
    grouping.remove(b)
    grouping.insert(b, forB)
  }
}

// Swaps and moves first (cheap), rotations when those are stuck, until neither helps. A grouping that costs nothing
// is left as it is: both searches would only look for someone with a cost (100,000 people, twice) to find nobody.
function polish (grouping: Grouping, bounds: SizeBounds, random: Random): void {
  if (grouping.totalCost() === 0) return
  for (let round = 0; round < 10; round++) {
    improveGroups(grouping, bounds, random)
    if (!rotateGroups(grouping, random)) break
  }
}

function toResult (ctx: MatchContext, byPosition: (x: number, y: number) => number, grouping: Grouping, alone: number[]): MatchResult {
  let repeats = 0
  let apart = 0
  const sorted: number[][] = []
  for (const members of grouping.groups) {
    if (members.length === 0) continue
    let meets = true
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        if (ctx.lastMet(members[i]!, members[j]!) !== undefined) repeats++
        if (ctx.apart(members[i]!, members[j]!)) meets = false
      }
    }
    if (!meets) apart++
    sorted.push([...members].sort(byPosition))
  }
  sorted.sort((x, y) => byPosition(x[0]!, y[0]!))
  const named = (members: number[]): string[] => members.map((x) => ctx.ids[x]!)
  return { groups: sorted.map(named), alone: named(alone.slice().sort(byPosition)), repeats, apart }
}
