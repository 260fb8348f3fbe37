// Groups as mutable index lists plus the moves the search makes on them: swap two people, move one person,
// place someone left over, split off blocked pairs. Shared by pairing (which starts from a matching) and
// larger groups (which start from a greedy assignment).

import { randomInt, shuffleInPlace, type Random } from './random.js'
import { BLOCKED_COST, type PairCost } from './scoring.js'
import { groupSizes } from '../group-size.js'

const NO = -1

export interface SizeBounds {
  readonly lo: number
  readonly hi: number
}

/**
 * The sizes a group may have while p people are grouped in groups of k: from the smallest size groupSizes plans to
 * one more. Moves inside these bounds keep groupSizes' sizes (a person only moves from a larger group to a smaller
 * one); the spare seat above is for someone blocks left without a group, where a seat beats being alone.
 */
export function sizeBounds (p: number, k: number): SizeBounds {
  const sizes = groupSizes(p, k)
  if (sizes.length === 0) return { lo: 2, hi: 2 }
  const lo = Math.min(...sizes)
  return { lo, hi: lo + 1 }
}

export class Grouping {
  readonly groups: number[][] = []
  readonly groupOf: Int32Array
  readonly cost: PairCost

  constructor (n: number, cost: PairCost) {
    this.groupOf = new Int32Array(n).fill(NO)
    this.cost = cost
  }

  addGroup (members: readonly number[]): number {
    const g = this.groups.length
    this.groups.push([...members])
    for (const x of members) this.groupOf[x] = g
    return g
  }

  /** Sum of x's costs against the members of group g other than x and skip. */
  costWith (x: number, g: number, skip = NO): number {
    let total = 0
    for (const y of this.groups[g]!) if (y !== x && y !== skip) total += this.cost(x, y)
    return total
  }

  memberCost (x: number): number {
    const g = this.groupOf[x]!
    return g === NO ? 0 : this.costWith(x, g)
  }

  compatible (x: number, g: number, skip = NO): boolean {
    for (const y of this.groups[g]!) if (y !== x && y !== skip && this.cost(x, y) >= BLOCKED_COST) return false
    return true
  }

  totalCost (): number {
    let total = 0
    for (const members of this.groups) {
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) total += this.cost(members[i]!, members[j]!)
      }
    }
    return total
  }

  remove (x: number): void {
    const g = this.groupOf[x]!
    if (g === NO) return
    const members = this.groups[g]!
    members.splice(members.indexOf(x), 1)
    this.groupOf[x] = NO
  }

  insert (x: number, g: number): void {
    this.groups[g]!.push(x)
    this.groupOf[x] = g
  }

  swap (x: number, y: number): void {
    const gx = this.groupOf[x]!
    const gy = this.groupOf[y]!
    const mx = this.groups[gx]!
    const my = this.groups[gy]!
    mx[mx.indexOf(x)] = y
    my[my.indexOf(y)] = x
    this.groupOf[x] = gy
    this.groupOf[y] = gx
  }

  /** The non-empty groups, members in a stable order. */
  result (): number[][] {
    return this.groups.filter((members) => members.length > 0).map((members) => [...members].sort((a, b) => a - b))
  }
}

export interface SearchOptions {
  /** Upper bound on improvement passes over the conflicted people. */
  passes?: number
  /** Above this many people, candidates for a swap are sampled instead of enumerated. */
  exhaustiveUpTo?: number
  /** Sampled swap candidates per conflicted person on large programs. */
  samples?: number
}

/**
 * Local search: for each conflicted person, the best swap (or move to a group whose size allows it). Only people
 * with a positive cost are tried: a swap between two people who both cost nothing cannot lower the total.
 * Returns whether anything changed.
 */
export function improveGroups (grouping: Grouping, bounds: SizeBounds, random: Random, options: SearchOptions = {}): boolean {
  const passes = options.passes ?? 50
  const exhaustiveUpTo = options.exhaustiveUpTo ?? 400
  const samples = options.samples ?? 64
  const { groups, groupOf } = grouping
  const placed = placedPeople(grouping)
  const exhaustive = placed.length <= exhaustiveUpTo

  return searchConflicted(grouping, random, passes, placed, (x, cx) => {
    const a = groupOf[x]!
    let bestDelta = 0
    let bestSwap = NO
    let bestMove = NO
    const trySwap = (y: number): void => {
      const b = groupOf[y]!
      if (b === NO || b === a) return
      const delta = grouping.costWith(x, b, y) + grouping.costWith(y, a, x) - cx - grouping.memberCost(y)
      if (delta < bestDelta) {
        bestDelta = delta
        bestSwap = y
        bestMove = NO
      }
    }
    if (exhaustive) {
      for (const y of placed) trySwap(y)
    } else {
      for (let s = 0; s < samples; s++) trySwap(placed[randomInt(random, placed.length)]!)
    }
    if (groups[a]!.length > bounds.lo) {
      for (let b = 0; b < groups.length; b++) {
        if (b === a || groups[b]!.length >= bounds.hi || groups[b]!.length === 0) continue
        const delta = grouping.costWith(x, b) - cx
        if (delta < bestDelta) {
          bestDelta = delta
          bestMove = b
          bestSwap = NO
        }
      }
    }
    if (bestSwap !== NO) {
      grouping.swap(x, bestSwap)
      return true
    }
    if (bestMove !== NO) {
      grouping.remove(x)
      grouping.insert(x, bestMove)
      return true
    }
    return false
  })
}

/** Everyone the grouping has placed in a group, by index. */
function placedPeople (grouping: Grouping): number[] {
  const placed: number[] = []
  for (let x = 0; x < grouping.groupOf.length; x++) if (grouping.groupOf[x] !== NO) placed.push(x)
  return placed
}

/**
 * The loop both searches share: pass after pass, every conflicted person (positive cost) in a random order is
 * offered to `tryPerson`, which returns whether it changed the grouping. Stops after a pass that changed nothing,
 * or once nobody is conflicted. Returns whether anything changed.
 */
function searchConflicted (grouping: Grouping, random: Random, passes: number, placed: readonly number[], tryPerson: (x: number, cost: number) => boolean): boolean {
  let changed = false
  for (let pass = 0; pass < passes; pass++) {
    const conflicted = placed.filter((x) => grouping.memberCost(x) > 0)
    if (conflicted.length === 0) break
    shuffleInPlace(conflicted, random)
    let improved = false
    for (const x of conflicted) {
      const cx = grouping.memberCost(x)
      if (cx > 0 && tryPerson(x, cx)) improved = true
    }
    if (!improved) break
    changed = true
  }
  return changed
}

/**
 * Three-way rotations: x goes to y's group, y to z's group, z to x's group. Swaps alone get stuck where the
 * fix needs two groups to change at once — typically the trio of an odd pairing, whose extra person has met
 * someone in every pair. Tried for conflicted x only, exhaustively up to `exhaustiveUpTo` people.
 */
export function rotateGroups (grouping: Grouping, random: Random, options: SearchOptions = {}): boolean {
  const exhaustiveUpTo = options.exhaustiveUpTo ?? 80
  const samples = options.samples ?? 24
  const { groupOf } = grouping
  const placed = placedPeople(grouping)
  const exhaustive = placed.length <= exhaustiveUpTo
  const pick = (i: number): number => exhaustive ? placed[i]! : placed[randomInt(random, placed.length)]!
  const count = exhaustive ? placed.length : samples
  return searchConflicted(grouping, random, options.passes ?? 20, placed, (x, cx) => {
    const a = groupOf[x]!
    for (let i = 0; i < count; i++) {
      const y = pick(i)
      const b = groupOf[y]!
      if (b === a) continue
      const dx = grouping.costWith(x, b, y) - grouping.memberCost(y) - cx
      for (let j = 0; j < count; j++) {
        const z = pick(j)
        const c = groupOf[z]!
        if (c === a || c === b) continue
        const delta = dx + grouping.costWith(y, c, z) - grouping.memberCost(z) + grouping.costWith(z, a, x)
        if (delta < 0) {
          grouping.remove(x)
          grouping.remove(y)
          grouping.remove(z)
          grouping.insert(x, b)
          grouping.insert(y, c)
          grouping.insert(z, a)
          return true
        }
      }
    }
    return false
  })
}

/** Takes people out of groups until no group holds a blocked pair; returns who was taken out. */
export function evictBlocked (grouping: Grouping): number[] {
  const evicted: number[] = []
  for (const members of grouping.groups) {
    for (;;) {
      let worst = NO
      let worstBlocks = 0
      for (const x of members) {
        let blocks = 0
        for (const y of members) if (y !== x && grouping.cost(x, y) >= BLOCKED_COST) blocks++
        if (blocks > worstBlocks) {
          worst = x
          worstBlocks = blocks
        }
      }
      if (worst === NO) break
      grouping.remove(worst)
      evicted.push(worst)
    }
  }
  return evicted
}

/**
 * Finds a place for each homeless person: a compatible group with room, else an ejection chain (take
 * someone's seat, re-place them, up to a few steps deep), else a new pair with another homeless person when
 * pairs are allowed. Returns those for whom nothing worked.
 */
export function placeHomeless (grouping: Grouping, homeless: readonly number[], bounds: SizeBounds): number[] {
  const { groups } = grouping
  const left: number[] = []
  const inChain = new Set<number>()
  let budget = 200_000

  // Cheapest compatible group with room for x, or NO. Each pair cost is computed once (compatible and costWith
  // would compute it twice): this scans every group, 5·10⁴ of them in a pairing of 10⁵ people.
  const bestRoom = (x: number): number => {
    let best = NO
    let bestCost = Infinity
    for (let g = 0; g < groups.length; g++) {
      const members = groups[g]!
      if (members.length === 0 || members.length >= bounds.hi) continue
      let c = 0
      for (const y of members) {
        if (y === x) continue
        const cy = grouping.cost(x, y)
        if (cy >= BLOCKED_COST) {
          c = Infinity
          break
        }
        c += cy
      }
      if (c < bestCost) {
        best = g
        bestCost = c
      }
    }
    return best
  }

  const place = (x: number, depth: number): boolean => {
    const room = bestRoom(x)
    if (room !== NO) {
      grouping.insert(x, room)
      return true
    }
    if (depth === 0) return false
    inChain.add(x)
    for (let g = 0; g < groups.length && budget > 0; g++) {
      const members = groups[g]!
      for (const y of [...members]) {
        if (--budget <= 0) break
        if (inChain.has(y) || !grouping.compatible(x, g, y)) continue
        grouping.remove(y)
        grouping.insert(x, g)
        if (place(y, depth - 1)) {
          inChain.delete(x)
          return true
        }
        grouping.remove(x)
        grouping.insert(y, g)
      }
    }
    inChain.delete(x)
    return false
  }

  const queue = [...homeless]
  while (queue.length > 0) {
    const x = queue.shift()!
    if (place(x, 3)) continue
    if (bounds.lo <= 2) {
      const mateIndex = queue.findIndex((y) => grouping.cost(x, y) < BLOCKED_COST)
      if (mateIndex !== NO) {
        const y = queue.splice(mateIndex, 1)[0]!
        grouping.addGroup([x, y])
        continue
      }
      const leftIndex = left.findIndex((y) => grouping.cost(x, y) < BLOCKED_COST)
      if (leftIndex !== NO) {
        const y = left.splice(leftIndex, 1)[0]!
        grouping.addGroup([x, y])
        continue
      }
    }
    left.push(x)
  }
  return left
}

/**
 * Brings groups that ended up below the smallest allowed size (after evictions) back into range, by pulling
 * compatible people from groups that can spare one or by spreading the small group over groups with room.
 * Returns people who could not be kept in any group (a group of one is never returned).
 */
export function rebalance (grouping: Grouping, bounds: SizeBounds): number[] {
  const { groups } = grouping
  const orphans: number[] = []
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g]!
    while (members.length > 0 && members.length < bounds.lo) {
      let donor = NO
      let donorCost = Infinity
      for (let h = 0; h < groups.length; h++) {
        if (h === g || groups[h]!.length <= bounds.lo) continue
        for (const y of groups[h]!) {
          if (!grouping.compatible(y, g)) continue
          const c = grouping.costWith(y, g) - grouping.memberCost(y)
          if (c < donorCost) {
            donor = y
            donorCost = c
          }
        }
      }
      if (donor !== NO) {
        grouping.remove(donor)
        grouping.insert(donor, g)
        continue
      }
      // Dissolve: every member needs a compatible group with room elsewhere.
      const targets: number[] = []
      const extra = new Map<number, number>()
      for (const x of members) {
        let target = NO
        let targetCost = Infinity
        for (let h = 0; h < groups.length; h++) {
          if (h === g || groups[h]!.length === 0) continue
          if (groups[h]!.length + (extra.get(h) ?? 0) >= bounds.hi || !grouping.compatible(x, h)) continue
          const c = grouping.costWith(x, h)
          if (c < targetCost) {
            target = h
            targetCost = c
          }
        }
        if (target === NO) break
        targets.push(target)
        extra.set(target, (extra.get(target) ?? 0) + 1)
      }
      if (targets.length === members.length) {
        for (const [i, x] of [...members].entries()) {
          grouping.remove(x)
          grouping.insert(x, targets[i]!)
        }
      } else if (members.length === 1) {
        const x = members[0]!
        grouping.remove(x)
        orphans.push(x)
      }
      break
    }
  }
  return orphans
}
