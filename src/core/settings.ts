// The program settings a channel admin may change, read and described in one place: /coffee config and the
// dashboard's settings form both parse with parseSetting and answer with its sentences.
import { parseCadence, parseHours, describeCadence, describeFollowupDelay } from './durations.js'
import { parseGroupSize, describeLeftovers, MIN_GROUP_SIZE, MAX_GROUP_SIZE } from './group-size.js'
import { DEFAULT_WORKING_HOURS, describeWorkingHours, formatWorkingHours, parseWorkingHours, readWorkingHours } from './working-hours.js'

export type ProgramMode = 'optin' | 'channel'

export interface ProgramSettings {
  cadenceDays: number
  groupSize: number
  followupHours: number
  mode: ProgramMode
  /** Everyone's working hours in their own time zone, as stored: "9-17". */
  workingHours: string
  /** Whether matching and intros look at people's time zones. */
  timezones: boolean
}

export type SettingName = keyof ProgramSettings

export type SettingChange =
  | { ok: true, patch: Partial<ProgramSettings>, done: string }
  | { ok: false, error: string }

/** What /coffee config shows before a program exists, and what a new program starts with (prisma/schema.prisma). */
export const DEFAULT_SETTINGS: Readonly<ProgramSettings> = Object.freeze({ cadenceDays: 7, groupSize: 2, followupHours: 72, mode: 'optin', workingHours: formatWorkingHours(DEFAULT_WORKING_HOURS), timezones: true })

/** The words of `/coffee config <setting> …`, and its usage line. */
export const SETTING_WORDS: Readonly<Record<SettingName, { words: RegExp, usage: string }>> = {
  cadenceDays: { words: /^(every|cadence|frequency)$/, usage: 'every <N> days|weeks' },
  groupSize: { words: /^size$/, usage: `size <${MIN_GROUP_SIZE}-${MAX_GROUP_SIZE}>` },
  mode: { words: /^mode$/, usage: 'mode optin|channel' },
  followupHours: { words: /^(followup|follow-up)$/, usage: 'followup <N> hours|days' },
  workingHours: { words: /^(hours|working-hours)$/, usage: 'hours <start>-<end>' },
  timezones: { words: /^(timezones|time-zones)$/, usage: 'timezones on|off' }
}

/** A setting as typed (`2 weeks`, `3`, `channel`, `48 hours`): the change to make and what to say, or what is wrong. */
export function parseSetting (name: SettingName, value: string): SettingChange {
  switch (name) {
    case 'cadenceDays': {
      const days = parseCadence(value)
      if (!days.ok) return days
      return { ok: true, patch: { cadenceDays: days.value }, done: `Done: rounds now run **${describeCadence(days.value)}**, counted from the last round.` }
    }
    case 'groupSize': {
      const size = parseGroupSize(value.trim())
      if (!size.ok) return size
      return { ok: true, patch: { groupSize: size.value }, done: `Done: from the next round, groups of **${size.value}** (${describeLeftovers(size.value)}).` }
    }
    case 'mode': {
      const mode = value.trim().toLowerCase()
      if (mode !== 'optin' && mode !== 'channel') return { ok: false, error: 'The mode is `optin` (people type `/coffee join`) or `channel` (everyone in the channel takes part unless they leave).' }
      return {
        ok: true,
        patch: { mode },
        done: mode === 'channel'
          ? 'Done: **everyone in this channel** now takes part, unless they type `/coffee leave`.'
          : 'Done: only people who type `/coffee join` take part now.'
      }
    }
    case 'followupHours': {
      const hours = parseHours(value)
      if (!hours.ok) return hours
      return { ok: true, patch: { followupHours: hours.value }, done: `Done: I'll ask "did you meet?" **${describeFollowupDelay(hours.value)}**.` }
    }
    case 'workingHours': {
      const hours = parseWorkingHours(value)
      if (!hours.ok) return hours
      return { ok: true, patch: { workingHours: formatWorkingHours(hours.value) }, done: `Done: from the next round, working hours are **${describeWorkingHours(hours.value)}** on weekdays, in each person's own time zone.` }
    }
    case 'timezones': {
      const word = value.trim().toLowerCase()
      if (word !== 'on' && word !== 'off') return { ok: false, error: 'Time zones are `on` (groups share working hours; intros say when) or `off`.' }
      return {
        ok: true,
        patch: { timezones: word === 'on' },
        done: word === 'on'
          ? 'Done: from the next round, groups are made of people whose working hours overlap, and intros say when.'
          : 'Done: from the next round, time zones are not looked at.'
      }
    }
  }
}

/** The settings as rows of (label, value), for the config table and the dashboard. */
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
    ['State', settings.paused ? 'paused' : 'running']
  ]
}
