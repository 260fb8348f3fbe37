// How many groups, of which sizes, when time zones split the people. groupSizes plans the fewest groups for everyone
// together; but people in zones that share no working hour with each other (Los Angeles and Berlin, say) can only
// meet in groups of their own zones, and their counts may need more groups: 41 people in fours are 8 × 4 + 3 × 3,
// while 14 + 14 + 13 people in three such zones need 4 + 4 + 4 groups of 3 or 4. This plans the groups per zone
// component instead, in the same size bounds, giving people whose zone is unknown (they fit anyone) to the components
// whose counts need them.

import type { MatchContext } from './context.js'
import { sizeBounds } from './groups.js'

export interface ZonePlan {
  /** Group sizes, within sizeBounds(n, k). */
  readonly sizes: readonly number[]
  /** Which people each group is for: the label of group g is groupLabel[g]. */
  readonly groupLabel: readonly number[]
  /** Each person's label: the component of their zone, or the one they were given when their zone is unknown. */
  readonly personLabel: Int32Array
}

/**
 * The plan, or null when the default (groupSizes over everyone) is as good: nobody is apart, everyone's zones form
 * one component, or some component cannot be split into allowed sizes whatever unknowns join it (then no grouping of
 * everyone meets, and the search keeps as few groups apart as it can).
 */
export function planByZone (ctx: MatchContext, k: number): ZonePlan | null {
  if (!ctx.anyApart) return null
  const { n, zoneClass } = ctx
  const { lo, hi } = sizeBounds(n, k)

  // Components of the classes present: classes that share an hour, transitively.
  const classes = [...new Set(zoneClass)].filter((c) => c >= 0)
  const parent = classes.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
  for (let i = 0; i < classes.length; i++) {
    for (let j = i + 1; j < classes.length; j++) if (ctx.classesMeet(classes[i]!, classes[j]!)) parent[find(i)] = find(j)
  }
  const componentOfRoot = new Map<number, number>()
  const componentOfClass = new Map<number, number>()
  for (let i = 0; i < classes.length; i++) {
    const root = find(i)
    if (!componentOfRoot.has(root)) componentOfRoot.set(root, componentOfRoot.size)
    componentOfClass.set(classes[i]!, componentOfRoot.get(root)!)
  }
  const components = componentOfRoot.size
  if (components < 2) return null
  const counts = new Array<number>(components).fill(0)
  let unknown = 0
  for (let x = 0; x < n; x++) {
    const c = zoneClass[x]!
    if (c < 0) unknown++
    else counts[componentOfClass.get(c)!]!++
  }

  // The fewest groups of sizes lo..hi that hold `people`, or Infinity when no such groups hold exactly that many.
  const groupsFor = (people: number): number => {
    if (people === 0) return 0
    const m = Math.ceil(people / hi)
    return m * lo <= people ? m : Infinity
  }
  // How many unknowns join each component: the fewest groups in all (the sizes closest to the size asked for).
  // Beyond lo × hi extra people every count can be split, so larger shares change nothing but the group count.
  const most = Math.min(unknown, lo * hi)
  let states = new Map<number, { groups: number, shares: number[] }>([[0, { groups: 0, shares: [] }]])
  for (const count of counts) {
    const next = new Map<number, { groups: number, shares: number[] }>()
    for (const [used, state] of states) {
      for (let extra = 0; extra <= most && used + extra <= unknown; extra++) {
        const groups = state.groups + groupsFor(count + extra)
        if (groups === Infinity) continue
        const known = next.get(used + extra)
        if (known === undefined || groups < known.groups) next.set(used + extra, { groups, shares: [...state.shares, extra] })
      }
    }
    states = next
  }
  let best: { groups: number, shares: number[] } | null = null
  for (const [used, state] of states) {
    const groups = state.groups + groupsFor(unknown - used)
    if (groups < (best?.groups ?? Infinity)) best = { groups, shares: state.shares }
  }
  if (best === null) return null

  // Labels: components 0..components - 1, and `components` for unknowns left to groups of their own.
  const total = counts.map((count, i) => count + best.shares[i]!)
  total.push(unknown - best.shares.reduce((a, b) => a + b, 0))
  const sizes: number[] = []
  const groupLabel: number[] = []
  for (const [label, people] of total.entries()) {
    const m = groupsFor(people)
    const base = Math.floor(people / m)
    for (let g = 0; g < m; g++) {
      sizes.push(base + (g < people - base * m ? 1 : 0))
      groupLabel.push(label)
    }
  }
  const personLabel = new Int32Array(n)
  const sharesLeft = [...best.shares]
  let label = 0
  for (let x = 0; x < n; x++) {
    const c = zoneClass[x]!
    if (c >= 0) {
      personLabel[x] = componentOfClass.get(c)!
      continue
    }
    while (label < components && sharesLeft[label] === 0) label++
    personLabel[x] = label
    if (label < components) sharesLeft[label]!--
  }
  return { sizes, groupLabel, personLabel }
}
