// /coffee config: the program's settings. Anyone may look; channel admins and system admins may change them,
// as Mattermost reports their roles.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps, UserDirectory } from './deps.js'
import { markdownTable } from '../core/markdown.js'
import { botMissing } from './channel-access.js'
import { describeNextRound } from './next-round.js'
import { HOW_TO_START } from '../core/messages.js'
import { SETTINGS, findSetting, unknownSetting, describeSettings, type Setting } from '../core/settings.js'

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

/** A setting of core/settings (shared with the dashboard's form), read with what it needs, then saved. */
async function apply (ctx: Ctx, setting: Setting, value: string): Promise<string> {
  const program = await ensureProgram(ctx)
  const lastSlot = setting.needs?.lastSlot === true ? await ctx.deps.store.lastSlot(program.id) : null
  // A first schedule is in the admin's own zone: asked of Mattermost only then.
  const ownZone = setting.needs?.ownZone === true && program.timezone === '' && ctx.deps.users !== undefined
    ? (await ctx.deps.users.getUser(ctx.command.userId))?.timezone ?? ''
    : ''
  const change = setting.change(value, { program, lastSlot, now: ctx.now, ownZone })
  if (!change.ok) return change.error
  if (Object.keys(change.patch).length > 0) await ctx.deps.store.updateProgram(program.id, change.patch)
  return change.done
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
    const setting = findSetting(word)
    if (setting === undefined) return unknownSetting(word)
    // The bot first: reading the caller's channel roles needs it in the channel too.
    const missing = await botMissing(ctx, `/coffee config ${ctx.args}`)
    if (missing !== null) return missing
    const admin = await adminCheck(ctx)
    if ('refusal' in admin) return admin.refusal
    return apply(ctx, setting, rest.join(' '))
  }
}
