// Maximum-cardinality matching in a general graph (Edmonds' augmenting paths with blossom contraction, one
// breadth-first search per free vertex), seeded by a Karp–Sipser style greedy pass.
//
// The weighted algorithm uses it as a warm start on the subgraph of maximum-weight edges: on the large sparse
// candidate graphs of big programs almost every edge has the same weight, and finding the bulk of the
// matching here costs a few milliseconds where the primal–dual stages would spend seconds relabelling.

const NO = -1

/**
 * Graph in CSR form: the neighbours of v are targets[start[v]] .. targets[start[v + 1] - 1].
 * Returns mate (partner or -1). Vertex order breaks ties, so shuffle it upstream for a random choice.
 * Given `initial` (a matching of this graph), it is grown instead of a greedy one, and kept where it is maximum.
 */
export function maxCardinalityMatching (n: number, start: Int32Array, targets: Int32Array, initial?: Int32Array): Int32Array {
  let mate: Int32Array
  if (initial === undefined) {
    mate = new Int32Array(n).fill(NO)
    greedy(n, start, targets, mate)
  } else {
    mate = initial.slice()
  }
  augmentAll(n, start, targets, mate)
  return mate
}

// Degree-1 vertices are matched first (their only neighbour is then a safe choice), otherwise the neighbour with
// the fewest remaining options: on random sparse graphs this leaves very few free vertices for the search.
function greedy (n: number, start: Int32Array, targets: Int32Array, mate: Int32Array): void {
  const degree = new Int32Array(n)
  for (let v = 0; v < n; v++) degree[v] = start[v + 1]! - start[v]!
  const pending: number[] = []
  for (let v = 0; v < n; v++) if (degree[v] === 1) pending.push(v)

  const match = (u: number, v: number): void => {
    mate[u] = v
    mate[v] = u
    for (const x of [u, v]) {
      for (let i = start[x]!; i < start[x + 1]!; i++) {
        const y = targets[i]!
        if (mate[y] === NO && --degree[y]! === 1) pending.push(y)
      }
    }
  }

  const drain = (): void => {
    while (pending.length > 0) {
      const v = pending.pop()!
      if (mate[v] !== NO) continue
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const w = targets[i]!
        if (mate[w] === NO && w !== v) {
          match(v, w)
          break
        }
      }
    }
  }

  drain()
  for (let v = 0; v < n; v++) {
    if (mate[v] !== NO) continue
    let best = NO
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const w = targets[i]!
      if (mate[w] === NO && w !== v && (best === NO || degree[w]! < degree[best]!)) best = w
    }
    if (best !== NO) {
      match(v, best)
      drain()
    }
  }
}

// Per-search state is reset through the `touched` list instead of whole-array fills: most searches stop after a
// few dozen vertices, and there can be hundreds of them on a 10⁴-vertex graph. Blossoms are sets of a union–find
// (Gabow's organisation): a contraction merges the sets along the cycle instead of relabelling every vertex of the
// tree, so a search that fails (and so grows the tree over its whole component) costs about its edges, not the
// tree's size times the number of blossoms.
interface Search {
  readonly start: Int32Array
  readonly targets: Int32Array
  readonly mate: Int32Array
  /** The alternating tree: parent[v] is the vertex v was reached from (for odd vertices), or NO. */
  readonly parent: Int32Array
  /**
   * Union–find over contracted blossoms: link[v] === v for a set's root, and the root is the blossom's base (a
   * contraction links the cycle's other sets under the set of its base).
   */
  readonly link: Int32Array
  readonly inQueue: Uint8Array
  readonly seen: Uint8Array
  readonly touched: number[]
  readonly queue: number[]
  readonly lcaMark: Int32Array
  lcaStamp: number
}

function augmentAll (n: number, start: Int32Array, targets: Int32Array, mate: Int32Array): void {
  const link = new Int32Array(n)
  for (let v = 0; v < n; v++) link[v] = v
  const s: Search = {
    start,
    targets,
    mate,
    parent: new Int32Array(n).fill(NO),
    link,
    inQueue: new Uint8Array(n),
    seen: new Uint8Array(n),
    touched: [],
    queue: [],
    lcaMark: new Int32Array(n),
    lcaStamp: 0
  }
  // An augmenting path joins two free vertices of one connected component. A search that cannot succeed grows its
  // tree over the whole component, so it is skipped when the root is the last free vertex of its component still
  // in the running: on a graph split into parts of odd size (people in time zones that share no hour) those failing
  // searches were most of the time. Skipping them changes nothing: a failed search leaves the matching as it was.
  const component = components(n, start, targets)
  const free = new Int32Array(n)
  for (let v = 0; v < n; v++) if (mate[v] === NO) free[component[v]!]!++
  for (let root = 0; root < n; root++) {
    if (mate[root] !== NO || start[root + 1] === start[root] || free[component[root]!]! < 2) continue
    const end = search(s, root)
    if (end !== NO) augmentTo(s, end)
    resetSearch(s)
    // A vertex with no augmenting path now never gets one later (a classical property of Edmonds' method), so
    // one search per free vertex suffices, and a root whose search failed is out of the running for good.
    free[component[root]!]! -= end !== NO ? 2 : 1
  }
}

/** A label of each vertex's connected component (the first vertex found in it), by depth-first search. */
function components (n: number, start: Int32Array, targets: Int32Array): Int32Array {
  const component = new Int32Array(n).fill(NO)
  const stack = new Int32Array(n)
  for (let first = 0; first < n; first++) {
    if (component[first] !== NO) continue
    component[first] = first
    let top = 0
    stack[top++] = first
    while (top > 0) {
      const v = stack[--top]!
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const w = targets[i]!
        if (component[w] === NO) {
          component[w] = first
          stack[top++] = w
        }
      }
    }
  }
  return component
}

/** The base of the contracted blossom holding v (v itself when none); halves the path on the way. */
function baseOf (s: Search, v: number): number {
  const { link } = s
  while (link[v] !== v) {
    const up = link[link[v]!]!
    link[v] = up
    v = up
  }
  return v
}

// Breadth-first alternating tree from a free root; returns the free vertex that ends an augmenting path, or NO.
function search (s: Search, root: number): number {
  const { start, targets, mate, parent, inQueue, queue } = s
  queue.length = 0
  let head = 0
  touch(s, root)
  inQueue[root] = 1
  queue.push(root)
  while (head < queue.length) {
    const v = queue[head++]!
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const to = targets[i]!
      if (mate[v] === to || baseOf(s, v) === baseOf(s, to)) continue
      if (to === root || (mate[to] !== NO && parent[mate[to]!] !== NO)) {
        contractBlossom(s, v, to)
      } else if (parent[to] === NO) {
        parent[to] = v
        touch(s, to)
        if (mate[to] === NO) return to
        const next = mate[to]!
        touch(s, next)
        inQueue[next] = 1
        queue.push(next)
      }
    }
  }
  return NO
}

// Edge v-to closes an odd cycle: the blossoms on it merge into one with the cycle's base, and its odd vertices
// (the only ones not queued yet: every vertex of an earlier blossom is even) are queued.
function contractBlossom (s: Search, v: number, to: number): void {
  const current = lca(s, v, to)
  markPath(s, v, current, to)
  markPath(s, to, current, v)
}

// The base where the tree paths from a and b to the root meet.
function lca (s: Search, a: number, b: number): number {
  const { mate, parent, lcaMark } = s
  const stamp = ++s.lcaStamp
  for (;;) {
    a = baseOf(s, a)
    lcaMark[a] = stamp
    if (mate[a] === NO) break
    a = parent[mate[a]!]!
  }
  for (;;) {
    b = baseOf(s, b)
    if (lcaMark[b] === stamp) return b
    b = parent[mate[b]!]!
  }
}

// Merges the blossoms on the path from v up to base b into b's, pointing parents across the new cycle edge.
function markPath (s: Search, v: number, b: number, child: number): void {
  const { mate, parent, link, inQueue, queue } = s
  for (;;) {
    const rv = baseOf(s, v)
    if (rv === b) break
    const m = mate[v]!
    parent[v] = child
    touch(s, v)
    link[rv] = b
    const rm = baseOf(s, m)
    if (rm !== b) link[rm] = b
    if (inQueue[m] === 0) {
      inQueue[m] = 1
      queue.push(m)
    }
    child = m
    v = parent[m]!
  }
}

function touch (s: Search, v: number): void {
  if (s.seen[v] === 0) {
    s.seen[v] = 1
    s.touched.push(v)
  }
}

// Flips the matched and unmatched edges on the tree path from the free vertex `end` to the root.
function augmentTo (s: Search, end: number): void {
  const { mate, parent } = s
  let v = end
  while (v !== NO) {
    const pv = parent[v]!
    const next = mate[pv]!
    mate[v] = pv
    mate[pv] = v
    v = next
  }
}

function resetSearch (s: Search): void {
  for (const x of s.touched) {
    s.parent[x] = NO
    s.link[x] = x
    s.inQueue[x] = 0
    s.seen[x] = 0
  }
  s.touched.length = 0
}
