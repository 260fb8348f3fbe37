// Open-addressing hash table from an unordered pair of small integers to a round (for blocks, which come as a list of
// pairs; who met whom is kept per person in context.ts). A Map with numeric pair keys spends most of its time boxing
// keys beyond the small-integer range. A slot is three adjacent Int32s (lo, hi, round), so a lookup costs one cache
// miss, and the table is at most 3/4 full.

const EMPTY = -1

export class PairTable {
  private slots: Int32Array
  private mask: number
  size = 0

  constructor (expected = 16) {
    let capacity = 16
    while (capacity * 3 < expected * 4) capacity *= 2
    this.mask = capacity - 1
    this.slots = new Int32Array(3 * capacity).fill(EMPTY)
  }

  // The slot (an index into slots, a multiple of 3) holding the pair, or the empty one where it would go.
  private slot (lo: number, hi: number): number {
    const { slots, mask } = this
    // Multiplying alone leaves the low bits (the ones the mask keeps) depending on the low bits of the ids only.
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d)
    let i = (h ^ (h >>> 12)) & mask
    for (;;) {
      const at = 3 * i
      const key = slots[at]!
      if (key === EMPTY || (key === lo && slots[at + 1] === hi)) return at
      i = (i + 1) & mask
    }
  }

  /** Records that a and b (ids 0..2³¹) met in `round` (an integer that fits 32 bits). */
  add (a: number, b: number, round: number): void {
    if ((round | 0) !== round) throw new RangeError(`round must be a 32-bit integer, got ${round}`)
    const lo = a < b ? a : b
    const hi = a < b ? b : a
    let at = this.slot(lo, hi)
    if (this.slots[at] === EMPTY) {
      if ((this.size + 1) * 4 > (this.mask + 1) * 3) {
        this.grow()
        at = this.slot(lo, hi)
      }
      this.slots[at] = lo
      this.slots[at + 1] = hi
      this.slots[at + 2] = round
      this.size++
      return
    }
    if (round > this.slots[at + 2]!) this.slots[at + 2] = round
  }

  /** The last round a and b met, or undefined. */
  lastMet (a: number, b: number): number | undefined {
    const at = a < b ? this.slot(a, b) : this.slot(b, a)
    return this.slots[at] === EMPTY ? undefined : this.slots[at + 2]
  }

  has (a: number, b: number): boolean {
    return this.size > 0 && this.lastMet(a, b) !== undefined
  }

  forEach (fn: (a: number, b: number, lastRound: number) => void): void {
    const { slots } = this
    for (let at = 0; at < slots.length; at += 3) if (slots[at] !== EMPTY) fn(slots[at]!, slots[at + 1]!, slots[at + 2]!)
  }

  private grow (): void {
    const old = this.slots
    const capacity = (this.mask + 1) * 2
    this.mask = capacity - 1
    this.slots = new Int32Array(3 * capacity).fill(EMPTY)
    for (let from = 0; from < old.length; from += 3) {
      if (old[from] === EMPTY) continue
      const at = this.slot(old[from]!, old[from + 1]!)
      this.slots[at] = old[from]!
      this.slots[at + 1] = old[from + 1]!
      this.slots[at + 2] = old[from + 2]!
    }
  }
}
