// The program settings a channel admin may change, read and described in one place: /coffee config and the
// dashboard's settings form both parse with parseSetting and answer with its sentences.
import { parseCadence, parseHours, describeCadence, describeFollowupDelay } from './durations.js'
import { parseGroupSize, describeLeftovers, MIN_GROUP_SIZE, MAX_GROUP_SIZE } from './group-size.js'

export type ProgramMode = 'optin' | 'channel'

export interface ProgramSettings {
  cadenceDays: number
  groupSize: number
  followupHours: number
  mode: ProgramMode
  /** A post in the channel when each round starts (core/announcement.ts). */
  announce: boolean
}

export type SettingName = keyof ProgramSettings

export type SettingChange =
  | { ok: true, patch: Partial<ProgramSettings>, done: string }
  | { ok: false, error: string }

/** What /coffee config shows before a program exists, and what a new program starts with (prisma/schema.prisma). */
export const DEFAULT_SETTINGS: Readonly<ProgramSettings> = Object.freeze({ cadenceDays: 7, groupSize: 2, followupHours: 72, mode: 'optin', announce: true })

/** The words of `/coffee config <setting> …`, and its usage line. */
export const SETTING_WORDS: Readonly<Record<SettingName, { words: RegExp, usage: string }>> = {
  cadenceDays: { words: /^(every|cadence|frequency)$/, usage: 'every <N> days|weeks' },
  groupSize: { words: /^size$/, usage: `size <${MIN_GROUP_SIZE}-${MAX_GROUP_SIZE}>` },
  mode: { words: /^mode$/, usage: 'mode optin|channel' },
  followupHours: { words: /^(followup|follow-up)$/, usage: 'followup <N> hours|days' },
  announce: { words: /^(announce|announcements?)$/, usage: 'announce on|off' }
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
    case 'announce': {
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
    }
  }
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
    ['Announcements', settings.announce ? 'on: a short post here when each round starts' : 'off'],
    ['State', settings.paused ? 'paused' : 'running']
  ]
}
