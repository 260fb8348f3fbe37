// Working hours across time zones: when a group can meet. Each person works the same local hours on their own
// weekdays (Mon–Fri); what a group shares is computed on the actual dates of the round's week in each member's
// zone (luxon), so a week in which the US and Europe change clocks on different days is counted as it really is.
import { DateTime, IANAZone } from 'luxon'
import type { Parsed } from './durations.js'

export interface WorkingHours {
  /** Local hour work starts, 0..23. */
  start: number
  /** Local hour work ends, 1..24, after start. */
  end: number
}

export const DEFAULT_WORKING_HOURS: Readonly<WorkingHours> = Object.freeze({ start: 9, end: 17 })
/** The shared time that counts as "can meet". */
export const MIN_SHARED_MS = 60 * 60 * 1000
/** The days from a round's start in which its groups are expected to meet. */
export const WEEK_MS = 7 * 24 * 60 * 60 * 1000

/** "8-18", "9–17", "08:00-18:00" (whole hours, 24-hour clock). */
export function parseWorkingHours (text: string): Parsed<WorkingHours> {
  const match = /^(\d{1,2})(?::00)?\s*[-–to]+\s*(\d{1,2})(?::00)?$/.exec(text.trim().toLowerCase())
  const start = Number(match?.[1])
  const end = Number(match?.[2])
  if (match === null || start > 23 || end > 24 || end - start < 1) {
    return { ok: false, error: `\`${text.slice(0, 20)}\` is not a span of working hours. Give whole hours of the 24-hour clock, start before end, like \`9-17\` or \`8-18\`.` }
  }
  return { ok: true, value: { start, end } }
}

/** The stored form, "9-17". */
export function formatWorkingHours (hours: WorkingHours): string {
  return `${hours.start}-${hours.end}`
}

/** "09:00–17:00". */
export function describeWorkingHours (hours: WorkingHours): string {
  const pad = (h: number) => `${String(h).padStart(2, '0')}:00`
  return `${pad(hours.start)}–${pad(hours.end)}`
}

/** What cannot be read is the default: a bad row never stops a round. */
export function readWorkingHours (stored: string): WorkingHours {
  const parsed = parseWorkingHours(stored)
  return parsed.ok ? parsed.value : { ...DEFAULT_WORKING_HOURS }
}

/** A valid IANA zone, or null: people whose zone is unknown fit anyone. */
export function knownZone (zone: string | null | undefined): string | null {
  return zone !== null && zone !== undefined && zone !== '' && IANAZone.isValidZone(zone) ? zone : null
}

/** [start, end) in epoch milliseconds. */
export type Interval = readonly [number, number]

/** A person's working time in [from, from + 7 days): their local weekdays at the given local hours, sorted. */
export function workingIntervals (zone: string, hours: WorkingHours, from: Date): Interval[] {
  const begin = from.getTime()
  const finish = begin + WEEK_MS
  const intervals: Interval[] = []
  let day = DateTime.fromMillis(begin, { zone }).startOf('day')
  for (let i = 0; i < 8; i++, day = day.plus({ days: 1 })) {
    if (day.weekday > 5) continue
    const start = Math.max(day.set({ hour: hours.start }).toMillis(), begin)
    const end = Math.min(hours.end === 24 ? day.plus({ days: 1 }).toMillis() : day.set({ hour: hours.end }).toMillis(), finish)
    if (end > start) intervals.push([start, end])
  }
  return intervals
}

/** What sorted interval lists have in common, adjacent pieces joined. */
export function intersect (lists: readonly (readonly Interval[])[]): Interval[] {
  if (lists.length === 0) return []
  let shared: Interval[] = [...lists[0]!]
  for (const other of lists.slice(1)) {
    const next: Interval[] = []
    let i = 0
    let j = 0
    while (i < shared.length && j < other.length) {
      const start = Math.max(shared[i]![0], other[j]![0])
      const end = Math.min(shared[i]![1], other[j]![1])
      if (end > start) {
        const last = next.at(-1)
        if (last !== undefined && last[1] === start) next[next.length - 1] = [last[0], end]
        else next.push([start, end])
      }
      if (shared[i]![1] < other[j]![1]) i++
      else j++
    }
    shared = next
  }
  return shared
}

/** The pieces of shared time long enough to meet in. */
export function meetingWindows (lists: readonly (readonly Interval[])[]): Interval[] {
  return intersect(lists).filter(([start, end]) => end - start >= MIN_SHARED_MS)
}

/**
 * Who can meet whom in the week from `from`, for the matcher: people are put in classes by zone (the same zone, the
 * same hours), and two classes can meet when they share an hour. People without a known zone are in no class.
 */
export interface Availability {
  /** Class of each person with a known zone. */
  classOf: ReadonlyMap<string, number>
  /** Whether the people of classes a and b share an hour of working time. */
  overlap (a: number, b: number): boolean
  /** Working time per class. */
  intervals: readonly (readonly Interval[])[]
}

export function availability (zones: ReadonlyMap<string, string>, hours: WorkingHours, from: Date): Availability {
  const classOfZone = new Map<string, number>()
  const classOf = new Map<string, number>()
  const intervals: Interval[][] = []
  // Checking a zone builds an Intl formatter (~0.1 ms): once per distinct zone, not per person.
  const known = new Map<string, string | null>()
  for (const [id, raw] of zones) {
    let zone = known.get(raw)
    if (zone === undefined) {
      zone = knownZone(raw)
      known.set(raw, zone)
    }
    if (zone === null) continue
    let c = classOfZone.get(zone)
    if (c === undefined) {
      c = intervals.length
      classOfZone.set(zone, c)
      intervals.push(workingIntervals(zone, hours, from))
    }
    classOf.set(id, c)
  }
  const m = intervals.length
  const table = new Uint8Array(m * m)
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      const meets = meetingWindows([intervals[a]!, intervals[b]!]).length > 0 ? 1 : 0
      table[a * m + b] = table[b * m + a] = meets
    }
  }
  return { classOf, overlap: (a, b) => table[a * m + b] === 1, intervals }
}

/** Whether a group shares an hour of working time (members without a known zone fit anyone). */
export function groupCanMeet (members: readonly string[], avail: Availability): boolean {
  const lists: (readonly Interval[])[] = []
  for (const id of members) {
    const c = avail.classOf.get(id)
    if (c !== undefined) lists.push(avail.intervals[c]!)
  }
  return lists.length < 2 || meetingWindows(lists).length > 0
}

export interface WindowMember {
  username: string
  /** As Mattermost says; unknown or invalid zones are left out of the line. */
  zone: string
}

const WEEKDAY_SHORT = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

function dayList (weekdays: readonly number[]): string {
  const days = [...new Set(weekdays)].sort((x, y) => x - y)
  const runs: number[][] = []
  for (const d of days) {
    const run = runs.at(-1)
    if (run !== undefined && run.at(-1) === d - 1) run.push(d)
    else runs.push([d])
  }
  return runs.map((run) => run.length >= 3 ? `${WEEKDAY_SHORT[run[0]!]}–${WEEKDAY_SHORT[run.at(-1)!]}` : run.map((d) => WEEKDAY_SHORT[d]).join(', ')).join(', ')
}

/**
 * The intro's line about when to meet, or '' when it has nothing to add (time zones off, fewer than two known zones,
 * or everyone in the same zone). The window is the one shared most days of the round's week, in each member's own
 * local time; days are the first member's.
 */
export function meetingWindowLine (members: readonly WindowMember[], hours: WorkingHours, from: Date): string {
  const known = members.flatMap((m) => {
    const zone = knownZone(m.zone)
    return zone === null ? [] : [{ username: m.username, zone }]
  })
  if (known.length < 2 || new Set(known.map((m) => m.zone)).size < 2) return ''
  const windows = meetingWindows(known.map((m) => workingIntervals(m.zone, hours, from)))
  if (windows.length === 0) {
    return `🌍 Your working hours (${describeWorkingHours(hours)} on weekdays, each in your own time zone) don't overlap this week: a chat in this thread at your own pace works too.`
  }
  const byTimes = new Map<string, number[]>()
  for (const [start, end] of windows) {
    const times = known.map((m) => {
      const local = (t: number) => DateTime.fromMillis(t, { zone: m.zone }).toFormat('HH:mm')
      return `${local(start)}–${local(end)} for @${m.username} (${m.zone})`
    }).join(', ')
    const days = byTimes.get(times) ?? []
    days.push(DateTime.fromMillis(start, { zone: known[0]!.zone }).weekday)
    byTimes.set(times, days)
  }
  const [times, days] = [...byTimes].sort((x, y) => y[1].length - x[1].length)[0]!
  return `🕘 **When you can all meet:** ${dayList(days)}, ${times}.`
}
