// The program settings a channel admin may change, each described once: the words of `/coffee config`, how a value is
// read and what is said about it, and the fields of the dashboard's form. The form's fields add up to the very words an
// admin would type (`start monday 10:00`, `pause`), read by the same setting, so both answer with the same sentences.
import { parseCadence, parseHours, describeCadence, describeFollowupDelay, describeHours } from './durations.js'
import { DEFAULT_WORKING_HOURS, describeWorkingHours, formatWorkingHours, parseWorkingHours, readWorkingHours } from './working-hours.js'
import { parseGroupSize, describeLeftovers, MIN_GROUP_SIZE, MAX_GROUP_SIZE } from './group-size.js'
import { parseStart, parseWeekday, parseClockTime, parseTimeZone, formatInZone, describeWeeklyTime, zoneOrUtc, weekdayAndTime, WEEKDAY_NAMES, type ClockTime } from './local-time.js'
import { changedStart, nextSlot, programSchedule, type ScheduleInput } from './schedule.js'

export type ProgramMode = 'optin' | 'channel'

export interface ProgramSettings {
  cadenceDays: number
  groupSize: number
  followupHours: number
  mode: ProgramMode
  /** A post in the channel when each round starts (core/messages.ts announcementMessage). */
  announce: boolean
  /** Everyone's working hours in their own time zone, as stored: "9-17". */
  workingHours: string
  /** Whether matching and intros look at people's time zones. */
  timezones: boolean
}

export type SettingName = keyof ProgramSettings

/** A program as its settings see it. */
export interface ProgramState extends ProgramSettings {
  paused: boolean
  /** The channel's IANA zone; '' until an admin's schedule (or `config timezone`) sets one. */
  timezone: string
  startAt: Date | null
}

export type ProgramPatch = Partial<ProgramState>

export interface SettingContext {
  program: ProgramState
  /** The slot of the program's latest round; null before round 1 (only read by settings that need it). */
  lastSlot: Date | null
  now: Date
  /** The admin's own zone in Mattermost ('' when unknown): a first schedule's zone when the channel has none. */
  ownZone: string
}

export type SettingChange =
  | { ok: true, patch: ProgramPatch, done: string }
  | { ok: false, error: string }

export interface FormField {
  /** The form field's name and id. */
  id: string
  label: string
  hint: string
  /** A select's choices (value, label); a text field without. */
  options?: readonly (readonly [string, string])[]
}

export interface FormSetting {
  /** Several fields are grouped under this name. */
  legend?: string
  fields: readonly FormField[]
  /** What the fields show for the program now. */
  shown(ctx: { program: ProgramState, lastSlot: Date | null }): Record<string, string>
  /** The `/coffee config` words the fields say, as an admin would type them. */
  words(values: Readonly<Record<string, string>>): string
}

export interface Setting {
  /** The word after `/coffee config` (with its other spellings), and its usage line. */
  words: RegExp
  usage: string
  /** What the change reads besides the program: the latest slot, the admin's own zone (when the channel has none). */
  needs?: { lastSlot?: true, ownZone?: true }
  change(value: string, ctx: SettingContext): SettingChange
  /** The setting on the dashboard's form; absent for words the form covers otherwise (`day`, `time`, `resume`). */
  form?: FormSetting
}

/** What /coffee config shows before a program exists, and what a new program starts with (prisma/schema.prisma). */
export const DEFAULT_SETTINGS: Readonly<ProgramSettings> = Object.freeze({ cadenceDays: 7, groupSize: 2, followupHours: 72, mode: 'optin', announce: true, workingHours: formatWorkingHours(DEFAULT_WORKING_HOURS), timezones: true })

function textField (id: string, label: string, hint: string): FormField {
  return { id, label, hint }
}

/** A setting read from one value and saved as a patch, shown in one form field. */
function simple (words: RegExp, usage: string, field: FormField, shown: (program: ProgramState) => string, change: (value: string) => SettingChange): Setting {
  const word = usage.split(' ')[0]!
  return {
    words,
    usage,
    change: (value) => change(value),
    form: { fields: [field], shown: ({ program }) => ({ [field.id]: shown(program) }), words: (values) => `${word} ${values[field.id] ?? ''}` }
  }
}

/** A new start from `start(schedule)`, in the channel's zone (on first use the admin's own, else UTC), and what it means. */
function reschedule (ctx: SettingContext, start: (schedule: ScheduleInput) => Date): SettingChange {
  const { program, lastSlot, now } = ctx
  let zone = program.timezone
  let zoneNote = ''
  if (zone === '') {
    zone = zoneOrUtc(ctx.ownZone)
    zoneNote = ctx.ownZone === '' ? ` Times are in ${zone}; \`/coffee config timezone Europe/Berlin\` changes that.` : ` Times are in ${zone}, your time zone in Mattermost; \`/coffee config timezone …\` changes that.`
  }
  const startAt = start({ ...programSchedule(program, lastSlot), timezone: zone })
  const which = lastSlot === null ? 'Round 1' : 'The next round'
  const when = startAt.getTime() <= now.getTime() ? 'at the next scheduler run' : `on **${formatInZone(startAt, zone)}**`
  const then = program.cadenceDays % 7 === 0 ? `, then ${describeCadence(program.cadenceDays)} on ${describeWeeklyTime(startAt, zone)}` : `, then ${describeCadence(program.cadenceDays)}`
  return { ok: true, patch: { startAt, timezone: zone }, done: `Done: ${which} is ${when}${then}.${zoneNote}` }
}

const SCHEDULE_NEEDS = { lastSlot: true, ownZone: true } as const

function cadenceText (days: number): string {
  return days % 7 === 0 ? `${days / 7} ${days === 7 ? 'week' : 'weeks'}` : `${days} days`
}

function clockText (time: ClockTime): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`
}

// In the order the form reads changes (changeFromForm) and help lists them: the cadence before a schedule that names it,
// the zone before a start in it.
export const SETTINGS: readonly Setting[] = [
  simple(/^(every|cadence|frequency)$/, 'every <N> days|weeks',
    textField('cadenceDays', 'Rounds every', 'For example "1 week", "2 weeks" or "10 days" (1 to 90 days).'),
    (program) => cadenceText(program.cadenceDays),
    (value) => {
      const days = parseCadence(value)
      if (!days.ok) return days
      return { ok: true, patch: { cadenceDays: days.value }, done: `Done: rounds now run **${describeCadence(days.value)}**, counted from the last round.` }
    }),
  simple(/^size$/, `size <${MIN_GROUP_SIZE}-${MAX_GROUP_SIZE}>`,
    textField('groupSize', 'Group size', `${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE} people.`),
    (program) => String(program.groupSize),
    (value) => {
      const size = parseGroupSize(value.trim())
      if (!size.ok) return size
      return { ok: true, patch: { groupSize: size.value }, done: `Done: from the next round, groups of **${size.value}** (${describeLeftovers(size.value)}).` }
    }),
  simple(/^mode$/, 'mode optin|channel',
    { id: 'mode', label: 'Who takes part', hint: '', options: [['optin', 'People who type /coffee join'], ['channel', 'Everyone in the channel']] },
    (program) => program.mode,
    (value) => {
      const mode = value.trim().toLowerCase()
      if (mode !== 'optin' && mode !== 'channel') return { ok: false, error: 'The mode is `optin` (people type `/coffee join`) or `channel` (everyone in the channel takes part unless they leave).' }
      return {
        ok: true,
        patch: { mode },
        done: mode === 'channel'
          ? 'Done: **everyone in this channel** now takes part, unless they type `/coffee leave`.'
          : 'Done: only people who type `/coffee join` take part now.'
      }
    }),
  simple(/^(followup|follow-up)$/, 'followup <N> hours|days',
    textField('followupHours', 'Ask "did you meet?" after', 'For example "3 days" or "48 hours"; 0 for the next scheduled run.'),
    (program) => program.followupHours === 0 ? '0' : describeHours(program.followupHours).replace(/^an? /, '1 '),
    (value) => {
      const hours = parseHours(value)
      if (!hours.ok) return hours
      return { ok: true, patch: { followupHours: hours.value }, done: `Done: I'll ask "did you meet?" **${describeFollowupDelay(hours.value)}**.` }
    }),
  simple(/^(hours|working-hours)$/, 'hours <start>-<end>',
    textField('workingHours', 'Working hours', 'On weekdays, in each person\'s own time zone, for example "9-17" or "8-18" (whole hours).'),
    (program) => program.workingHours,
    (value) => {
      const hours = parseWorkingHours(value)
      if (!hours.ok) return hours
      return { ok: true, patch: { workingHours: formatWorkingHours(hours.value) }, done: `Done: from the next round, working hours are **${describeWorkingHours(hours.value)}** on weekdays, in each person's own time zone.` }
    }),
  simple(/^(timezones|time-zones)$/, 'timezones on|off',
    { id: 'timezones', label: 'Group people who share working hours', hint: '', options: [['on', 'On: every group shares an hour when it can'], ['off', 'Off: time zones are not looked at']] },
    (program) => program.timezones ? 'on' : 'off',
    (value) => {
      const word = value.trim().toLowerCase()
      if (word !== 'on' && word !== 'off') return { ok: false, error: 'Time zones are `on` (groups share working hours; intros say when) or `off`.' }
      return {
        ok: true,
        patch: { timezones: word === 'on' },
        done: word === 'on'
          ? 'Done: from the next round, groups are made of people whose working hours overlap, and intros say when.'
          : 'Done: from the next round, time zones are not looked at.'
      }
    }),
  simple(/^(announce|announcements?)$/, 'announce on|off',
    { id: 'announce', label: 'Announce each round in the channel', hint: '', options: [['on', 'On: a short post when each round starts'], ['off', 'Off']] },
    (program) => program.announce ? 'on' : 'off',
    (value) => {
      const word = value.trim().toLowerCase()
      const on = ['on', 'yes', 'true'].includes(word)
      if (!on && !['off', 'no', 'false'].includes(word)) return { ok: false, error: 'Announcements are `on` (a short post in this channel when each round starts) or `off`.' }
      return {
        ok: true,
        patch: { announce: on },
        done: on
          ? 'Done: I\'ll post a short note in this channel when each round starts, with how the last one went.'
          : 'Done: no more posts in this channel when a round starts; intros and follow-ups go on as before.'
      }
    }),
  {
    words: /^(timezone|tz|zone)$/,
    usage: 'timezone <Area/City>',
    needs: { lastSlot: true },
    change (value, { program, lastSlot, now }) {
      const zone = parseTimeZone(value)
      if (!zone.ok) return zone
      const schedule = programSchedule(program, lastSlot)
      if (nextSlot(schedule) === null) {
        return { ok: true, patch: { timezone: zone.value }, done: `Done: this channel's time zone is now **${zone.value}**. Round 1 still needs a day and time: \`/coffee config start monday 10:00\`.` }
      }
      const startAt = changedStart(schedule, { timezone: zone.value }, now)
      return { ok: true, patch: { timezone: zone.value, startAt }, done: `Done: this channel's time zone is now **${zone.value}**. Next round: **${formatInZone(startAt, zone.value)}**.` }
    },
    form: {
      fields: [textField('timezone', 'Time zone', 'Its IANA name, like Europe/Berlin, America/New_York or UTC; the next round keeps its time of day there.')],
      shown: ({ program }) => ({ timezone: program.timezone }),
      words: (values) => `timezone ${values.timezone ?? ''}`
    }
  },
  {
    words: /^start$/,
    usage: 'start <weekday> <HH:MM> | now',
    needs: SCHEDULE_NEEDS,
    change (value, ctx) {
      const asked = parseStart(value)
      if (!asked.ok) return asked
      if ('now' in asked.value) return reschedule(ctx, () => ctx.now)
      const { weekday, time } = asked.value
      return reschedule(ctx, (schedule) => changedStart(schedule, { weekday, ...(time === undefined ? {} : { time }) }, ctx.now))
    },
    form: {
      legend: 'When the next round is',
      fields: [
        {
          id: 'startDay',
          label: 'Next round on',
          hint: 'The weekday of the next round, or at once (the next scheduler run); later rounds follow the cadence at the same time of day.',
          options: [['', 'Not chosen yet'], ...WEEKDAY_NAMES.map((name) => [name, name[0]!.toUpperCase() + name.slice(1)] as const), ['now', 'Now (the next scheduler run)']]
        },
        textField('startTime', 'At', 'The 24-hour clock in the channel\'s time zone, like 10:00 or 14:30.')
      ],
      shown ({ program, lastSlot }) {
        const coming = nextSlot(programSchedule(program, lastSlot))
        if (coming === null) return { startDay: '', startTime: '' }
        const { weekday, time } = weekdayAndTime(coming, program.timezone)
        return { startDay: WEEKDAY_NAMES[weekday - 1]!, startTime: clockText(time) }
      },
      words: (values) => values.startDay === 'now' ? 'start now' : `start ${values.startDay ?? ''} ${values.startTime ?? ''}`
    }
  },
  {
    words: /^day$/,
    usage: 'day <weekday>',
    needs: SCHEDULE_NEEDS,
    change (value, ctx) {
      const weekday = parseWeekday(value)
      if (!weekday.ok) return weekday
      return reschedule(ctx, (schedule) => changedStart(schedule, { weekday: weekday.value }, ctx.now))
    }
  },
  {
    words: /^time$/,
    usage: 'time <HH:MM>',
    needs: SCHEDULE_NEEDS,
    change (value, ctx) {
      const time = parseClockTime(value)
      if (!time.ok) return time
      return reschedule(ctx, (schedule) => changedStart(schedule, { time: time.value }, ctx.now))
    }
  },
  {
    words: /^pause$/,
    usage: 'pause',
    change: (_value, { program }) => program.paused
      ? { ok: true, patch: {}, done: 'Coffee is already paused in this channel. `/coffee config resume` restarts it.' }
      : { ok: true, patch: { paused: true }, done: 'Coffee is now **paused** in this channel: no new rounds until `/coffee config resume`.' },
    form: {
      fields: [{ id: 'state', label: 'Coffee in this channel', hint: 'Paused: no new rounds until it runs again; nothing else changes.', options: [['running', 'Running'], ['paused', 'Paused']] }],
      shown: ({ program }) => ({ state: program.paused ? 'paused' : 'running' }),
      words: (values) => values.state === 'paused' ? 'pause' : values.state === 'running' ? 'resume' : `state ${values.state ?? ''}`
    }
  },
  {
    words: /^resume$/,
    usage: 'resume',
    change: (_value, { program }) => program.paused
      ? { ok: true, patch: { paused: false }, done: 'Coffee is **running** again in this channel. ☕' }
      : { ok: true, patch: {}, done: 'Coffee is not paused in this channel.' }
  }
]

/** The setting `/coffee config <word> …` names, if any. */
export function findSetting (word: string): Setting | undefined {
  return SETTINGS.find((s) => s.words.test(word.toLowerCase()))
}

/** What `/coffee config` answers to a word it does not know. */
export function unknownSetting (word: string): string {
  return `I don't know the setting \`${word.slice(0, 40)}\`. Try: ${SETTINGS.map((s) => `\`/coffee config ${s.usage}\``).join(', ')}.`
}

/** `/coffee config` arguments ("size 3", "start monday 10:00"): the setting and the value after its word. */
export function settingOf (args: string): { setting: Setting, value: string } | { error: string } {
  const [word = '', ...rest] = args.trim().split(/\s+/)
  const setting = findSetting(word)
  return setting === undefined ? { error: unknownSetting(word) } : { setting, value: rest.join(' ') }
}

export interface FormChange {
  patch: ProgramPatch
  /** What changed, in the sentences /coffee config answers with. */
  done: string[]
  /** Why a setting could not change, by the id of its first field. */
  errors: Record<string, string>
}

function samePatch (patch: ProgramPatch, program: ProgramState): boolean {
  return Object.entries(patch).every(([field, value]) => {
    const now = program[field as keyof ProgramState]
    return value instanceof Date && now instanceof Date ? value.getTime() === now.getTime() : value === now
  })
}

/**
 * The dashboard's settings form as changes. A setting whose fields still show what the page showed is left alone;
 * the others are read as the `/coffee config` words they add up to, in the order of SETTINGS (the cadence before a
 * schedule that mentions it, the zone before a start in it), each seeing the changes before it.
 */
export function changeFromForm (values: Readonly<Record<string, string | undefined>>, ctx: SettingContext): FormChange {
  const result: FormChange = { patch: {}, done: [], errors: {} }
  let program = ctx.program
  for (const setting of SETTINGS) {
    const form = setting.form
    if (form === undefined) continue
    const shown = form.shown(ctx)
    const typed: Record<string, string> = {}
    for (const field of form.fields) typed[field.id] = (values[field.id] ?? shown[field.id] ?? '').trim()
    if (form.fields.every((field) => typed[field.id] === shown[field.id])) continue
    const asked = settingOf(form.words(typed))
    const change = 'error' in asked ? { ok: false as const, error: asked.error } : asked.setting.change(asked.value, { ...ctx, program })
    if (!change.ok) { result.errors[form.fields[0]!.id] = change.error; continue }
    if (samePatch(change.patch, program)) continue
    program = { ...program, ...change.patch }
    Object.assign(result.patch, change.patch)
    result.done.push(change.done)
  }
  return result
}

/** The settings as rows of (name, value); `nextRound` says when the next round is, as the reader should read it. */
export function describeSettings (settings: ProgramSettings & { paused: boolean, timezone: string }, nextRound: string): [string, string][] {
  return [
    ['Rounds', describeCadence(settings.cadenceDays)],
    ['Next round', nextRound],
    ['Time zone', settings.timezone === '' ? 'not chosen yet (UTC)' : settings.timezone],
    ['Group size', `${settings.groupSize} (${describeLeftovers(settings.groupSize)})`],
    ['Who takes part', settings.mode === 'channel' ? 'everyone in the channel' : 'people who typed `/coffee join`'],
    ['Follow-up', describeFollowupDelay(settings.followupHours)],
    ['Working hours', settings.timezones
      ? `${describeWorkingHours(readWorkingHours(settings.workingHours))} on weekdays, in each person's time zone: every group shares an hour of them when it can`
      : 'time zones off: groups are made without looking at them'],
    ['Announcements', settings.announce ? 'on: a short post here when each round starts' : 'off'],
    ['State', settings.paused ? 'paused' : 'running']
  ]
}
