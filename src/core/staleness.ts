// When a message Coffee owes is no longer worth sending. An intro (or "nobody to meet this time", or the channel's
// announcement) belongs to its round: once a newer round of the program exists, or half a cadence has gone by, sending it would introduce people
// a second time in one week, or too late to meet. A follow-up or reminder asks about a meeting; it stays useful
// after the next round starts (a pass sends it first on purpose), but never goes out for a group whose intro did not.
import { DAY_MS } from './durations.js'

export type Staleness = 'superseded' | 'expired'

/** The kinds that lapse with their round. */
export const ROUND_BOUND_KINDS = ['intro', 'alone', 'announce'] as const

export interface StalenessInput {
  kind: 'intro' | 'followup' | 'reminder' | 'alone' | 'autopause' | 'announce'
  round: { number: number, startedAt: Date, latestNumber: number }
  cadenceDays: number
  /** Follow-ups and reminders: the state of their group's intro. */
  introState?: string | null
}

/** The moment a round's intros stop being worth sending: half a cadence after the round started. */
export function introsExpireAt (startedAt: Date, cadenceDays: number): Date {
  return new Date(startedAt.getTime() + (cadenceDays * DAY_MS) / 2)
}

export function staleness ({ kind, round, cadenceDays, introState }: StalenessInput, now: Date): Staleness | null {
  if ((ROUND_BOUND_KINDS as readonly string[]).includes(kind)) {
    if (round.number < round.latestNumber) return 'superseded'
    if (now.getTime() >= introsExpireAt(round.startedAt, cadenceDays).getTime()) return 'expired'
    return null
  }
  if ((kind === 'followup' || kind === 'reminder') && (introState === 'superseded' || introState === 'expired')) return introState
  return null
}
