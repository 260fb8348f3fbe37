// /coffee config: the program's settings. Anyone may look; channel admins and system admins may change them,
// as Mattermost reports their roles.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps } from './deps.js'
import { parseCadence, parseHours, describeCadence, describeFollowupDelay } from '../core/durations.js'
import { markdownTable } from '../core/markdown.js'
import { botMissing } from './channel-access.js'
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
      if (program === null) return 'Coffee has not started in this channel yet. Defaults: rounds every week, groups of 2, follow-up after 3 days, opt-in.'
      return markdownTable(['Setting', 'Value'], [
        ['Rounds', describeCadence(program.cadenceDays)],
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
