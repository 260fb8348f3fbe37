// Turning what people type ("2w", "10 days", "until 2026-12-24") into dates, with errors they can act on.

export const DAY_MS = 24 * 60 * 60 * 1000
export const HOUR_MS = 60 * 60 * 1000
/** Longest pause we accept: beyond a year, leaving is the honest choice. */
export const MAX_PAUSE_DAYS = 365

export type Parsed<T> = { ok: true, value: T } | { ok: false, error: string }

const UNIT_DAYS = new Map<string, number>([
  ...['d', 'day', 'days'].map((u) => [u, 1] as const),
  ...['w', 'wk', 'wks', 'week', 'weeks'].map((u) => [u, 7] as const),
  ...['m', 'mo', 'month', 'months'].map((u) => [u, 30] as const)
])

/** "2w", "10d", "3 weeks", "1 month" -> a number of days. */
export function parseDays (text: string): Parsed<number> {
  const match = /^(\d{1,6})\s*([a-z]+)$/.exec(text.trim().toLowerCase())
  const unit = match === null ? undefined : UNIT_DAYS.get(match[2]!)
  if (match === null || unit === undefined) {
    return { ok: false, error: `I couldn't read "${text.trim()}" as a duration. Try \`2w\`, \`10d\` or \`1 month\`.` }
  }
  const days = Number(match[1]) * unit
  if (days === 0) return { ok: false, error: 'A pause has to last at least one day.' }
  return { ok: true, value: days }
}

/** A calendar date "YYYY-MM-DD" -> midnight UTC that day, rejecting impossible dates like 2026-02-30. */
export function parseDate (text: string): Parsed<Date> {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text.trim())
  if (match === null) return { ok: false, error: `I couldn't read "${text.trim()}" as a date. Use the form \`2026-12-24\`.` }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { ok: false, error: `${text.trim()} is not a real date.` }
  }
  return { ok: true, value: date }
}

/**
 * The end of a pause from the words after `/coffee pause`: a duration ("2w") or "until <date>".
 * A pause ends at the start of the given day (UTC): you are back for rounds from that day on.
 */
export function parsePauseEnd (text: string, now: Date): Parsed<Date> {
  const words = text.trim().toLowerCase()
  if (words === '') return { ok: false, error: 'How long? Try `/coffee pause 2w` or `/coffee pause until 2026-12-24`.' }
  const until = /^until\s+(.+)$/.exec(words)
  if (until !== null) {
    const date = parseDate(until[1]!)
    if (!date.ok) return date
    if (date.value.getTime() <= now.getTime()) return { ok: false, error: `${formatDate(date.value)} is already past. Pick a date in the future.` }
    if (date.value.getTime() - now.getTime() > MAX_PAUSE_DAYS * DAY_MS) {
      return { ok: false, error: 'That\'s more than a year away. To stop for longer, use `/coffee leave` (you can join again any time).' }
    }
    return date
  }
  const days = parseDays(words)
  if (!days.ok) return days
  if (days.value > MAX_PAUSE_DAYS) {
    return { ok: false, error: 'A pause can last a year at most. To stop for longer, use `/coffee leave` (you can join again any time).' }
  }
  return { ok: true, value: new Date(now.getTime() + days.value * DAY_MS) }
}

/** "every 2 weeks" / "10 days" / "1w" -> days, for a program's cadence (1..90 days). */
export function parseCadence (text: string): Parsed<number> {
  const cleaned = text.trim().toLowerCase().replace(/^every\s+/, '')
  const days = parseDays(cleaned)
  if (!days.ok) return { ok: false, error: `I couldn't read "${text.trim()}". Try \`/coffee config every 2 weeks\` or \`every 10 days\`.` }
  if (days.value < 1 || days.value > 90) return { ok: false, error: 'Rounds can run every 1 to 90 days.' }
  return days
}

/** "3 days" / "48 hours" / "0" -> hours, for the follow-up delay (0..30 days). */
export function parseHours (text: string): Parsed<number> {
  const cleaned = text.trim().toLowerCase()
  if (/^0+$/.test(cleaned)) return { ok: true, value: 0 }
  const match = /^(\d{1,4})\s*(h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/.exec(cleaned)
  if (match === null) return { ok: false, error: `I couldn't read "${text.trim()}". Try \`/coffee config followup 3 days\`, \`48 hours\` or \`0\`.` }
  const unit = match[2]!.startsWith('h') ? 1 : match[2]!.startsWith('w') ? 24 * 7 : 24
  const hours = Number(match[1]) * unit
  if (hours > 30 * 24) return { ok: false, error: 'The follow-up can come at most 30 days after the intro.' }
  return { ok: true, value: hours }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "Thu 24 Dec 2026" (UTC), the way every date appears in messages. */
export function formatDate (date: Date): string {
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`
}

/** "every week", "every 2 weeks", "every 10 days". */
export function describeCadence (days: number): string {
  if (days === 1) return 'every day'
  if (days % 7 === 0) return days === 7 ? 'every week' : `every ${days / 7} weeks`
  return `every ${days} days`
}

const HOUR_UNITS = [['week', 24 * 7], ['day', 24], ['hour', 1]] as const

/** An amount of time to put in a sentence: "an hour", "12 hours", "a day", "3 days", "a week", "2 weeks". */
export function describeHours (hours: number): string {
  const [unit, size] = HOUR_UNITS.find(([, size]) => hours >= size && hours % size === 0) ?? ['hour', 1]
  const count = hours / size
  if (count === 1) return unit === 'hour' ? 'an hour' : `a ${unit}`
  return `${count} ${unit}s`
}

/**
 * When "did you meet?" comes, for admins: "3 days after each intro"; with no delay (0), the scheduler's next call
 * after the intro queues it.
 */
export function describeFollowupDelay (hours: number): string {
  return hours === 0 ? 'at the next scheduler run after each intro' : `${describeHours(hours)} after each intro`
}
