// /coffee config: the program's settings. Anyone may look; channel admins and system admins may change them,
// as Mattermost reports their roles.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps, UserDirectory } from './deps.js'
import { markdownTable } from '../core/markdown.js'
import { botMissing } from './channel-access.js'
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
      return markdownTable(['Setting', 'Value'], describeSettings(program))
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
