// /coffee dashboard: a private, one-time link to the channel's dashboard, for channel admins and system admins.
import type { CommandSpec } from './registry.js'
import type { CommandDeps } from './deps.js'
import { adminCheck } from './config.js'
import { botMissing } from './channel-access.js'
import { LINK_TTL_MS, SESSION_TTL_MS } from '../dashboard/session.js'
import { describeHours } from '../core/durations.js'

export const DASHBOARD_REFUSAL = 'The dashboard is for channel admins (and system admins). `/coffee stats` shows how coffee is going here.'

export const dashboard: CommandSpec<CommandDeps> = {
  name: 'dashboard',
  help: 'A private link to this channel\'s dashboard: who met whom, the met rate, the next round, the settings.',
  audience: 'admins',
  async run (ctx) {
    const missing = await botMissing(ctx, '/coffee dashboard')
    if (missing !== null) return missing
    const admin = await adminCheck(ctx, DASHBOARD_REFUSAL)
    if ('refusal' in admin) return admin.refusal
    const links = ctx.deps.dashboard
    if (links === undefined) return 'The dashboard is not available yet: the admin needs to set `PUBLIC_URL` (the address where Mattermost and browsers reach Coffee), then restart Coffee.'
    const url = await links.issue({ channelId: ctx.command.channelId, userId: ctx.command.userId, systemAdmin: admin.role === 'system_admin' }, ctx.now)
    const minutes = Math.round(LINK_TTL_MS / 60_000)
    return `[Open the coffee dashboard](${url}) for ${ctx.command.channelName === '' ? 'this channel' : `~${ctx.command.channelName}`}. ` +
      `The link is yours alone: it works once, in the next ${minutes} minutes, and keeps you signed in for ${describeHours(SESSION_TTL_MS / 3_600_000)}. ` +
      'Type `/coffee dashboard` again for a new one.'
  }
}
