// Open-addressing hash table from an unordered pair of small integers to the last round they met. A year of weekly
// rounds in a 10⁴-person program is ~2.6·10⁵ pairs; a Map with numeric pair keys spends most of its time
// boxing keys beyond the small-integer range, this spends a few milliseconds.

export class PairTable {
  private lo: Int32Array
  private hi: Int32Array
  private last: Float64Array
  private mask: number
  size = 0

  constructor (expected = 16) {
    let capacity = 16
    while (capacity < expected * 2) capacity *= 2
    this.mask = capacity - 1
    this.lo = new Int32Array(capacity).fill(-1)
    this.hi = new Int32Array(capacity)
    this.last = new Float64Array(capacity)
  }

  private slot (a: number, b: number): number {
    const lo = a < b ? a : b
    const hi = a < b ? b : a
    // Multiplying alone leaves the low bits (the ones the mask keeps) depending on the low bits of the ids only.
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d)
    let i = (h ^ (h >>> 12)) & this.mask
    for (;;) {
      const key = this.lo[i]!
      if (key === -1 || (key === lo && this.hi[i] === hi)) return i
      i = (i + 1) & this.mask
    }
  }

  /** Records that a and b met in `round`. */
  add (a: number, b: number, round: number): void {
    let i = this.slot(a, b)
    if (this.lo[i] === -1) {
      if ((this.size + 1) * 2 > this.mask + 1) {
        this.grow()
        i = this.slot(a, b)
      }
      this.lo[i] = a < b ? a : b
      this.hi[i] = a < b ? b : a
      this.last[i] = round
      this.size++
      return
    }
    if (round > this.last[i]!) this.last[i] = round
  }

  /** The last round a and b met, or undefined. */
  lastMet (a: number, b: number): number | undefined {
    const i = this.slot(a, b)
    return this.lo[i] === -1 ? undefined : this.last[i]
  }

  forEach (fn: (a: number, b: number, lastRound: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.lo[i] !== -1) fn(this.lo[i]!, this.hi[i]!, this.last[i]!)
  }

  private grow (): void {
    const { lo, hi, last } = this
    const capacity = (this.mask + 1) * 2
    this.mask = capacity - 1
    this.lo = new Int32Array(capacity).fill(-1)
    this.hi = new Int32Array(capacity)
    this.last = new Float64Array(capacity)
    for (let i = 0; i < lo.length; i++) {
      if (lo[i] === -1) continue
      const j = this.slot(lo[i]!, hi[i]!)
      this.lo[j] = lo[i]!
      this.hi[j] = hi[i]!
      this.last[j] = last[i]!
    }
  }
}
