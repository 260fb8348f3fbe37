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
 */
export function maxCardinalityMatching (n: number, start: Int32Array, targets: Int32Array): Int32Array {
  const mate = new Int32Array(n).fill(NO)
  greedy(n, start, targets, mate)
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
// few dozen vertices, and there can be hundreds of them on a 10⁴-vertex graph.
interface Search {
  readonly start: Int32Array
  readonly targets: Int32Array
  readonly mate: Int32Array
  /** The alternating tree: parent[v] is the vertex v was reached from (for odd vertices), or NO. */
  readonly parent: Int32Array
  /** The base of the contracted blossom holding v (v itself when none). */
  readonly base: Int32Array
  readonly inQueue: Uint8Array
  readonly seen: Uint8Array
  readonly touched: number[]
  readonly queue: number[]
  readonly lcaMark: Int32Array
  lcaStamp: number
  readonly blossomMark: Int32Array
  blossomStamp: number
}

function augmentAll (n: number, start: Int32Array, targets: Int32Array, mate: Int32Array): void {
  const base = new Int32Array(n)
  for (let v = 0; v < n; v++) base[v] = v
  const s: Search = {
    start,
    targets,
    mate,
    parent: new Int32Array(n).fill(NO),
    base,
    inQueue: new Uint8Array(n),
    seen: new Uint8Array(n),
    touched: [],
    queue: [],
    lcaMark: new Int32Array(n),
    lcaStamp: 0,
    blossomMark: new Int32Array(n),
    blossomStamp: 0
  }
  for (let root = 0; root < n; root++) {
    if (mate[root] !== NO || start[root + 1] === start[root]) continue
    const end = search(s, root)
    if (end !== NO) augmentTo(s, end)
    resetSearch(s)
    // A vertex with no augmenting path now never gets one later (a classical property of Edmonds' method), so
    // one search per free vertex suffices.
  }
}

// Breadth-first alternating tree from a free root; returns the free vertex that ends an augmenting path, or NO.
function search (s: Search, root: number): number {
  const { start, targets, mate, parent, base, inQueue, queue } = s
  queue.length = 0
  let head = 0
  touch(s, root)
  inQueue[root] = 1
  queue.push(root)
  while (head < queue.length) {
    const v = queue[head++]!
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const to = targets[i]!
      if (base[v] === base[to] || mate[v] === to) continue
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

// Edge v-to closes an odd cycle: every vertex of it takes the cycle's base, and its even vertices are queued.
function contractBlossom (s: Search, v: number, to: number): void {
  const { base, inQueue, queue, touched, blossomMark } = s
  const current = lca(s, v, to)
  s.blossomStamp++
  markPath(s, v, current, to)
  markPath(s, to, current, v)
  for (let t = 0; t < touched.length; t++) {
    const x = touched[t]!
    if (blossomMark[base[x]!] === s.blossomStamp) {
      base[x] = current
      if (inQueue[x] === 0) {
        inQueue[x] = 1
        queue.push(x)
      }
    }
  }
}

// The base where the tree paths from a and b to the root meet.
function lca (s: Search, a: number, b: number): number {
  const { base, mate, parent, lcaMark } = s
  const stamp = ++s.lcaStamp
  for (;;) {
    a = base[a]!
    lcaMark[a] = stamp
    if (mate[a] === NO) break
    a = parent[mate[a]!]!
  }
  for (;;) {
    b = base[b]!
    if (lcaMark[b] === stamp) return b
    b = parent[mate[b]!]!
  }
}

// Marks the blossoms on the path from v up to base b, pointing parents across the new cycle edge.
function markPath (s: Search, v: number, b: number, child: number): void {
  const { base, mate, parent, blossomMark } = s
  while (base[v] !== b) {
    blossomMark[base[v]!] = s.blossomStamp
    blossomMark[base[mate[v]!]!] = s.blossomStamp
    parent[v] = child
    touch(s, v)
    child = mate[v]!
    v = parent[mate[v]!]!
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
    s.base[x] = x
    s.inQueue[x] = 0
    s.seen[x] = 0
  }
  s.touched.length = 0
}
