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

function augmentAll (n: number, start: Int32Array, targets: Int32Array, mate: Int32Array): void {
  // Per-search state is reset through the `touched` list instead of whole-array fills: most searches stop
  // after a few dozen vertices, and there can be hundreds of them on a 10⁴-vertex graph.
  const parent = new Int32Array(n).fill(NO)
  const base = new Int32Array(n)
  for (let v = 0; v < n; v++) base[v] = v
  const inQueue = new Uint8Array(n)
  const seen = new Uint8Array(n)
  const touched: number[] = []
  const queue: number[] = []
  const lcaMark = new Int32Array(n)
  let lcaStamp = 0
  const blossomMark = new Int32Array(n)
  let blossomStamp = 0

  const touch = (v: number): void => {
    if (seen[v] === 0) {
      seen[v] = 1
      touched.push(v)
    }
  }

  const lca = (a: number, b: number): number => {
    lcaStamp++
    for (;;) {
      a = base[a]!
      lcaMark[a] = lcaStamp
      if (mate[a] === NO) break
      a = parent[mate[a]!]!
    }
    for (;;) {
      b = base[b]!
      if (lcaMark[b] === lcaStamp) return b
      b = parent[mate[b]!]!
    }
  }

  const markPath = (v: number, b: number, child: number): void => {
    while (base[v] !== b) {
      blossomMark[base[v]!] = blossomStamp
      blossomMark[base[mate[v]!]!] = blossomStamp
      parent[v] = child
      touch(v)
      child = mate[v]!
      v = parent[mate[v]!]!
    }
  }

  const search = (root: number): number => {
    queue.length = 0
    let head = 0
    touch(root)
    inQueue[root] = 1
    queue.push(root)
    while (head < queue.length) {
      const v = queue[head++]!
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const to = targets[i]!
        if (base[v] === base[to] || mate[v] === to) continue
        if (to === root || (mate[to] !== NO && parent[mate[to]!] !== NO)) {
          const current = lca(v, to)
          blossomStamp++
          markPath(v, current, to)
          markPath(to, current, v)
          for (let t = 0; t < touched.length; t++) {
            const x = touched[t]!
            if (blossomMark[base[x]!] === blossomStamp) {
              base[x] = current
              if (inQueue[x] === 0) {
                inQueue[x] = 1
                queue.push(x)
              }
            }
          }
        } else if (parent[to] === NO) {
          parent[to] = v
          touch(to)
          if (mate[to] === NO) return to
          const next = mate[to]!
          touch(next)
          inQueue[next] = 1
          queue.push(next)
        }
      }
    }
    return NO
  }

  for (let root = 0; root < n; root++) {
    if (mate[root] !== NO || start[root + 1] === start[root]) continue
    const end = search(root)
    if (end !== NO) {
      let v = end
      while (v !== NO) {
        const pv = parent[v]!
        const next = mate[pv]!
        mate[v] = pv
        mate[pv] = v
        v = next
      }
    }
    for (const x of touched) {
      parent[x] = NO
      base[x] = x
      inQueue[x] = 0
      seen[x] = 0
    }
    touched.length = 0
    // A vertex with no augmenting path now never gets one later (a classical property of Edmonds' method), so
    // one search per free vertex suffices.
  }
}
