// Coffee can only work in a channel the bot is a member of: it reads the channel's members at round time and posts
// there. Commands that put people or the channel into rounds check first, so nobody hears "You're in!" for a channel
// whose rounds could never start.
import type { CommandContext } from './registry.js'
import type { CommandDeps } from './deps.js'

/** Null when the bot is (or just became) a member of the channel; else what to tell the person, with the fix. */
export async function botMissing (ctx: CommandContext<CommandDeps>, retry: string): Promise<string | null> {
  const users = ctx.deps.users
  // Without Mattermost settings nothing can be checked; rounds report that on their own.
  if (users === undefined) return null
  if (await users.joinChannel(ctx.command.channelId) !== 'refused') return null
  const bot = (await users.getMe()).username
  return 'I\'m not a member of this channel, so I can\'t see who is here or introduce anyone, and nothing was changed. ' +
    `Someone in the channel can add me with \`/invite @${bot}\` (private channels need that); then type \`${retry}\` again.`
}
