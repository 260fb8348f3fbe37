// A round-robin schedule (the circle method) over the program's recent members. Greedy round-by-round
// matching can paint itself into a corner: after a few rounds the unused pairs no longer contain a perfect
// matching and a repeat becomes forced although n - 1 repeat-free rounds exist. Following a fixed
// 1-factorisation of the complete graph avoids that, so the pair matcher rewards the pairs of one factor.
//
// The schedule must be the same in every round without any stored state, so it is derived from the inputs
// alone: the members seen in the recent history plus this round's people, sorted, then shuffled with a seed
// hashed from that list. Someone skipping a round stays on the circle (they are in the recent history), so the
// factors keep their meaning while attendance varies.

import type { MatchContext } from './context.js'
import { createRandom, hashString, shuffleInPlace } from './random.js'

export interface CircleSchedule {
  /** Number of factors (rounds of a full cycle). */
  readonly factors: number
  /** The factor (0..factors - 1) holding the pair, by context index; -1 if either is not on the circle. */
  factorOf (a: number, b: number): number
  /** Pairs per factor. */
  readonly factorSize: number
  /** Context indexes of everyone on the circle. */
  readonly members: readonly number[]
}

export function circleSchedule (ctx: MatchContext, windowRounds: number): CircleSchedule {
  const members: string[] = []
  for (let u = 0; u < ctx.universe.length; u++) {
    if (u < ctx.n || ctx.lastSeen[u]! >= ctx.round - windowRounds) members.push(ctx.universe[u]!)
  }
  members.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
  shuffleInPlace(members, createRandom(hashString(members.join('\u0001'))))

  // Circle method on an even number of seats: seat `infinity` is fixed, seats 0..q-1 rotate. An odd
  // membership leaves the last seat empty, which is the usual "bye".
  const seats = members.length + (members.length % 2)
  const q = seats - 1
  const infinity = q
  const half = (q + 1) / 2 // the inverse of 2 modulo the odd q
  const seatOf = new Int32Array(ctx.universe.length).fill(-1)
  for (const [seat, id] of members.entries()) seatOf[ctx.indexOf.get(id)!] = seat

  return {
    members: members.map((id) => ctx.indexOf.get(id)!),
    factors: q,
    factorSize: seats / 2,
    factorOf (a, b) {
      const sa = seatOf[a]!
      const sb = seatOf[b]!
      if (sa < 0 || sb < 0) return -1
      // Factor r pairs infinity with seat r and seat r - i with seat r + i, so a + b = 2r (mod q).
      if (sa === infinity) return sb
      if (sb === infinity) return sa
      return ((sa + sb) * half) % q
    }
  }
}
