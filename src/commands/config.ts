// /coffee config: the program's settings. Anyone may look; channel admins and system admins may change them,
// as Mattermost reports their roles.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps } from './deps.js'
import { parseCadence, parseHours, describeCadence, describeFollowupDelay } from '../core/durations.js'
import { markdownTable } from '../core/markdown.js'
import { botMissing } from './channel-access.js'
import { parseStart, parseWeekday, parseClockTime, parseTimeZone, formatInZone, describeWeeklyTime, zoneOrUtc } from '../core/local-time.js'
import { changedStart, nextSlot, programSchedule, type ScheduleInput } from '../core/schedule.js'
import { describeNextRound, HOW_TO_START } from './next-round.js'
import { describeLeftovers, parseGroupSize, MIN_GROUP_SIZE, MAX_GROUP_SIZE } from '../core/group-size.js'

type Ctx = CommandContext<CommandDeps>

const hasRole = (roles: string | undefined, role: string) => (roles ?? '').split(/\s+/).includes(role)

/** Channel admin of this channel, or system admin. Null when allowed, else the reason. */
async function adminCheck (ctx: Ctx): Promise<string | null> {
  const users = ctx.deps.users
  if (users === undefined) return 'I cannot check your permissions: the admin has not connected Coffee to Mattermost yet (MATTERMOST_URL and MATTERMOST_BOT_TOKEN).'
  const member = await users.getChannelMember(ctx.command.channelId, ctx.command.userId)
  if (hasRole(member?.roles, 'channel_admin')) return null
  const user = await users.getUser(ctx.command.userId)
  if (hasRole(user?.roles, 'system_admin')) return null
  return 'Only channel admins (and system admins) can change coffee settings here. `/coffee config` shows them.'
}

interface Setting {
  words: RegExp
  usage: string
  apply(ctx: Ctx, value: string): Promise<string>
}

const SETTINGS: Setting[] = [
  {
    words: /^(every|cadence|frequency)$/,
    usage: 'every <N> days|weeks',
    async apply (ctx, value) {
      const days = parseCadence(value)
      if (!days.ok) return days.error
      const program = await ensureProgram(ctx)
      await ctx.deps.store.updateProgram(program.id, { cadenceDays: days.value })
      return `Done: rounds now run **${describeCadence(days.value)}**, counted from the last round.`
    }
  },
  {
    words: /^size$/,
    usage: `size <${MIN_GROUP_SIZE}-${MAX_GROUP_SIZE}>`,
    async apply (ctx, value) {
      const size = parseGroupSize(value)
      if (!size.ok) return size.error
      const program = await ensureProgram(ctx)
      await ctx.deps.store.updateProgram(program.id, { groupSize: size.value })
      return `Done: from the next round, groups of **${size.value}** (${describeLeftovers(size.value)}).`
    }
  },
  {
    words: /^mode$/,
    usage: 'mode optin|channel',
    async apply (ctx, value) {
      const mode = value.toLowerCase()
      if (mode !== 'optin' && mode !== 'channel') return 'The mode is `optin` (people type `/coffee join`) or `channel` (everyone in the channel takes part unless they leave).'
      const program = await ensureProgram(ctx)
      await ctx.deps.store.updateProgram(program.id, { mode })
      return mode === 'channel'
        ? 'Done: **everyone in this channel** now takes part, unless they type `/coffee leave`.'
        : 'Done: only people who type `/coffee join` take part now.'
    }
  },
  {
    words: /^(followup|follow-up)$/,
    usage: 'followup <N> hours|days',
    async apply (ctx, value) {
      const hours = parseHours(value)
      if (!hours.ok) return hours.error
      const program = await ensureProgram(ctx)
      await ctx.deps.store.updateProgram(program.id, { followupHours: hours.value })
      return `Done: I'll ask "did you meet?" **${describeFollowupDelay(hours.value)}**.`
    }
  },
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
      const lastSlot = await ctx.deps.store.lastSlot(program.id)
      return markdownTable(['Setting', 'Value'], [
        ['Rounds', describeCadence(program.cadenceDays)],
        ['Next round', program.paused ? 'none while paused' : await describeNextRound(ctx, program, lastSlot)],
        ['Time zone', program.timezone === '' ? 'not chosen yet (UTC)' : program.timezone],
        ['Group size', `${program.groupSize} (${describeLeftovers(program.groupSize)})`],
        ['Who takes part', program.mode === 'channel' ? 'everyone in the channel' : 'people who typed `/coffee join`'],
        ['Follow-up', describeFollowupDelay(program.followupHours)],
        ['State', program.paused ? 'paused' : 'running']
      ])
    }
    const setting = SETTINGS.find((s) => s.words.test(word.toLowerCase()))
    if (setting === undefined) {
      return `I don't know the setting \`${word.slice(0, 40)}\`. Try: ${SETTINGS.map((s) => `\`/coffee config ${s.usage}\``).join(', ')}.`
    }
    // The bot first: reading the caller's channel roles needs it in the channel too.
    const missing = await botMissing(ctx, `/coffee config ${ctx.args}`)
    if (missing !== null) return missing
    const refusal = await adminCheck(ctx)
    if (refusal !== null) return refusal
    return setting.apply(ctx, rest.join(' '))
  }
}
