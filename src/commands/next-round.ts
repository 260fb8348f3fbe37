// When the next round is, as the person asking reads it: in their own Mattermost time zone (else the channel's), the
// zone named; or, before a channel admin chose a start, how to choose one.
import type { CommandContext } from './registry.js'
import type { CommandDeps } from './deps.js'
import { nextSlot, programSchedule } from '../core/schedule.js'
import { formatInZone, zoneOrUtc } from '../core/local-time.js'
import { HOW_TO_START } from '../core/messages.js'

/** The zone to show times in for the person typing: theirs from Mattermost; the channel's when that is unknown. */
export async function viewerZone (ctx: CommandContext<CommandDeps>, channelZone: string): Promise<string> {
  try {
    const own = (await ctx.deps.users?.getUser(ctx.command.userId))?.timezone ?? ''
    return zoneOrUtc(own === '' ? channelZone : own)
  } catch (error) {
    // A time in the channel's zone is better than no answer while Mattermost hiccups.
    ctx.log.warn({ err: error }, 'could not read the person\'s time zone from Mattermost')
    return zoneOrUtc(channelZone)
  }
}

/** "Mon 7 Dec 2026, 10:00 (Europe/Berlin)", "at the next scheduler run", or "not scheduled yet: …". */
export async function describeNextRound (ctx: CommandContext<CommandDeps>, program: { cadenceDays: number, startAt: Date | null, timezone: string }, lastSlot: Date | null): Promise<string> {
  const slot = nextSlot(programSchedule(program, lastSlot))
  if (slot === null) return `not scheduled yet: ${HOW_TO_START}`
  if (slot.getTime() <= ctx.now.getTime()) return 'at the next scheduler run'
  return formatInZone(slot, await viewerZone(ctx, program.timezone))
}
