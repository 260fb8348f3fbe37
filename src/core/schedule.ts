// When a program's next round is due. A channel admin chooses the first round's moment (`/coffee config start monday
// 10:00`) in the channel's time zone; every later round keeps that time of day there, the cadence after the previous
// slot, so daylight saving and a scheduler that fires a little early or late never make the schedule drift or skip.
import { DAY_MS, HOUR_MS } from './durations.js'
import { addLocalDays, nextWeekdayAt, weekdayAndTime, type ClockTime } from './local-time.js'

/** How early a round may start before its slot: absorbs cron and CronJob jitter. */
export const SLOT_TOLERANCE_MS = 60 * 60 * 1000

export interface ScheduleInput {
  cadenceDays: number
  /** The slot of the program's latest round, or null when it never had one. */
  lastSlot: Date | null
  /**
   * The moment a channel admin chose for the next round (the first one, or a new day or time); null when none was
   * chosen. Until one is, round 1 waits; a program whose rounds began before starts existed keeps its UTC anchor.
   */
  start?: Date | null
  /** The channel's IANA time zone, in which the start's time of day carries on ('' or unknown: UTC). */
  timezone?: string
}

/** A program's schedule, as its row holds it, after the slot of its latest round. */
export function programSchedule (program: { cadenceDays: number, startAt: Date | null, timezone: string }, lastSlot: Date | null): ScheduleInput {
  return { cadenceDays: program.cadenceDays, lastSlot, start: program.startAt, timezone: program.timezone }
}

/** The slot the next round belongs to; null when round 1 has no start yet. */
export function nextSlot ({ cadenceDays, lastSlot, start = null, timezone = '' }: ScheduleInput): Date | null {
  if (start !== null && (lastSlot === null || start.getTime() > lastSlot.getTime())) return start
  if (lastSlot === null) return null
  if (start === null) return new Date(lastSlot.getTime() + cadenceDays * DAY_MS)
  return addLocalDays(lastSlot, cadenceDays, start, timezone)
}

/**
 * Whether a round is due now, and the slot to record for it. Slots missed entirely (the scheduler was down for longer
 * than a cadence) are not made up for: the round takes the latest slot that has come, instead of firing back to back.
 */
export function dueSlot (input: ScheduleInput, now: Date): Date | null {
  let slot = nextSlot(input)
  if (slot === null) return null
  const tolerance = Math.min(SLOT_TOLERANCE_MS, (input.cadenceDays * DAY_MS) / 10)
  if (now.getTime() < slot.getTime() - tolerance) return null
  for (let later = nextSlot({ ...input, lastSlot: slot }); later !== null && later.getTime() <= now.getTime(); later = nextSlot({ ...input, lastSlot: slot })) {
    slot = later
  }
  return slot
}

/** A schedule's day and time before an admin names them: Mondays at 10:00. */
export const DEFAULT_WEEKDAY = 1
export const DEFAULT_TIME: ClockTime = { hour: 10, minute: 0 }

export interface ScheduleChange {
  weekday?: number
  time?: ClockTime
  timezone?: string
}

/**
 * The start after a channel admin's change: the next moment with the weekday and time asked for (what was not asked
 * kept from the coming slot, or Monday 10:00) in the zone. A new zone keeps the coming slot's wall-clock time there.
 */
export function changedStart (input: ScheduleInput, change: ScheduleChange, now: Date): Date {
  const zone = change.timezone ?? input.timezone ?? ''
  const coming = nextSlot(input)
  const kept = coming === null ? { weekday: DEFAULT_WEEKDAY, time: DEFAULT_TIME } : weekdayAndTime(coming, input.timezone ?? '')
  const after = change.timezone !== undefined && coming !== null ? new Date(Math.max(now.getTime(), coming.getTime() - DAY_MS)) : now
  return nextWeekdayAt(change.weekday ?? kept.weekday, change.time ?? kept.time, zone, after)
}

/** A "not yet" earns one reminder, halfway to the next round, if that leaves it a meaningful gap. */
export function reminderTime (now: Date, next: Date | null): Date | null {
  if (next === null) return null
  const gap = next.getTime() - now.getTime()
  if (gap < 4 * HOUR_MS) return null
  return new Date(now.getTime() + gap / 2)
}
