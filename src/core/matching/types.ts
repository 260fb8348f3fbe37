import type { GroupHistory } from './history.js'
import type { Random } from './random.js'

export interface PastGroup {
  round: number
  members: readonly string[]
}

export interface MatchInput {
  /** Eligible user ids this round (duplicates are ignored). */
  people: readonly string[]
  /** The program's group size, 2..7. */
  groupSize: number
  /**
   * Earlier groups of this program, any order. Only groups of rounds before `round` count. A large history is best
   * given as a GroupHistory (history.ts), built from integer ids without an object per group.
   */
  history: readonly PastGroup[] | GroupHistory
  /** Pairs never to be grouped, in either direction. */
  blocks: readonly (readonly [string, string])[]
  /** This round's number. */
  round: number
  /** People who sat out the last round: they come first, for a seat and for the best seats (fair-turns.ts). */
  priority?: readonly string[]
  /**
   * Who can meet whom (working hours across time zones): people in classes, two classes meet or not. People in no
   * class fit anyone. Groups where some pair cannot meet come right after blocks among what the matcher avoids.
   */
  availability?: { classOf: ReadonlyMap<string, number>, overlap: (a: number, b: number) => boolean }
  /** Seeded source in [0, 1): the only randomness used. */
  random: Random
}

export interface MatchResult {
  /**
   * Groups of the sizes groupSizes(people, groupSize) gives, unless blocks forbid it or time zones that share no hour
   * need more groups of the same sizes (zone-plan.ts); ids as given.
   */
  groups: string[][]
  /** People nobody can be grouped with this round (a single eligible person, or blocks leave no group). */
  alone: string[]
  /** Pairs inside the groups that have met in an earlier round. */
  repeats: number
  /** Groups holding a pair whose working hours do not overlap (0 without `availability`). */
  apart: number
}
