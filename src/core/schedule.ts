// When a program's next round is due. Rounds are anchored to slots (the previous slot plus the cadence), so a
// scheduler that fires a little early or late never makes the schedule drift or skip a week.
import { DAY_MS, HOUR_MS } from './durations.js'

/** How early a round may start before its slot: absorbs cron and CronJob jitter. */
export const SLOT_TOLERANCE_MS = 60 * 60 * 1000

export interface ScheduleInput {
  cadenceDays: number
  /** The slot of the program's latest round, or null when it never had one. */
  lastSlot: Date | null
}

/** The slot the next round belongs to; null when the program never had a round (due at once). */
export function nextSlot ({ cadenceDays, lastSlot }: ScheduleInput): Date | null {
  return lastSlot === null ? null : new Date(lastSlot.getTime() + cadenceDays * DAY_MS)
}

/**
 * Whether a round is due now, and the slot to record for it. A slot missed entirely (the scheduler was down for
 * longer than a cadence) is not made up for: the schedule re-anchors on now instead of firing rounds back to back.
 */
export function dueSlot (input: ScheduleInput, now: Date): Date | null {
  const slot = nextSlot(input)
  if (slot === null) return now
  const tolerance = Math.min(SLOT_TOLERANCE_MS, (input.cadenceDays * DAY_MS) / 10)
  if (now.getTime() < slot.getTime() - tolerance) return null
  if (now.getTime() >= slot.getTime() + input.cadenceDays * DAY_MS) return now
  return slot
}

/** A "not yet" earns one reminder, halfway to the next round, if that leaves it a meaningful gap. */
export function reminderTime (now: Date, next: Date | null): Date | null {
  if (next === null) return null
  const gap = next.getTime() - now.getTime()
  if (gap < 4 * HOUR_MS) return null
  return new Date(now.getTime() + gap / 2)
}
