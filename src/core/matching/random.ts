// Seeded randomness for the matcher. Everything random in matching flows from a `() => number` the caller
// passes in, so a round can be replayed exactly; the helpers here only derive further seeded streams.

export type Random = () => number

// splitmix32 spreads a (possibly tiny, possibly sequential) seed over the whole state of sfc32, so seeds 1
// and 2 give unrelated streams.
function splitmix32 (seed: number): () => number {
  let state = seed | 0
  return () => {
    state = (state + 0x9e3779b9) | 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** A small, fast PRNG (sfc32) returning floats in [0, 1). The same seed always gives the same sequence. */
export function createRandom (seed: number): Random {
  const mix = splitmix32(Number.isFinite(seed) ? Math.trunc(seed) % 0x100000000 : 0)
  let a = mix()
  let b = mix()
  let c = mix()
  let d = mix()
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  // sfc32's first outputs are still correlated with the seed words; the reference discards a dozen.
  for (let i = 0; i < 12; i++) next()
  return next
}

/** 32-bit FNV-1a with a murmur finaliser: a stable hash of a string, for seeds derived from the input. */
export function hashString (text: string, hash = 0x811c9dc5): number {
  let h = hash >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** An integer in [0, bound). */
export function randomInt (random: Random, bound: number): number {
  // A caller-provided source may (wrongly) return exactly 1; clamping keeps the index in range anyway.
  return Math.min(bound - 1, Math.floor(random() * bound))
}

/** Fisher–Yates, in place. */
export function shuffleInPlace<T> (items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1)
    const tmp = items[i] as T
    items[i] = items[j] as T
    items[j] = tmp
  }
  return items
}
