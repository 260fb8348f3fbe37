// History from another tool, and back: one group per line, `date,username,username[,username…]`. Pure: reading a
// file, deciding line by line what to import and why the rest is skipped, and writing the export in the same format.
import { parseDate } from './durations.js'
import { MIN_GROUP_SIZE } from './group-size.js'

/** One group as the file (or JSON body) gives it; `line` counts from 1, the header included. */
export interface HistoryLine {
  line: number
  date: string
  usernames: string[]
}

export const SKIP_REASONS = ['bad_date', 'too_small', 'unknown_user', 'duplicate'] as const
export type SkipReason = typeof SKIP_REASONS[number]

export interface SkippedLine {
  line: number
  reason: SkipReason
  message: string
}

export interface ImportedGroup {
  /** Midnight UTC of the group's date: an imported round's start. */
  date: Date
  userIds: string[]
}

/** Usernames as Mattermost stores them: lower case, without the @ people type. */
export function normalizeUsername (name: string): string {
  return name.trim().replace(/^@/, '').toLowerCase()
}

/** Splits one CSV line into cells (RFC 4180 quotes, `""` inside quotes); a line never spans two. */
function cells (line: string): string[] {
  const out: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      out.push(cell.trim())
      cell = ''
    } else cell += c
  }
  out.push(cell.trim())
  return out
}

/**
 * The groups of a CSV file. Blank lines are ignored; a first line whose first cell is "date" is a header. Cells after
 * the date that are empty (a trailing comma, a short row in a spreadsheet's export) are not people.
 */
export function parseHistoryCsv (text: string): HistoryLine[] {
  const lines: HistoryLine[] = []
  const rows = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)
  let first = true
  for (const [i, row] of rows.entries()) {
    if (row.trim() === '') continue
    const [date = '', ...names] = cells(row)
    const header = first && date.toLowerCase() === 'date'
    first = false
    if (header) continue
    lines.push({ line: i + 1, date, usernames: names.filter((n) => n !== '') })
  }
  return lines
}

/** The groups of a JSON body (an array of { date, usernames }); `line` is the entry's position from 1. */
export function historyFromJson (entries: readonly { date: string, usernames: readonly string[] }[]): HistoryLine[] {
  return entries.map((entry, i) => ({ line: i + 1, date: entry.date, usernames: [...entry.usernames] }))
}

/** Every distinct username the lines name (normalized), to resolve through Mattermost in one go. */
export function historyUsernames (lines: readonly HistoryLine[]): string[] {
  return [...new Set(lines.flatMap((l) => l.usernames.map(normalizeUsername)))]
}

/** A group's identity: the same people on the same date are the same group, whichever file or round it came from. */
export function groupKey (date: Date, userIds: readonly string[]): string {
  return `${date.toISOString().slice(0, 10)}|${[...new Set(userIds)].sort().join(',')}`
}

export interface ImportPlan {
  groups: ImportedGroup[]
  skipped: SkippedLine[]
}

/**
 * What to import: each line that has a real date not after today, at least two distinct people Mattermost knows,
 * and is not a group the channel already has (or an earlier line of the same file). Importing twice thus changes
 * nothing the second time.
 */
export function planHistoryImport (input: {
  lines: readonly HistoryLine[]
  /** Normalized username -> Mattermost user id, for the names Mattermost knows. */
  known: ReadonlyMap<string, string>
  /** groupKey of every group the channel has. */
  existing: ReadonlySet<string>
  now: Date
}): ImportPlan {
  const seen = new Set(input.existing)
  const groups: ImportedGroup[] = []
  const skipped: SkippedLine[] = []
  const skip = (line: number, reason: SkipReason, message: string) => skipped.push({ line, reason, message })
  for (const { line, date: text, usernames } of input.lines) {
    const date = parseDate(text)
    if (!date.ok) {
      skip(line, 'bad_date', `"${text}" is not a date of the form 2026-03-31.`)
      continue
    }
    if (date.value.getTime() > input.now.getTime()) {
      skip(line, 'bad_date', `${text} is in the future.`)
      continue
    }
    const names = [...new Set(usernames.map(normalizeUsername).filter((n) => n !== ''))]
    if (names.length < MIN_GROUP_SIZE) {
      skip(line, 'too_small', `A group needs at least ${MIN_GROUP_SIZE} different people; this line names ${names.length}.`)
      continue
    }
    const unknown = names.filter((n) => !input.known.has(n))
    if (unknown.length > 0) {
      skip(line, 'unknown_user', `Mattermost has no user ${unknown.map((n) => `@${n}`).join(', ')}.`)
      continue
    }
    const userIds = names.map((n) => input.known.get(n)!)
    const key = groupKey(date.value, userIds)
    if (seen.has(key)) {
      skip(line, 'duplicate', `These people already met on ${text} in this channel's history.`)
      continue
    }
    seen.add(key)
    groups.push({ date: date.value, userIds })
  }
  return { groups, skipped }
}

/** The export: a header, then one line per group in the order given. Usernames never need quoting. */
export function formatHistoryCsv (groups: readonly { date: Date, usernames: readonly string[] }[]): string {
  const lines = groups.map((g) => [g.date.toISOString().slice(0, 10), ...g.usernames].join(','))
  return ['date,usernames', ...lines].join('\n') + '\n'
}
