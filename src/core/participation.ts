// Who takes part in a program, from the program's mode and the person's own choices.
import { DAY_MS } from './durations.js'

export interface ProgramLike { mode: 'optin' | 'channel', paused: boolean }
export interface ParticipantLike {
  status: 'active' | 'left'
  skipNext: boolean
  pausedUntil: Date | null
  autoPausedAt: Date | null
}

export interface ParticipationState {
  /** Opted in (or, in everyone-here mode, has not left). */
  joined: boolean
  skipping: boolean
  /** Paused until this moment; null when not paused for a set time. */
  pausedUntil: Date | null
  /** Paused by Coffee for not answering, until they resume. */
  autoPaused: boolean
  /** Would be in the next round if it started now (channel membership aside). */
  eligible: boolean
}

export function participationState (program: ProgramLike, participant: ParticipantLike | null, now: Date): ParticipationState {
  const joined = participant === null ? program.mode === 'channel' : participant.status === 'active'
  const pausedUntil = participant?.pausedUntil != null && participant.pausedUntil.getTime() > now.getTime() ? participant.pausedUntil : null
  const autoPaused = participant?.autoPausedAt != null
  const skipping = participant?.skipNext === true
  return {
    joined,
    skipping: joined && skipping,
    pausedUntil: joined ? pausedUntil : null,
    autoPaused: joined && autoPaused,
    eligible: joined && !skipping && pausedUntil === null && !autoPaused
  }
}

/** A visit (lastSeenAt) only has to tell rounds apart (days): one within a minute of the last is not written again. */
export const SEEN_PRECISION_MS = 60_000

/** Whether this visit is news: false when the last one is less than SEEN_PRECISION_MS old. */
export function visitWorthWriting (lastSeenAt: Date | null, now: Date): boolean {
  return lastSeenAt === null || lastSeenAt.getTime() < now.getTime() - SEEN_PRECISION_MS
}

/** How many rounds in a row whose "did you meet?" nobody in the group answered pause someone who did not visit since. */
export const UNANSWERED_ROUNDS_BEFORE_PAUSE = 3

/**
 * A follow-up counts towards auto-pause only if people had this long to answer it before the next round began: a
 * day, or half the cadence when that is shorter. Rounds forced in a row send each follow-up moments before the next
 * round; nobody could have answered those.
 */
export function fairAnswerTimeMs (cadenceDays: number): number {
  return Math.min(DAY_MS, (cadenceDays * DAY_MS) / 2)
}
