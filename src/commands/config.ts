// /coffee config: the program's settings. Anyone may look; channel admins and system admins may change them,
// as Mattermost reports their roles.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps, UserDirectory } from './deps.js'
import { markdownTable } from '../core/markdown.js'
import { botMissing } from './channel-access.js'
import { parseStart, parseWeekday, parseClockTime, parseTimeZone, formatInZone, describeWeeklyTime, zoneOrUtc } from '../core/local-time.js'
import { changedStart, nextSlot, programSchedule, type ScheduleInput } from '../core/schedule.js'
import { describeCadence } from '../core/durations.js'
import { describeNextRound } from './next-round.js'
import { HOW_TO_START } from '../core/messages.js'
import { parseSetting, describeSettings, SETTING_WORDS, type SettingName } from '../core/settings.js'

type Ctx = CommandContext<CommandDeps>

const hasRole = (roles: string | undefined, role: string) => (roles ?? '').split(/\s+/).includes(role)

export type AdminRole = 'channel_admin' | 'system_admin'

/** Whether Mattermost says this person administers the channel (or the whole server); null when neither. */
export async function adminRole (users: Pick<UserDirectory, 'getChannelMember' | 'getUser'>, channelId: string, userId: string): Promise<AdminRole | null> {
  const member = await users.getChannelMember(channelId, userId)
  if (hasRole(member?.roles, 'channel_admin')) return 'channel_admin'
  const user = await users.getUser(userId)
  if (hasRole(user?.roles, 'system_admin')) return 'system_admin'
  return null
}

export const NO_MATTERMOST = 'I cannot check your permissions: the admin has not connected Coffee to Mattermost yet (MATTERMOST_URL and MATTERMOST_BOT_TOKEN).'

/** Channel admin of this channel, or system admin: their role. Else the reason, with `refusal` for non-admins. */
export async function adminCheck (ctx: Ctx, refusal = 'Only channel admins (and system admins) can change coffee settings here. `/coffee config` shows them.'): Promise<{ role: AdminRole } | { refusal: string }> {
  const users = ctx.deps.users
  if (users === undefined) return { refusal: NO_MATTERMOST }
  const role = await adminRole(users, ctx.command.channelId, ctx.command.userId)
  return role === null ? { refusal } : { role }
}

interface Setting {
  words: RegExp
  usage: string
  apply(ctx: Ctx, value: string): Promise<string>
}

/** A setting parsed by core/settings (shared with the dashboard's form), then saved. */
function changeable (name: SettingName): Setting {
  return {
    ...SETTING_WORDS[name],
    async apply (ctx, value) {
      const change = parseSetting(name, value)
      if (!change.ok) return change.error
      const program = await ensureProgram(ctx)
      await ctx.deps.store.updateProgram(program.id, change.patch)
      return change.done
    }
  }
}

const SETTINGS: Setting[] = [
  changeable('cadenceDays'),
  changeable('groupSize'),
  changeable('mode'),
  changeable('followupHours'),
  changeable('workingHours'),
  changeable('timezones'),
  {
    words: /^start$/,
    usage: 'start <weekday> <HH:MM> | now',
    async apply (ctx, value) {
      const asked = parseStart(value)
      if (!asked.ok) return asked.error
      if ('now' in asked.value) return await reschedule(ctx, () => ctx.now)
      const { weekday, time } = asked.value
      return await reschedule(ctx, (schedule) => changedStart(schedule, { weekday, ...(time === undefined ? {} : { time }) }, ctx.now))
    }
  },
  {
    words: /^day$/,
    usage: 'day <weekday>',
    async apply (ctx, value) {
      const weekday = parseWeekday(value)
      if (!weekday.ok) return weekday.error
      return await reschedule(ctx, (schedule) => changedStart(schedule, { weekday: weekday.value }, ctx.now))
    }
  },
  {
    words: /^time$/,
    usage: 'time <HH:MM>',
    async apply (ctx, value) {
      const time = parseClockTime(value)
      if (!time.ok) return time.error
      return await reschedule(ctx, (schedule) => changedStart(schedule, { time: time.value }, ctx.now))
    }
  },
  {
    words: /^(timezone|tz|zone)$/,
    usage: 'timezone <Area/City>',
    async apply (ctx, value) {
      const zone = parseTimeZone(value)
      if (!zone.ok) return zone.error
      const program = await ensureProgram(ctx)
      const lastSlot = await ctx.deps.store.lastSlot(program.id)
      const schedule = programSchedule(program, lastSlot)
      if (nextSlot(schedule) === null) {
        await ctx.deps.store.updateProgram(program.id, { timezone: zone.value })
        return `Done: this channel's time zone is now **${zone.value}**. Round 1 still needs a day and time: \`/coffee config start monday 10:00\`.`
      }
      const startAt = changedStart(schedule, { timezone: zone.value }, ctx.now)
      await ctx.deps.store.updateProgram(program.id, { timezone: zone.value, startAt })
      return `Done: this channel's time zone is now **${zone.value}**. Next round: **${formatInZone(startAt, zone.value)}**.`
    }
  },
  {
    words: /^pause$/,
    usage: 'pause',
    async apply (ctx) {
      const program = await ensureProgram(ctx)
      if (program.paused) return 'Coffee is already paused in this channel. `/coffee config resume` restarts it.'
      await ctx.deps.store.updateProgram(program.id, { paused: true })
      return 'Coffee is now **paused** in this channel: no new rounds until `/coffee config resume`.'
    }
  },
  {
    words: /^resume$/,
    usage: 'resume',
    async apply (ctx) {
      const program = await ensureProgram(ctx)
      if (!program.paused) return 'Coffee is not paused in this channel.'
      await ctx.deps.store.updateProgram(program.id, { paused: false })
      return 'Coffee is **running** again in this channel. ☕'
    }
  }
]

/**
 * Sets the program's next start from `start`, given its schedule in the zone to use (the channel's, or on first use the
 * admin's own from Mattermost, else UTC), and says what that means.
 */
async function reschedule (ctx: Ctx, start: (schedule: ScheduleInput) => Date): Promise<string> {
  const program = await ensureProgram(ctx)
  let zone = program.timezone
  let zoneNote = ''
  if (zone === '') {
    const own = ctx.deps.users === undefined ? '' : (await ctx.deps.users.getUser(ctx.command.userId))?.timezone ?? ''
    zone = zoneOrUtc(own)
    zoneNote = own === '' ? ` Times are in ${zone}; \`/coffee config timezone Europe/Berlin\` changes that.` : ` Times are in ${zone}, your time zone in Mattermost; \`/coffee config timezone …\` changes that.`
  }
  const lastSlot = await ctx.deps.store.lastSlot(program.id)
  const startAt = start({ ...programSchedule(program, lastSlot), timezone: zone })
  await ctx.deps.store.updateProgram(program.id, { startAt, timezone: zone })
  const which = lastSlot === null ? 'Round 1' : 'The next round'
  const when = startAt.getTime() <= ctx.now.getTime() ? 'at the next scheduler run' : `on **${formatInZone(startAt, zone)}**`
  const then = program.cadenceDays % 7 === 0 ? `, then ${describeCadence(program.cadenceDays)} on ${describeWeeklyTime(startAt, zone)}` : `, then ${describeCadence(program.cadenceDays)}`
  return `Done: ${which} is ${when}${then}.${zoneNote}`
}

function ensureProgram (ctx: Ctx) {
  const { command } = ctx
  return ctx.deps.store.ensureProgram({ teamId: command.teamId, channelId: command.channelId, channelName: command.channelName })
}

export const config: CommandSpec<CommandDeps> = {
  name: 'config',
  aliases: ['settings'],
  args: `[${SETTINGS.map((s) => s.usage).join(' | ')}]`,
  help: 'Show the settings of coffee in this channel, or change one.',
  audience: 'admins',
  async run (ctx) {
    const [word = '', ...rest] = ctx.args.split(' ')
    if (word === '') {
      const program = await ctx.deps.store.findProgram(ctx.command.channelId)
      if (program === null) return `Coffee has not started in this channel yet. Defaults: rounds every week, groups of 2, follow-up after 3 days, opt-in; round 1 waits until ${HOW_TO_START}.`
      const next = program.paused ? 'none while paused' : await describeNextRound(ctx, program, await ctx.deps.store.lastSlot(program.id))
      return markdownTable(['Setting', 'Value'], describeSettings(program, next))
    }
    const setting = SETTINGS.find((s) => s.words.test(word.toLowerCase()))
    if (setting === undefined) {
      return `I don't know the setting \`${word.slice(0, 40)}\`. Try: ${SETTINGS.map((s) => `\`/coffee config ${s.usage}\``).join(', ')}.`
    }
    // The bot first: reading the caller's channel roles needs it in the channel too.
    const missing = await botMissing(ctx, `/coffee config ${ctx.args}`)
    if (missing !== null) return missing
    const admin = await adminCheck(ctx)
    if ('refusal' in admin) return admin.refusal
    return setting.apply(ctx, rest.join(' '))
  }
}
