// Earlier groups in columns: each person's id once, groups as integer lists. A year of weekly rounds in an
// everyone-channel of 10⁵ people is 2.6·10⁶ groups; as PastGroup objects (an object, an array and two references
// each) they alone outgrow the service's 256 MB heap, and the matcher would look up 5.2·10⁶ ids in a Map to read
// them. Here they take 12 bytes per pair group, and each distinct id is looked up once per round.

import type { PastGroup } from './types.js'

export class GroupHistory {
  /** Everyone in some group, once each: members are indexes into this. */
  readonly ids: string[] = []
  private readonly indexOf = new Map<string, number>()
  private rounds: Int32Array<ArrayBuffer> = new Int32Array(16)
  // Group g's members are members[start[g]] .. members[start[g + 1] - 1].
  private start: Int32Array<ArrayBuffer> = new Int32Array(17)
  private members: Int32Array<ArrayBuffer> = new Int32Array(32)
  private groups = 0

  static from (groups: Iterable<PastGroup>): GroupHistory {
    const history = new GroupHistory()
    for (const group of groups) history.add(group)
    return history
  }

  /** The index of id in ids, added on first sight. */
  person (id: string): number {
    let index = this.indexOf.get(id)
    if (index === undefined) {
      index = this.ids.length
      this.indexOf.set(id, index)
      this.ids.push(id)
    }
    return index
  }

  add (group: PastGroup): void {
    this.addGroup(group.round, group.members.map((id) => this.person(id)))
  }

  /** A group of round `round` (an integer of 32 bits), its members as indexes from person(). */
  addGroup (round: number, members: ArrayLike<number>): void {
    if ((round | 0) !== round) throw new RangeError(`a round must be a 32-bit integer, got ${round}`)
    const g = this.groups
    if (g === this.rounds.length) {
      this.rounds = grown(this.rounds, 2 * g)
      this.start = grown(this.start, 2 * g + 1)
    }
    const from = this.start[g]!
    if (from + members.length > this.members.length) this.members = grown(this.members, Math.max(2 * this.members.length, from + members.length))
    for (let i = 0; i < members.length; i++) {
      const x = members[i]!
      if (!(x >= 0 && x < this.ids.length)) throw new RangeError(`member ${x} is not an index from person()`)
      this.members[from + i] = x
    }
    this.rounds[g] = round
    this.start[g + 1] = from + members.length
    this.groups = g + 1
  }

  get size (): number {
    return this.groups
  }

  /** The groups as read-only views: round of group g, and its members members[start[g]] .. members[start[g + 1] - 1]. */
  columns (): { rounds: Int32Array, start: Int32Array, members: Int32Array } {
    return {
      rounds: this.rounds.subarray(0, this.groups),
      start: this.start.subarray(0, this.groups + 1),
      members: this.members.subarray(0, this.start[this.groups])
    }
  }
}

function grown (array: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size)
  next.set(array)
  return next
}
