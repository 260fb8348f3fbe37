// Maximum-weight matching in a general graph: Edmonds' blossom algorithm in its primal–dual form
// (Edmonds 1965; the O(n³) organisation with per-blossom best edges follows Galil, "Efficient algorithms for
// finding maximum matching in graphs", 1986). Written for this project from those descriptions.
//
// Conventions. Edge k joins eu[k] and ev[k]; its two "endpoints" are p = 2k (the eu side) and p = 2k + 1 (the ev
// side), so p ^ 1 is the other end of the same edge and p >> 1 is the edge. Vertices are 0..n-1, non-trivial
// blossoms n..2n-1. Dual variables are stored doubled (a vertex starts at maxWeight instead of maxWeight / 2)
// and slack(k) = dual[u] + dual[v] - 2w, so integer weights keep every quantity an integer: equality tests
// on slack are exact. Callers must pass integer weights well below 2^53 / n.

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
  const n = vertexCount
  const m = edges.count
  const eu = edges.u
  const ev = edges.v
  const ew = edges.w
  const partner = new Int32Array(n).fill(NO)
  if (n < 2 || m === 0) return partner
  const maxCardinality = options.maxCardinality === true

  let maxWeight = 0
  for (let k = 0; k < m; k++) {
    const a = eu[k]!
    const b = ev[k]!
    if (a < 0 || b < 0 || a >= n || b >= n || a === b) throw new RangeError(`edge ${k} (${a}, ${b}) is not in 0..${n - 1}`)
    if (ew[k]! > maxWeight) maxWeight = ew[k]!
  }

  const endpoint = (p: number): number => (p & 1) === 0 ? eu[p >> 1]! : ev[p >> 1]!

  // Adjacency in CSR form; entries are the *remote* endpoints, so endpoint(entry) is the neighbour.
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

  // mate[v] is the remote endpoint of v's matched edge (so endpoint(mate[v]) is the partner), or NO.
  const mate = new Int32Array(n).fill(NO)
  // label and labelEnd are kept for vertices and for top-level blossoms; labelEnd is the endpoint through which
  // the label was given (the edge towards the root of the alternating tree), NO for roots.
  const label = new Int8Array(2 * n)
  const labelEnd = new Int32Array(2 * n).fill(NO)
  const inBlossom = new Int32Array(n)
  for (let v = 0; v < n; v++) inBlossom[v] = v
  const blossomParent = new Int32Array(2 * n).fill(NO)
  const blossomChilds: (number[] | null)[] = new Array<number[] | null>(2 * n).fill(null)
  // blossomEndps[b][i] is the endpoint of the edge joining child i to child i + 1 (cyclically), seen from child i.
  const blossomEndps: (number[] | null)[] = new Array<number[] | null>(2 * n).fill(null)
  const blossomBase = new Int32Array(2 * n).fill(NO)
  for (let v = 0; v < n; v++) blossomBase[v] = v
  // Least-slack edge from a vertex / S-blossom to a different S-blossom: what the dual update needs to know.
  const bestEdge = new Int32Array(2 * n).fill(NO)
  const blossomBestEdges: (number[] | null)[] = new Array<number[] | null>(2 * n).fill(null)
  const unusedBlossoms: number[] = []
  for (let b = 2 * n - 1; b >= n; b--) unusedBlossoms.push(b)
  const dual = new Float64Array(2 * n)
  for (let v = 0; v < n; v++) dual[v] = maxWeight
  const allowEdge = new Uint8Array(m)
  const bestTo = new Int32Array(2 * n).fill(NO)
  const queue: number[] = []

  const slack = (k: number): number => dual[eu[k]!]! + dual[ev[k]!]! - 2 * ew[k]!

  const leaves = (b: number): number[] => {
    if (b < n) return [b]
    const out: number[] = []
    const stack = [b]
    while (stack.length > 0) {
      const x = stack.pop()!
      if (x < n) out.push(x)
      else for (const c of blossomChilds[x]!) stack.push(c)
    }
    return out
  }

  const assignLabel = (w: number, t: number, p: number): void => {
    // Iterative: labelling a T-blossom immediately labels its mate S, which can chain.
    for (;;) {
      const b = inBlossom[w]!
      label[w] = label[b] = t
      labelEnd[w] = labelEnd[b] = p
      bestEdge[w] = bestEdge[b] = NO
      if (t === S_LABEL) {
        for (const v of leaves(b)) queue.push(v)
        return
      }
      const base = blossomBase[b]!
      const mateEnd = mate[base]!
      w = endpoint(mateEnd)
      t = S_LABEL
      p = mateEnd ^ 1
    }
  }

  // Walks up from v and w alternately; returns the base of the blossom the edge v-w closes, or NO when the two
  // trees have different roots (an augmenting path).
  const scanBlossom = (v: number, w: number): number => {
    const path: number[] = []
    let base = NO
    while (v !== NO || w !== NO) {
      if (v !== NO) {
        let b = inBlossom[v]!
        if ((label[b]! & BREADCRUMB) !== 0) {
          base = blossomBase[b]!
          break
        }
        path.push(b)
        label[b] = S_LABEL | BREADCRUMB
        if (labelEnd[b] === NO) {
          v = NO
        } else {
          v = endpoint(labelEnd[b]!)
          b = inBlossom[v]!
          v = endpoint(labelEnd[b]!)
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

  const addBlossom = (base: number, k: number): void => {
    let v = eu[k]!
    let w = ev[k]!
    const bb = inBlossom[base]!
    let bv = inBlossom[v]!
    let bw = inBlossom[w]!
    const b = unusedBlossoms.pop()!
    blossomBase[b] = base
    blossomParent[b] = NO
    blossomParent[bb] = b
    const childs: number[] = []
    const endps: number[] = []
    while (bv !== bb) {
      blossomParent[bv] = b
      childs.push(bv)
      endps.push(labelEnd[bv]!)
      v = endpoint(labelEnd[bv]!)
      bv = inBlossom[v]!
    }
    childs.push(bb)
    childs.reverse()
    endps.reverse()
    endps.push(2 * k)
    while (bw !== bb) {
      blossomParent[bw] = b
      childs.push(bw)
      endps.push(labelEnd[bw]! ^ 1)
      w = endpoint(labelEnd[bw]!)
      bw = inBlossom[w]!
    }
    blossomChilds[b] = childs
    blossomEndps[b] = endps
    label[b] = S_LABEL
    labelEnd[b] = labelEnd[bb]!
    dual[b] = 0
    for (const x of leaves(b)) {
      // Former T-vertices are S now and must be scanned.
      if (label[inBlossom[x]!] === T_LABEL) queue.push(x)
      inBlossom[x] = b
    }
    // Merge the children's best-edge lists into one per neighbouring S-blossom.
    const touched: number[] = []
    const consider = (e: number): void => {
      let j = ev[e]!
      if (inBlossom[j] === b) j = eu[e]!
      const bj = inBlossom[j]!
      if (bj !== b && label[bj] === S_LABEL) {
        const current = bestTo[bj]!
        if (current === NO) {
          touched.push(bj)
          bestTo[bj] = e
        } else if (slack(e) < slack(current)) {
          bestTo[bj] = e
        }
      }
    }
    for (const child of childs) {
      const own = blossomBestEdges[child]
      if (own === null || own === undefined) {
        for (const x of leaves(child)) {
          for (let i = adjStart[x]!; i < adjStart[x + 1]!; i++) consider(adj[i]! >> 1)
        }
      } else {
        for (const e of own) consider(e)
      }
      blossomBestEdges[child] = null
      bestEdge[child] = NO
    }
    const merged: number[] = []
    let best = NO
    for (const bj of touched) {
      const e = bestTo[bj]!
      bestTo[bj] = NO
      merged.push(e)
      if (best === NO || slack(e) < slack(best)) best = e
    }
    blossomBestEdges[b] = merged
    bestEdge[b] = best
  }

  const expandBlossom = (b: number, endStage: boolean): void => {
    const childs = blossomChilds[b]!
    const endps = blossomEndps[b]!
    for (const s of childs) {
      blossomParent[s] = NO
      if (s < n) {
        inBlossom[s] = s
      } else if (endStage && dual[s] === 0) {
        expandBlossom(s, endStage)
      } else {
        for (const x of leaves(s)) inBlossom[x] = s
      }
    }
    if (!endStage && label[b] === T_LABEL) {
      // A T-blossom expanded mid-stage: relabel the even-length path of children from the entry child to the
      // base so the alternating tree stays valid; the other children become unlabeled (or T if reachable).
      const entryChild = inBlossom[endpoint(labelEnd[b]! ^ 1)]!
      const len = childs.length
      let j = childs.indexOf(entryChild)
      let jStep: number
      let endpTrick: number
      if ((j & 1) !== 0) {
        j -= len
        jStep = 1
        endpTrick = 0
      } else {
        jStep = -1
        endpTrick = 1
      }
      const at = <T>(arr: T[], i: number): T => arr[i < 0 ? i + arr.length : i] as T
      let p = labelEnd[b]!
      while (j !== 0) {
        label[endpoint(p ^ 1)] = UNLABELED
        label[endpoint(at(endps, j - endpTrick) ^ endpTrick ^ 1)] = UNLABELED
        assignLabel(endpoint(p ^ 1), T_LABEL, p)
        allowEdge[at(endps, j - endpTrick) >> 1] = 1
        j += jStep
        p = at(endps, j - endpTrick) ^ endpTrick
        allowEdge[p >> 1] = 1
        j += jStep
      }
      const bv = at(childs, j)
      label[endpoint(p ^ 1)] = label[bv] = T_LABEL
      labelEnd[endpoint(p ^ 1)] = labelEnd[bv] = p
      bestEdge[bv] = NO
      j += jStep
      while (at(childs, j) !== entryChild) {
        const sub = at(childs, j)
        if (label[sub] === S_LABEL) {
          j += jStep
          continue
        }
        let reached = NO
        for (const x of leaves(sub)) {
          if (label[x] !== UNLABELED) {
            reached = x
            break
          }
        }
        if (reached !== NO) {
          label[reached] = UNLABELED
          label[endpoint(mate[blossomBase[sub]!]!)] = UNLABELED
          assignLabel(reached, T_LABEL, labelEnd[reached]!)
        }
        j += jStep
      }
    }
    label[b] = UNLABELED
    labelEnd[b] = NO
    blossomChilds[b] = null
    blossomEndps[b] = null
    blossomBase[b] = NO
    blossomBestEdges[b] = null
    bestEdge[b] = NO
    unusedBlossoms.push(b)
  }

  // Swaps matched and unmatched edges along the even path inside blossom b from vertex v to the base, making
  // v the new base.
  const augmentBlossom = (b: number, v: number): void => {
    let t = v
    while (blossomParent[t] !== b) t = blossomParent[t]!
    if (t >= n) augmentBlossom(t, v)
    const childs = blossomChilds[b]!
    const endps = blossomEndps[b]!
    const len = childs.length
    const at = <T>(arr: T[], i: number): T => arr[i < 0 ? i + len : i] as T
    const i = childs.indexOf(t)
    let j = i
    let jStep: number
    let endpTrick: number
    if ((i & 1) !== 0) {
      j -= len
      jStep = 1
      endpTrick = 0
    } else {
      jStep = -1
      endpTrick = 1
    }
    while (j !== 0) {
      j += jStep
      t = at(childs, j)
      const p = at(endps, j - endpTrick) ^ endpTrick
      if (t >= n) augmentBlossom(t, endpoint(p))
      j += jStep
      t = at(childs, j)
      if (t >= n) augmentBlossom(t, endpoint(p ^ 1))
      mate[endpoint(p)] = p ^ 1
      mate[endpoint(p ^ 1)] = p
    }
    blossomChilds[b] = childs.slice(i).concat(childs.slice(0, i))
    blossomEndps[b] = endps.slice(i).concat(endps.slice(0, i))
    blossomBase[b] = blossomBase[blossomChilds[b]![0]!]!
  }

  const augmentMatching = (k: number): void => {
    const starts: [number, number][] = [[eu[k]!, 2 * k + 1], [ev[k]!, 2 * k]]
    for (const [start, firstP] of starts) {
      let s = start
      let p = firstP
      for (;;) {
        const bs = inBlossom[s]!
        if (bs >= n) augmentBlossom(bs, s)
        mate[s] = p
        if (labelEnd[bs] === NO) break
        const t = endpoint(labelEnd[bs]!)
        const bt = inBlossom[t]!
        s = endpoint(labelEnd[bt]!)
        const j = endpoint(labelEnd[bt]! ^ 1)
        if (bt >= n) augmentBlossom(bt, j)
        mate[j] = labelEnd[bt]!
        p = labelEnd[bt]! ^ 1
      }
    }
  }

  // Warm start: with every vertex dual at maxWeight exactly the maximum-weight edges are tight, and any
  // matching of tight edges satisfies the invariants the stages maintain. A maximum-cardinality matching of
  // that subgraph is cheap to find and often already optimal; each edge it provides saves a whole stage.
  if (maxWeight > 0 && options.warmStart !== false) {
    const tightStart = new Int32Array(n + 1)
    for (let k = 0; k < m; k++) {
      if (ew[k] === maxWeight) {
        tightStart[eu[k]! + 1]!++
        tightStart[ev[k]! + 1]!++
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
        if (endpoint(p) === w && ew[p >> 1] === maxWeight) {
          mate[v] = p
          mate[w] = p ^ 1
          matchedEdges++
          break
        }
      }
    }
    // floor(n / 2) edges of the largest weight: nothing can weigh more or have more edges.
    if (matchedEdges === Math.floor(n / 2)) {
      for (let v = 0; v < n; v++) if (mate[v] !== NO) partner[v] = endpoint(mate[v]!)
      return partner
    }
  }

  for (;;) {
    // One stage: grow alternating trees from every free vertex until an augmentation or the duals say stop.
    label.fill(UNLABELED)
    bestEdge.fill(NO)
    for (let b = n; b < 2 * n; b++) blossomBestEdges[b] = null
    allowEdge.fill(0)
    queue.length = 0
    for (let v = 0; v < n; v++) {
      if (mate[v] === NO && label[inBlossom[v]!] === UNLABELED) assignLabel(v, S_LABEL, NO)
    }
    let augmented = false
    for (;;) {
      while (queue.length > 0 && !augmented) {
        const v = queue.pop()!
        for (let i = adjStart[v]!; i < adjStart[v + 1]!; i++) {
          const p = adj[i]!
          const k = p >> 1
          const w = endpoint(p)
          if (inBlossom[v] === inBlossom[w]) continue
          let kSlack = 0
          if (allowEdge[k] === 0) {
            kSlack = slack(k)
            if (kSlack <= 0) allowEdge[k] = 1
          }
          if (allowEdge[k] !== 0) {
            const bw = inBlossom[w]!
            if (label[bw] === UNLABELED) {
              assignLabel(w, T_LABEL, p ^ 1)
            } else if (label[bw] === S_LABEL) {
              const base = scanBlossom(v, w)
              if (base !== NO) {
                addBlossom(base, k)
              } else {
                augmentMatching(k)
                augmented = true
                break
              }
            } else if (label[w] === UNLABELED) {
              // w sits inside a T-blossom without a label of its own; remember how it was reached in case the
              // blossom is expanded later.
              label[w] = T_LABEL
              labelEnd[w] = p ^ 1
            }
          } else if (label[inBlossom[w]!] === S_LABEL) {
            const b = inBlossom[v]!
            if (bestEdge[b] === NO || kSlack < slack(bestEdge[b]!)) bestEdge[b] = k
          } else if (label[w] === UNLABELED) {
            if (bestEdge[w] === NO || kSlack < slack(bestEdge[w]!)) bestEdge[w] = k
          }
        }
      }
      if (augmented) break

      // Dual update: the largest step that keeps every edge's slack >= 0 and every blossom dual >= 0.
      let deltaType = NO
      let delta = 0
      let deltaEdge = NO
      let deltaBlossom = NO
      if (!maxCardinality) {
        deltaType = 1
        delta = Infinity
        for (let v = 0; v < n; v++) if (dual[v]! < delta) delta = dual[v]!
      }
      for (let v = 0; v < n; v++) {
        if (label[inBlossom[v]!] === UNLABELED && bestEdge[v] !== NO) {
          const d = slack(bestEdge[v]!)
          if (deltaType === NO || d < delta) {
            delta = d
            deltaType = 2
            deltaEdge = bestEdge[v]!
          }
        }
      }
      for (let b = 0; b < 2 * n; b++) {
        if (blossomParent[b] === NO && label[b] === S_LABEL && bestEdge[b] !== NO) {
          const d = slack(bestEdge[b]!) / 2
          if (deltaType === NO || d < delta) {
            delta = d
            deltaType = 3
            deltaEdge = bestEdge[b]!
          }
        }
      }
      for (let b = n; b < 2 * n; b++) {
        if (blossomBase[b]! >= 0 && blossomParent[b] === NO && label[b] === T_LABEL &&
            (deltaType === NO || dual[b]! < delta)) {
          delta = dual[b]!
          deltaType = 4
          deltaBlossom = b
        }
      }
      if (deltaType === NO) {
        // Only with maxCardinality: no augmenting path is left at all. Finish with a last harmless update.
        deltaType = 1
        delta = Infinity
        for (let v = 0; v < n; v++) if (dual[v]! < delta) delta = dual[v]!
        delta = Math.max(0, delta)
      }
      for (let v = 0; v < n; v++) {
        const l = label[inBlossom[v]!]
        if (l === S_LABEL) dual[v]! -= delta
        else if (l === T_LABEL) dual[v]! += delta
      }
      for (let b = n; b < 2 * n; b++) {
        if (blossomBase[b]! >= 0 && blossomParent[b] === NO) {
          if (label[b] === S_LABEL) dual[b]! += delta
          else if (label[b] === T_LABEL) dual[b]! -= delta
        }
      }
      if (deltaType === 1) {
        break
      } else if (deltaType === 2) {
        allowEdge[deltaEdge] = 1
        let i = eu[deltaEdge]!
        if (label[inBlossom[i]!] === UNLABELED) i = ev[deltaEdge]!
        queue.push(i)
      } else if (deltaType === 3) {
        allowEdge[deltaEdge] = 1
        queue.push(eu[deltaEdge]!)
      } else {
        expandBlossom(deltaBlossom, false)
      }
    }
    if (!augmented) break
    // S-blossoms whose dual reached zero can be dissolved now; keeping them would only slow later stages.
    for (let b = n; b < 2 * n; b++) {
      if (blossomParent[b] === NO && blossomBase[b]! >= 0 && label[b] === S_LABEL && dual[b] === 0) {
        expandBlossom(b, true)
      }
    }
  }

  for (let v = 0; v < n; v++) if (mate[v] !== NO) partner[v] = endpoint(mate[v]!)
  return partner
}
