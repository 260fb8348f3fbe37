// Wall-clock time in a named time zone (luxon over the platform's IANA data): what a channel admin means by "Mondays at
// 10:00", and how a moment reads for a person in their own zone. Daylight saving moves the UTC instant, not the hour.
import { DateTime, IANAZone } from 'luxon'
import type { Parsed } from './durations.js'

export const UTC = 'UTC'

/** The zone to compute in: a valid IANA name, else UTC (an unknown or empty zone never breaks a schedule). */
export function zoneOrUtc (zone: string | null | undefined): string {
  return zone !== null && zone !== undefined && zone !== '' && IANAZone.isValidZone(zone) ? zone : UTC
}

export function parseTimeZone (text: string): Parsed<string> {
  const name = text.trim()
  if (name === '') return { ok: false, error: 'Which time zone? Give its IANA name, like `Europe/Berlin`, `America/New_York` or `UTC`.' }
  if (!IANAZone.isValidZone(name)) return { ok: false, error: `I don't know the time zone \`${name.slice(0, 60)}\`. Give its IANA name, like \`Europe/Berlin\`, \`America/New_York\` or \`UTC\`.` }
  // The zone's own spelling (europe/berlin → Europe/Berlin), as Mattermost shows it.
  return { ok: true, value: new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone }
}

export const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']

/** 1 (Monday) to 7 (Sunday), from a name or its first three letters or more. */
export function parseWeekday (text: string): Parsed<number> {
  const word = text.trim().toLowerCase()
  const index = word.length >= 3 ? WEEKDAY_NAMES.findIndex((name) => name.startsWith(word)) : -1
  if (index === -1) return { ok: false, error: `\`${text.slice(0, 20)}\` is not a day of the week. Try \`monday\` or \`mon\`.` }
  return { ok: true, value: index + 1 }
}

export interface ClockTime { hour: number, minute: number }

/** "10:00", "9:30", "14h", "9" (24-hour clock). */
export function parseClockTime (text: string): Parsed<ClockTime> {
  const match = /^(\d{1,2})(?:[:.h](\d{2})?)?$/.exec(text.trim().toLowerCase())
  const hour = Number(match?.[1])
  const minute = Number(match?.[2] ?? 0)
  if (match === null || hour > 23 || minute > 59) return { ok: false, error: `\`${text.slice(0, 20)}\` is not a time of day. Use the 24-hour clock, like \`10:00\` or \`14:30\`.` }
  return { ok: true, value: { hour, minute } }
}

/** The first moment after `after` that falls on this weekday at this time in the zone. */
export function nextWeekdayAt (weekday: number, time: ClockTime, zone: string, after: Date): Date {
  const local = DateTime.fromJSDate(after, { zone: zoneOrUtc(zone) })
  let candidate = local.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }).plus({ days: (weekday - local.weekday + 7) % 7 })
  if (candidate.toMillis() <= after.getTime()) candidate = candidate.plus({ weeks: 1 })
  return candidate.toJSDate()
}

/** `date` on `days` days later in the zone's calendar, at the time of day `timeOf` has there. */
export function addLocalDays (date: Date, days: number, timeOf: Date, zone: string): Date {
  const z = zoneOrUtc(zone)
  const time = DateTime.fromJSDate(timeOf, { zone: z })
  return DateTime.fromJSDate(date, { zone: z }).plus({ days }).set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }).toJSDate()
}

/** The weekday and time of day of a moment in the zone. */
export function weekdayAndTime (date: Date, zone: string): { weekday: number, time: ClockTime } {
  const local = DateTime.fromJSDate(date, { zone: zoneOrUtc(zone) })
  return { weekday: local.weekday, time: { hour: local.hour, minute: local.minute } }
}

/** "Mon 7 Dec 2026, 10:00 (Europe/Berlin)": a moment as it reads in the zone, the zone named. */
export function formatInZone (date: Date, zone: string): string {
  const z = zoneOrUtc(zone)
  return `${DateTime.fromJSDate(date, { zone: z }).setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm')} (${z})`
}

/** "Mondays at 10:00 (Europe/Berlin)". */
export function describeWeeklyTime (date: Date, zone: string): string {
  const z = zoneOrUtc(zone)
  return `${DateTime.fromJSDate(date, { zone: z }).setLocale('en-GB').toFormat("cccc's at' HH:mm")} (${z})`
}

/** What `config start` asks for: "now", or a weekday with an optional time ("monday 10:00", "tue"). */
export function parseStart (text: string): Parsed<{ now: true } | { weekday: number, time?: ClockTime }> {
  const words = text.trim().split(/\s+/).filter((w) => w !== '')
  const usage = 'Say when round 1 should be, like `start monday 10:00` (in the channel\'s time zone), or `start now` for the next scheduler run.'
  if (words.length === 0) return { ok: false, error: usage }
  if (words.length === 1 && words[0]!.toLowerCase() === 'now') return { ok: true, value: { now: true } }
  if (words.length > 2) return { ok: false, error: usage }
  const weekday = parseWeekday(words[0]!)
  if (!weekday.ok) return { ok: false, error: `${weekday.error} ${usage}` }
  if (words[1] === undefined) return { ok: true, value: { weekday: weekday.value } }
  const time = parseClockTime(words[1])
  if (!time.ok) return { ok: false, error: time.error }
  return { ok: true, value: { weekday: weekday.value, time: time.value } }
}
