import t, { type Test } from 'tap'
import { EdgeList, maxWeightMatching } from '../../../src/core/matching/blossom.js'
import { maxCardinalityMatching } from '../../../src/core/matching/cardinality.js'
import { createRandom, type Random } from '../../../src/core/matching/random.js'

type Edge = [number, number, number]

// Exhaustive optimum over all matchings: [edges, weight], compared lexicographically when maxCardinality.
function bruteForce (n: number, edges: readonly Edge[], maxCardinality: boolean): [number, number] {
  const adjacent: Edge[][] = Array.from({ length: n }, () => [])
  for (const e of edges) {
    adjacent[e[0]]!.push(e)
    adjacent[e[1]]!.push(e)
  }
  const memo = new Map<number, [number, number]>()
  const better = (x: [number, number], y: [number, number]): boolean =>
    maxCardinality ? x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]) : x[1] > y[1]
  const solve = (used: number): [number, number] => {
    if (used === (1 << n) - 1) return [0, 0]
    const cached = memo.get(used)
    if (cached !== undefined) return cached
    let v = 0
    while ((used & (1 << v)) !== 0) v++
    let best = solve(used | (1 << v))
    for (const [a, b, w] of adjacent[v]!) {
      const other = a === v ? b : a
      if ((used & (1 << other)) !== 0) continue
      const rest = solve(used | (1 << v) | (1 << other))
      const candidate: [number, number] = [rest[0] + 1, rest[1] + w]
      if (better(candidate, best)) best = candidate
    }
    memo.set(used, best)
    return best
  }
  return solve(0)
}

function randomGraph (random: Random, n: number, density: number, weights: () => number): Edge[] {
  const edges: Edge[] = []
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) if (random() < density) edges.push([a, b, weights()])
  }
  return edges
}

function toList (edges: readonly Edge[]): EdgeList {
  const list = new EdgeList()
  for (const [a, b, w] of edges) list.add(a, b, w)
  return list
}

// Checks mate is a matching over existing edges and returns [edges, weight] (best parallel edge per pair).
function measure (t: Test, n: number, edges: readonly Edge[], mate: Int32Array): [number, number] {
  const best = new Map<string, number>()
  for (const [a, b, w] of edges) {
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`
    best.set(key, Math.max(best.get(key) ?? -Infinity, w))
  }
  let count = 0
  let weight = 0
  for (let v = 0; v < n; v++) {
    const u = mate[v]!
    if (u < 0) continue
    if (mate[u] !== v) t.fail(`mate is not symmetric at ${v}`)
    if (v < u) {
      const w = best.get(`${v}-${u}`)
      if (w === undefined) t.fail(`matched ${v}-${u} without an edge`)
      count++
      weight += w ?? 0
    }
  }
  return [count, weight]
}

const weightSchemes: [string, (random: Random) => number][] = [
  ['all equal', () => 7],
  ['few distinct values (many ties)', (random) => 1 + Math.floor(random() * 3)],
  ['wide range', (random) => 1 + Math.floor(random() * 1000)],
  ['with zero and negative edges', (random) => Math.floor(random() * 12) - 3],
  ['layered like the matcher', (random) => (random() < 0.7 ? 1_000_000 + Math.floor(random() * 100) : 100 + Math.floor(random() * 900))]
]

t.test('maximum weight equals brute force on small random graphs', async (t) => {
  const random = createRandom(20240601)
  let checked = 0
  for (const [name, weight] of weightSchemes) {
    let mismatches = 0
    for (let i = 0; i < 400; i++) {
      const n = 1 + Math.floor(random() * 11)
      const edges = randomGraph(random, n, 0.15 + random() * 0.85, () => weight(random))
      for (const maxCardinality of [false, true]) {
        const mate = maxWeightMatching(n, toList(edges), { maxCardinality })
        const got = measure(t, n, edges, mate)
        const want = bruteForce(n, edges, maxCardinality)
        if (got[1] !== want[1] || (maxCardinality && got[0] !== want[0])) mismatches++
        checked++
      }
    }
    t.equal(mismatches, 0, `${name}: every result is optimal`)
  }
  t.equal(checked, weightSchemes.length * 800)
})

t.test('parallel edges: the heavier one counts', async (t) => {
  const edges: Edge[] = [[0, 1, 1], [0, 1, 10], [1, 2, 6], [2, 3, 1], [2, 3, 2]]
  const mate = maxWeightMatching(4, toList(edges))
  t.same([...mate], [1, 0, 3, 2])
  t.same(measure(t, 4, edges, mate), [2, 12])
})

t.test('classic blossom cases', async (t) => {
  // A triangle with a pendant: the odd cycle must be shrunk and expanded to reach the pendant.
  t.same([...maxWeightMatching(4, toList([[0, 1, 5], [1, 2, 5], [0, 2, 5], [2, 3, 6]]))], [1, 0, 3, 2])
  // Max cardinality beats weight: the heavy middle edge loses to two light ones.
  const path: Edge[] = [[0, 1, 1], [1, 2, 10], [2, 3, 1]]
  t.same([...maxWeightMatching(4, toList(path))], [-1, 2, 1, -1])
  t.same([...maxWeightMatching(4, toList(path), { maxCardinality: true })], [1, 0, 3, 2])
  // Nested blossoms that have to be expanded as T-blossoms (a known hard case for implementations).
  const nested: Edge[] = [[1, 2, 23], [1, 5, 22], [1, 6, 15], [2, 3, 25], [3, 4, 22], [4, 5, 25], [4, 8, 14], [5, 7, 13]]
  t.same(measure(t, 9, nested, maxWeightMatching(9, toList(nested))), bruteForce(9, nested, false))
  const nested2: Edge[] = [[1, 2, 45], [1, 5, 45], [2, 3, 50], [3, 4, 45], [4, 5, 50], [1, 6, 30], [3, 9, 35], [4, 8, 28], [5, 7, 26], [9, 10, 5]]
  t.same(measure(t, 11, nested2, maxWeightMatching(11, toList(nested2))), bruteForce(11, nested2, false))
})

t.test('empty, tiny and invalid input', async (t) => {
  t.same([...maxWeightMatching(0, new EdgeList())], [])
  t.same([...maxWeightMatching(3, new EdgeList())], [-1, -1, -1])
  t.same([...maxWeightMatching(2, toList([[0, 1, 3]]))], [1, 0])
  t.throws(() => maxWeightMatching(2, toList([[0, 2, 1]])), RangeError)
  t.throws(() => new EdgeList().add(1, 1, 1), RangeError)
})

t.test('warm start and cold start agree on larger graphs', async (t) => {
  const random = createRandom(7)
  for (let i = 0; i < 12; i++) {
    const n = 40 + Math.floor(random() * 60)
    const tiers = [1000, 1000, 1000, 400 + Math.floor(random() * 500)]
    const edges = randomGraph(random, n, 0.1 + random() * 0.3, () => tiers[Math.floor(random() * tiers.length)]!)
    const warm = measure(t, n, edges, maxWeightMatching(n, toList(edges), { maxCardinality: true }))
    const cold = measure(t, n, edges, maxWeightMatching(n, toList(edges), { maxCardinality: true, warmStart: false }))
    t.same(warm, cold, `graph ${i} (${n} vertices, ${edges.length} edges)`)
  }
})

t.test('maximum cardinality matching equals brute force', async (t) => {
  const random = createRandom(99)
  let mismatches = 0
  for (let i = 0; i < 600; i++) {
    const n = 1 + Math.floor(random() * 12)
    const edges = randomGraph(random, n, 0.1 + random() * 0.6, () => 1)
    const start = new Int32Array(n + 1)
    for (const [a, b] of edges) {
      start[a + 1]!++
      start[b + 1]!++
    }
    for (let v = 0; v < n; v++) start[v + 1]! += start[v]!
    const fill = start.slice(0, n)
    const targets = new Int32Array(2 * edges.length)
    for (const [a, b] of edges) {
      targets[fill[a]!++] = b
      targets[fill[b]!++] = a
    }
    const mate = maxCardinalityMatching(n, start, targets)
    if (measure(t, n, edges, mate)[0] !== bruteForce(n, edges, true)[0]) mismatches++
  }
  t.equal(mismatches, 0)
})

t.test('large sparse graph: perfect matching found quickly', async (t) => {
  const random = createRandom(3)
  const n = 10_000
  const list = new EdgeList()
  for (let a = 0; a < n; a++) {
    for (let d = 0; d < 4; d++) {
      const b = Math.floor(random() * n)
      if (b !== a) list.add(a, b, 5)
    }
  }
  const started = performance.now()
  const mate = maxWeightMatching(n, list, { maxCardinality: true })
  const elapsed = performance.now() - started
  t.equal(mate.filter((v) => v < 0).length, 0, 'everyone matched')
  t.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`)
})
