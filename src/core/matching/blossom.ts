// Maximum-weight matching in a general graph: Edmonds' blossom algorithm in its primal–dual form
// (Edmonds 1965; the O(n³) organisation with per-blossom best edges follows Galil, "Efficient algorithms for
// finding maximum matching in graphs", 1986). Written for this project from those descriptions.
//
// Conventions. Edge k joins eu[k] and ev[k]; its two "endpoints" are p = 2k (the eu side) and p = 2k + 1 (the ev
// side), so p ^ 1 is the other end of the same edge and p >> 1 is the edge. Vertices are 0..n-1, non-trivial
// blossoms n..2n-1. Dual variables are stored doubled (a vertex starts at maxWeight instead of maxWeight / 2)
// and slack(k) = dual[u] + dual[v] - 2w, so integer weights keep every quantity an integer: equality tests
// on slack are exact. Callers must pass integer weights well below 2^53 / n.
//
// Stages, all over one State:
//   warmStart          match the heaviest edges first (often the whole answer);
//   runStage           one stage: label free vertices S, then alternate
//     growTrees          scan S-vertices' tight edges: label T, shrink a blossom (addBlossom), or augment;
//     chooseDualStep     when no tight edge is left, the largest dual change that keeps the duals feasible;
//     applyDualStep      change the duals, then make the edge tight or expand the T-blossom it names;
//   expandSpentBlossoms  after an augmentation, dissolve S-blossoms whose dual reached zero.
// Invariants between calls: mate is a matching; every edge has slack >= 0; every non-trivial blossom has
// dual >= 0; matched edges and edges inside blossoms are tight (slack 0).

import { maxCardinalityMatching } from './cardinality.js'

const NO = -1
const UNLABELED = 0
const S_LABEL = 1
const T_LABEL = 2
// Marks blossoms already visited while two alternating paths are traced towards their roots.
const BREADCRUMB = 4

/** Growable edge storage in flat typed arrays: the matcher builds graphs with 10⁵ edges per call. */
export class EdgeList {
  u: Int32Array
  v: Int32Array
  w: Float64Array
  count = 0

  constructor (capacity = 16) {
    const size = Math.max(1, capacity)
    this.u = new Int32Array(size)
    this.v = new Int32Array(size)
    this.w = new Float64Array(size)
  }

  add (u: number, v: number, weight: number): void {
    if (u === v) throw new RangeError(`self-loop on vertex ${u}`)
    if (this.count === this.u.length) {
      const size = this.u.length * 2
      const nu = new Int32Array(size)
      const nv = new Int32Array(size)
      const nw = new Float64Array(size)
      nu.set(this.u)
      nv.set(this.v)
      nw.set(this.w)
      this.u = nu
      this.v = nv
      this.w = nw
    }
    this.u[this.count] = u
    this.v[this.count] = v
    this.w[this.count] = weight
    this.count++
  }
}

export interface MatchingOptions {
  /**
   * Among the matchings of maximum cardinality, return one of maximum weight (instead of the maximum-weight
   * matching of any size). The matcher wants this: placing everyone matters more than who meets whom.
   */
  maxCardinality?: boolean
  /** Start from a maximum-cardinality matching of the heaviest edges (default true; false is for tests). */
  warmStart?: boolean
}

/**
 * Returns mate: mate[v] is v's partner, or -1. Edges with weight <= 0 are never needed for maximum weight
 * but may be used when maxCardinality is set. Parallel edges are allowed; the best one wins.
 */
export function maxWeightMatching (vertexCount: number, edges: EdgeList, options: MatchingOptions = {}): Int32Array {
  if (vertexCount < 2 || edges.count === 0) return new Int32Array(vertexCount).fill(NO)
  const s = createState(vertexCount, edges, heaviestWeight(vertexCount, edges))
  if (s.maxWeight > 0 && options.warmStart !== false && warmStart(s)) return partners(s)
  while (runStage(s, options.maxCardinality === true)) expandSpentBlossoms(s)
  return partners(s)
}

/** Everything the stages share. Arrays indexed by "vertex or blossom" have 2n entries. */
interface State {
  readonly n: number
  readonly m: number
  readonly eu: Int32Array
  readonly ev: Int32Array
  readonly ew: Float64Array
  readonly maxWeight: number
  /** Adjacency in CSR form; entries are the *remote* endpoints, so endpoint(entry) is the neighbour. */
  readonly adjStart: Int32Array
  readonly adj: Int32Array
  /** mate[v] is the remote endpoint of v's matched edge (so endpoint(mate[v]) is the partner), or NO. */
  readonly mate: Int32Array
  /**
   * Kept for vertices and top-level blossoms; labelEnd is the endpoint through which the label was given (the
   * edge towards the root of the alternating tree), NO for roots.
   */
  readonly label: Int8Array
  readonly labelEnd: Int32Array
  /** The top-level blossom containing each vertex. */
  readonly inBlossom: Int32Array
  readonly blossomParent: Int32Array
  readonly blossomChilds: (number[] | null)[]
  /** blossomEndps[b][i] is the endpoint of the edge joining child i to child i + 1 (cyclically), seen from child i. */
  readonly blossomEndps: (number[] | null)[]
  /** NO for unused blossom numbers. */
  readonly blossomBase: Int32Array
  /** Least-slack edge from a vertex / S-blossom to a different S-blossom: what the dual step needs to know. */
  readonly bestEdge: Int32Array
  readonly blossomBestEdges: (number[] | null)[]
  readonly unusedBlossoms: number[]
  readonly dual: Float64Array
  /** Edges known to be tight in this stage. */
  readonly allowEdge: Uint8Array
  /** Scratch for mergeBestEdges: best edge towards each neighbouring S-blossom. Always all NO between calls. */
  readonly bestTo: Int32Array
  /** S-vertices whose edges are still to be scanned. */
  readonly queue: number[]
}

// Validates the edges; returns the largest weight (at least 0).
function heaviestWeight (n: number, edges: EdgeList): number {
  let maxWeight = 0
  for (let k = 0; k < edges.count; k++) {
    const a = edges.u[k]!
    const b = edges.v[k]!
    if (a < 0 || b < 0 || a >= n || b >= n || a === b) throw new RangeError(`edge ${k} (${a}, ${b}) is not in 0..${n - 1}`)
    if (edges.w[k]! > maxWeight) maxWeight = edges.w[k]!
  }
  return maxWeight
}

// Nothing matched, every vertex its own top-level blossom with dual maxWeight: every slack is >= 0.
function createState (n: number, edges: EdgeList, maxWeight: number): State {
  const m = edges.count
  const eu = edges.u
  const ev = edges.v
  const adjStart = new Int32Array(n + 1)
  for (let k = 0; k < m; k++) {
    adjStart[eu[k]! + 1]!++
    adjStart[ev[k]! + 1]!++
  }
  for (let v = 0; v < n; v++) adjStart[v + 1]! += adjStart[v]!
  const adj = new Int32Array(2 * m)
  const fill = adjStart.slice(0, n)
  for (let k = 0; k < m; k++) {
    adj[fill[eu[k]!]!++] = 2 * k + 1
    adj[fill[ev[k]!]!++] = 2 * k
  }
  const inBlossom = new Int32Array(n)
  const blossomBase = new Int32Array(2 * n).fill(NO)
  const dual = new Float64Array(2 * n)
  for (let v = 0; v < n; v++) {
    inBlossom[v] = v
    blossomBase[v] = v
    dual[v] = maxWeight
  }
  const unusedBlossoms: number[] = []
  for (let b = 2 * n - 1; b >= n; b--) unusedBlossoms.push(b)
  return {
    n,
    m,
    eu,
    ev,
    ew: edges.w,
    maxWeight,
    adjStart,
    adj,
    mate: new Int32Array(n).fill(NO),
    label: new Int8Array(2 * n),
    labelEnd: new Int32Array(2 * n).fill(NO),
    inBlossom,
    blossomParent: new Int32Array(2 * n).fill(NO),
    blossomChilds: new Array<number[] | null>(2 * n).fill(null),
    blossomEndps: new Array<number[] | null>(2 * n).fill(null),
    blossomBase,
    bestEdge: new Int32Array(2 * n).fill(NO),
    blossomBestEdges: new Array<number[] | null>(2 * n).fill(null),
    unusedBlossoms,
    dual,
    allowEdge: new Uint8Array(m),
    bestTo: new Int32Array(2 * n).fill(NO),
    queue: []
  }
}

const endpoint = (s: State, p: number): number => (p & 1) === 0 ? s.eu[p >> 1]! : s.ev[p >> 1]!

const slack = (s: State, k: number): number => s.dual[s.eu[k]!]! + s.dual[s.ev[k]!]! - 2 * s.ew[k]!

/** Index i of a blossom's cyclic child (or endpoint) list, where negative i counts from the end. */
const at = <T>(list: readonly T[], i: number): T => list[i < 0 ? i + list.length : i]!

// The vertices inside blossom b (b itself for a vertex).
function leaves (s: State, b: number): number[] {
  if (b < s.n) return [b]
  const out: number[] = []
  const stack = [b]
  while (stack.length > 0) {
    const x = stack.pop()!
    if (x < s.n) out.push(x)
    else for (const c of s.blossomChilds[x]!) stack.push(c)
  }
  return out
}

/**
 * From child j of a blossom with `length` children, the even-length way around the cycle to the base (child
 * 0): j counts towards 0 by `step`, and the edge between child j and the next is at(endps, j - trick) ^ trick.
 */
function towardsBase (j: number, length: number): { j: number, step: number, trick: number } {
  return (j & 1) !== 0 ? { j: j - length, step: 1, trick: 0 } : { j, step: -1, trick: 1 }
}

function partners (s: State): Int32Array {
  const partner = new Int32Array(s.n).fill(NO)
  for (let v = 0; v < s.n; v++) if (s.mate[v] !== NO) partner[v] = endpoint(s, s.mate[v]!)
  return partner
}

// With every vertex dual at maxWeight exactly the maximum-weight edges are tight, and any matching of tight
// edges satisfies the invariants the stages maintain. A maximum-cardinality matching of that subgraph is cheap
// to find and often already optimal; each edge it provides saves a whole stage. Returns true when it is optimal.
function warmStart (s: State): boolean {
  const { n, m, eu, ev, ew, maxWeight, adjStart, adj, mate } = s
  const tightStart = new Int32Array(n + 1)
  let tightEdges = 0
  for (let k = 0; k < m; k++) {
    if (ew[k] === maxWeight) {
      tightStart[eu[k]! + 1]!++
      tightStart[ev[k]! + 1]!++
      tightEdges++
    }
  }
  for (let v = 0; v < n; v++) tightStart[v + 1]! += tightStart[v]!
  const tightTargets = new Int32Array(tightStart[n]!)
  const cursor = tightStart.slice(0, n)
  for (let k = 0; k < m; k++) {
    if (ew[k] === maxWeight) {
      tightTargets[cursor[eu[k]!]!++] = ev[k]!
      tightTargets[cursor[ev[k]!]!++] = eu[k]!
    }
  }
  const warm = maxCardinalityMatching(n, tightStart, tightTargets)
  let matchedEdges = 0
  for (let v = 0; v < n; v++) {
    const w = warm[v]!
    if (w <= v) continue
    for (let i = adjStart[v]!; i < adjStart[v + 1]!; i++) {
      const p = adj[i]!
      if (endpoint(s, p) === w && ew[p >> 1] === maxWeight) {
        mate[v] = p
        mate[w] = p ^ 1
        matchedEdges++
        break
      }
    }
  }
  // floor(n / 2) edges of the largest weight: nothing can weigh more or have more edges.
  if (matchedEdges === Math.floor(n / 2)) return true
  // Every edge was among the heaviest: warm is a maximum matching of the whole graph.
  if (tightEdges === m) return true
  // Otherwise the same holds when no matching of the whole graph has more edges: none can then weigh more than
  // these, each of the largest weight. Proving that is one breadth-first search per free vertex, where the
  // weighted stages would grow (and shrink into blossoms) the same trees with dual steps in between: on a graph
  // split into parts of odd size (people in time zones that share no hour) they took most of the time.
  const neighbours = new Int32Array(adj.length)
  for (let i = 0; i < adj.length; i++) neighbours[i] = endpoint(s, adj[i]!)
  const full = maxCardinalityMatching(n, adjStart, neighbours, warm)
  let fullEdges = 0
  for (let v = 0; v < n; v++) if (full[v]! > v) fullEdges++
  return fullEdges === matchedEdges
}

// One stage: grow alternating trees from every free vertex. Returns true after an augmentation, false when
// the duals prove the matching optimal.
function runStage (s: State, maxCardinality: boolean): boolean {
  s.label.fill(UNLABELED)
  s.bestEdge.fill(NO)
  for (let b = s.n; b < 2 * s.n; b++) s.blossomBestEdges[b] = null
  s.allowEdge.fill(0)
  s.queue.length = 0
  for (let v = 0; v < s.n; v++) {
    if (s.mate[v] === NO && s.label[s.inBlossom[v]!] === UNLABELED) assignLabel(s, v, S_LABEL, NO)
  }
  for (;;) {
    if (growTrees(s)) return true
    const step = chooseDualStep(s, maxCardinality)
    if (!applyDualStep(s, step)) return false
  }
}

// Scans the queued S-vertices; returns true once an augmenting path was found and applied.
function growTrees (s: State): boolean {
  while (s.queue.length > 0) {
    const v = s.queue.pop()!
    for (let i = s.adjStart[v]!; i < s.adjStart[v + 1]!; i++) {
      if (scanEdge(s, v, s.adj[i]!)) return true
    }
  }
  return false
}

// Looks at the edge from S-vertex v to endpoint p: uses it if tight, else remembers it as a candidate for the
// next dual step. Returns true when it completed an augmenting path.
function scanEdge (s: State, v: number, p: number): boolean {
  const { inBlossom, label, bestEdge, allowEdge } = s
  const k = p >> 1
  const w = endpoint(s, p)
  if (inBlossom[v] === inBlossom[w]) return false
  let kSlack = 0
  if (allowEdge[k] === 0) {
    kSlack = slack(s, k)
    if (kSlack <= 0) allowEdge[k] = 1
  }
  if (allowEdge[k] !== 0) return useTightEdge(s, v, w, p)
  if (label[inBlossom[w]!] === S_LABEL) {
    const b = inBlossom[v]!
    if (bestEdge[b] === NO || kSlack < slack(s, bestEdge[b]!)) bestEdge[b] = k
  } else if (label[w] === UNLABELED) {
    if (bestEdge[w] === NO || kSlack < slack(s, bestEdge[w]!)) bestEdge[w] = k
  }
  return false
}

// A tight edge from S-vertex v to w (reached through endpoint p): grow the tree, shrink the odd cycle it
// closes, or augment along the path it completes between two trees (returns true).
function useTightEdge (s: State, v: number, w: number, p: number): boolean {
  const bw = s.inBlossom[w]!
  if (s.label[bw] === UNLABELED) {
    assignLabel(s, w, T_LABEL, p ^ 1)
  } else if (s.label[bw] === S_LABEL) {
    const base = scanBlossom(s, v, w)
    if (base === NO) {
      augmentMatching(s, p >> 1)
      return true
    }
    addBlossom(s, base, p >> 1)
  } else if (s.label[w] === UNLABELED) {
    // w sits inside a T-blossom without a label of its own; remember how it was reached in case the blossom
    // is expanded later.
    s.label[w] = T_LABEL
    s.labelEnd[w] = p ^ 1
  }
  return false
}

// Labels w's top-level blossom t, reached through endpoint p; a T-blossom's mate then becomes S. S-vertices
// are queued for scanning.
function assignLabel (s: State, w: number, t: number, p: number): void {
  // Iterative: labelling a T-blossom immediately labels its mate S, which can chain.
  for (;;) {
    const b = s.inBlossom[w]!
    s.label[w] = s.label[b] = t
    s.labelEnd[w] = s.labelEnd[b] = p
    s.bestEdge[w] = s.bestEdge[b] = NO
    if (t === S_LABEL) {
      for (const v of leaves(s, b)) s.queue.push(v)
      return
    }
    const mateEnd = s.mate[s.blossomBase[b]!]!
    w = endpoint(s, mateEnd)
    t = S_LABEL
    p = mateEnd ^ 1
  }
}

// Walks up from v and w alternately; returns the base of the blossom the edge v-w closes, or NO when the two
// trees have different roots (an augmenting path). Leaves every label as it found it.
function scanBlossom (s: State, v: number, w: number): number {
  const { inBlossom, label, labelEnd } = s
  const path: number[] = []
  let base = NO
  while (v !== NO || w !== NO) {
    if (v !== NO) {
      let b = inBlossom[v]!
      if ((label[b]! & BREADCRUMB) !== 0) {
        base = s.blossomBase[b]!
        break
      }
      path.push(b)
      label[b] = S_LABEL | BREADCRUMB
      if (labelEnd[b] === NO) {
        v = NO
      } else {
        v = endpoint(s, labelEnd[b]!)
        b = inBlossom[v]!
        v = endpoint(s, labelEnd[b]!)
      }
    }
    if (w !== NO) {
      const tmp = v
      v = w
      w = tmp
    }
  }
  for (const b of path) label[b] = S_LABEL
  return base
}

// Shrinks the odd cycle closed by edge k through `base` into a new S-blossom with dual 0 (edges inside stay
// tight); its former T-vertices become S and are queued.
function addBlossom (s: State, base: number, k: number): void {
  const { inBlossom, blossomParent, labelEnd } = s
  const bb = inBlossom[base]!
  let bv = inBlossom[s.eu[k]!]!
  let bw = inBlossom[s.ev[k]!]!
  const b = s.unusedBlossoms.pop()!
  s.blossomBase[b] = base
  blossomParent[b] = NO
  blossomParent[bb] = b
  const childs: number[] = []
  const endps: number[] = []
  while (bv !== bb) {
    blossomParent[bv] = b
    childs.push(bv)
    endps.push(labelEnd[bv]!)
    bv = inBlossom[endpoint(s, labelEnd[bv]!)]!
  }
  childs.push(bb)
  childs.reverse()
  endps.reverse()
  endps.push(2 * k)
  while (bw !== bb) {
    blossomParent[bw] = b
    childs.push(bw)
    endps.push(labelEnd[bw]! ^ 1)
    bw = inBlossom[endpoint(s, labelEnd[bw]!)]!
  }
  s.blossomChilds[b] = childs
  s.blossomEndps[b] = endps
  s.label[b] = S_LABEL
  labelEnd[b] = labelEnd[bb]!
  s.dual[b] = 0
  for (const x of leaves(s, b)) {
    // Former T-vertices are S now and must be scanned.
    if (s.label[inBlossom[x]!] === T_LABEL) s.queue.push(x)
    inBlossom[x] = b
  }
  mergeBestEdges(s, b, childs)
}

// The new blossom b's best edges: its children's lists merged into one least-slack edge per neighbouring
// S-blossom, and the least of those as bestEdge[b]. Leaves bestTo all NO again.
function mergeBestEdges (s: State, b: number, childs: readonly number[]): void {
  const { eu, ev, inBlossom, bestTo } = s
  const touched: number[] = []
  const consider = (e: number): void => {
    let j = ev[e]!
    if (inBlossom[j] === b) j = eu[e]!
    const bj = inBlossom[j]!
    if (bj !== b && s.label[bj] === S_LABEL) {
      const current = bestTo[bj]!
      if (current === NO) {
        touched.push(bj)
        bestTo[bj] = e
      } else if (slack(s, e) < slack(s, current)) {
        bestTo[bj] = e
      }
    }
  }
  for (const child of childs) {
    const own = s.blossomBestEdges[child]
    if (own === null || own === undefined) {
      for (const x of leaves(s, child)) {
        for (let i = s.adjStart[x]!; i < s.adjStart[x + 1]!; i++) consider(s.adj[i]! >> 1)
      }
    } else {
      for (const e of own) consider(e)
    }
    s.blossomBestEdges[child] = null
    s.bestEdge[child] = NO
  }
  const merged: number[] = []
  let best = NO
  for (const bj of touched) {
    const e = bestTo[bj]!
    bestTo[bj] = NO
    merged.push(e)
    if (best === NO || slack(s, e) < slack(s, best)) best = e
  }
  s.blossomBestEdges[b] = merged
  s.bestEdge[b] = best
}

// Dissolves blossom b into its children (recursively for spent children at the end of a stage) and frees its
// number. Mid-stage, a T-blossom's children are relabelled so the alternating tree stays valid.
function expandBlossom (s: State, b: number, endStage: boolean): void {
  const childs = s.blossomChilds[b]!
  for (const c of childs) {
    s.blossomParent[c] = NO
    if (c < s.n) {
      s.inBlossom[c] = c
    } else if (endStage && s.dual[c] === 0) {
      expandBlossom(s, c, endStage)
    } else {
      for (const x of leaves(s, c)) s.inBlossom[x] = c
    }
  }
  if (!endStage && s.label[b] === T_LABEL) relabelExpandedChildren(s, b)
  s.label[b] = UNLABELED
  s.labelEnd[b] = NO
  s.blossomChilds[b] = null
  s.blossomEndps[b] = null
  s.blossomBase[b] = NO
  s.blossomBestEdges[b] = null
  s.bestEdge[b] = NO
  s.unusedBlossoms.push(b)
}

// For a T-blossom b just expanded mid-stage: the even-length path of children from the entry child to the base
// takes b's place in the tree (alternately T and S); the other children become unlabeled, or T if reachable.
function relabelExpandedChildren (s: State, b: number): void {
  const { label, labelEnd, allowEdge } = s
  const childs = s.blossomChilds[b]!
  const endps = s.blossomEndps[b]!
  const entryChild = s.inBlossom[endpoint(s, labelEnd[b]! ^ 1)]!
  let { j, step, trick } = towardsBase(childs.indexOf(entryChild), childs.length)
  let p = labelEnd[b]!
  while (j !== 0) {
    label[endpoint(s, p ^ 1)] = UNLABELED
    label[endpoint(s, at(endps, j - trick) ^ trick ^ 1)] = UNLABELED
    assignLabel(s, endpoint(s, p ^ 1), T_LABEL, p)
    allowEdge[at(endps, j - trick) >> 1] = 1
    j += step
    p = at(endps, j - trick) ^ trick
    allowEdge[p >> 1] = 1
    j += step
  }
  const bv = at(childs, j)
  label[endpoint(s, p ^ 1)] = label[bv] = T_LABEL
  labelEnd[endpoint(s, p ^ 1)] = labelEnd[bv] = p
  s.bestEdge[bv] = NO
  j += step
  while (at(childs, j) !== entryChild) {
    const sub = at(childs, j)
    j += step
    if (label[sub] === S_LABEL) continue
    let reached = NO
    for (const x of leaves(s, sub)) {
      if (label[x] !== UNLABELED) {
        reached = x
        break
      }
    }
    if (reached !== NO) {
      label[reached] = UNLABELED
      label[endpoint(s, s.mate[s.blossomBase[sub]!]!)] = UNLABELED
      assignLabel(s, reached, T_LABEL, labelEnd[reached]!)
    }
  }
}

// Swaps matched and unmatched edges along the even path inside blossom b from vertex v to the base, making
// v the new base. Edges inside b stay tight, so the duals stay feasible.
function augmentBlossom (s: State, b: number, v: number): void {
  let t = v
  while (s.blossomParent[t] !== b) t = s.blossomParent[t]!
  if (t >= s.n) augmentBlossom(s, t, v)
  const childs = s.blossomChilds[b]!
  const endps = s.blossomEndps[b]!
  const i = childs.indexOf(t)
  let { j, step, trick } = towardsBase(i, childs.length)
  while (j !== 0) {
    j += step
    t = at(childs, j)
    const p = at(endps, j - trick) ^ trick
    if (t >= s.n) augmentBlossom(s, t, endpoint(s, p))
    j += step
    t = at(childs, j)
    if (t >= s.n) augmentBlossom(s, t, endpoint(s, p ^ 1))
    s.mate[endpoint(s, p)] = p ^ 1
    s.mate[endpoint(s, p ^ 1)] = p
  }
  s.blossomChilds[b] = childs.slice(i).concat(childs.slice(0, i))
  s.blossomEndps[b] = endps.slice(i).concat(endps.slice(0, i))
  s.blossomBase[b] = s.blossomBase[s.blossomChilds[b]![0]!]!
}

// Flips the augmenting path through tight edge k, from each end back to its tree's root: one more matched edge.
function augmentMatching (s: State, k: number): void {
  const { inBlossom, labelEnd, mate } = s
  const starts: [number, number][] = [[s.eu[k]!, 2 * k + 1], [s.ev[k]!, 2 * k]]
  for (const [start, firstP] of starts) {
    let v = start
    let p = firstP
    for (;;) {
      const bs = inBlossom[v]!
      if (bs >= s.n) augmentBlossom(s, bs, v)
      mate[v] = p
      if (labelEnd[bs] === NO) break
      const bt = inBlossom[endpoint(s, labelEnd[bs]!)]!
      v = endpoint(s, labelEnd[bt]!)
      const j = endpoint(s, labelEnd[bt]! ^ 1)
      if (bt >= s.n) augmentBlossom(s, bt, j)
      mate[j] = labelEnd[bt]!
      p = labelEnd[bt]! ^ 1
    }
  }
}

// What limits a dual step, and so what follows it:
/** a vertex dual reaches zero: the matching is optimal (with maxCardinality: no augmenting path is left); */
const OPTIMAL = 1
/** an edge from an S-vertex to an unlabelled vertex becomes tight: the tree can grow; */
const GROW_EDGE = 2
/** an edge between two S-blossoms becomes tight: a new blossom or an augmenting path; */
const S_EDGE = 3
/** a T-blossom's dual reaches zero: it must be expanded. */
const EXPAND_T = 4
type StepKind = typeof OPTIMAL | typeof GROW_EDGE | typeof S_EDGE | typeof EXPAND_T

interface DualStep {
  kind: StepKind
  delta: number
  edge: number
  blossom: number
}

// The largest dual change that keeps every edge's slack >= 0 and every blossom dual >= 0, and what limits it.
function chooseDualStep (s: State, maxCardinality: boolean): DualStep {
  const { n, label, inBlossom, bestEdge, blossomParent, dual } = s
  const step: DualStep = { kind: OPTIMAL, delta: Infinity, edge: NO, blossom: NO }
  let found = false
  const offer = (kind: StepKind, delta: number, edge: number, blossom: number): void => {
    if (found && delta >= step.delta) return
    found = true
    step.kind = kind
    step.delta = delta
    step.edge = edge
    step.blossom = blossom
  }
  if (!maxCardinality) offer(OPTIMAL, smallestVertexDual(s), NO, NO)
  for (let v = 0; v < n; v++) {
    if (label[inBlossom[v]!] === UNLABELED && bestEdge[v] !== NO) offer(GROW_EDGE, slack(s, bestEdge[v]!), bestEdge[v]!, NO)
  }
  for (let b = 0; b < 2 * n; b++) {
    if (blossomParent[b] === NO && label[b] === S_LABEL && bestEdge[b] !== NO) {
      offer(S_EDGE, slack(s, bestEdge[b]!) / 2, bestEdge[b]!, NO)
    }
  }
  for (let b = n; b < 2 * n; b++) {
    if (s.blossomBase[b]! >= 0 && blossomParent[b] === NO && label[b] === T_LABEL) offer(EXPAND_T, dual[b]!, NO, b)
  }
  // Only with maxCardinality: no augmenting path is left at all. Finish with a last harmless step.
  if (!found) offer(OPTIMAL, Math.max(0, smallestVertexDual(s)), NO, NO)
  return step
}

function smallestVertexDual (s: State): number {
  let smallest = Infinity
  for (let v = 0; v < s.n; v++) if (s.dual[v]! < smallest) smallest = s.dual[v]!
  return smallest
}

// Moves the duals by step.delta (S down, T up; blossoms the other way), then acts on what limited the step.
// Returns false when the step proved the matching optimal.
function applyDualStep (s: State, step: DualStep): boolean {
  const { n, label, inBlossom, dual, eu, ev } = s
  const delta = step.delta
  for (let v = 0; v < n; v++) {
    const l = label[inBlossom[v]!]
    if (l === S_LABEL) dual[v]! -= delta
    else if (l === T_LABEL) dual[v]! += delta
  }
  for (let b = n; b < 2 * n; b++) {
    if (s.blossomBase[b]! >= 0 && s.blossomParent[b] === NO) {
      if (label[b] === S_LABEL) dual[b]! += delta
      else if (label[b] === T_LABEL) dual[b]! -= delta
    }
  }
  switch (step.kind) {
    case OPTIMAL:
      return false
    case GROW_EDGE: {
      s.allowEdge[step.edge] = 1
      const i = label[inBlossom[eu[step.edge]!]!] === UNLABELED ? ev[step.edge]! : eu[step.edge]!
      s.queue.push(i)
      return true
    }
    case S_EDGE:
      s.allowEdge[step.edge] = 1
      s.queue.push(eu[step.edge]!)
      return true
    case EXPAND_T:
      expandBlossom(s, step.blossom, false)
      return true
  }
}

// After an augmentation: S-blossoms whose dual reached zero can be dissolved; keeping them would only slow
// later stages.
function expandSpentBlossoms (s: State): void {
  for (let b = s.n; b < 2 * s.n; b++) {
    if (s.blossomParent[b] === NO && s.blossomBase[b]! >= 0 && s.label[b] === S_LABEL && s.dual[b] === 0) {
      expandBlossom(s, b, true)
    }
  }
}
