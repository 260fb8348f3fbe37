// What a person does for themselves: join, leave, skip, pause, resume, status, block, unblock.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps } from './deps.js'
import { participationState, visitWorthWriting } from '../core/participation.js'
import { parsePauseEnd, formatDate, describeCadence } from '../core/durations.js'
import { describeNextRound } from './next-round.js'
import { describeLeftovers } from '../core/group-size.js'
import type { Program, Participant } from '../store/participation.js'
import { botMissing } from './channel-access.js'
import { SKIP_DONE, SKIP_ALREADY } from '../core/messages.js'

type Spec = CommandSpec<CommandDeps>
type Ctx = CommandContext<CommandDeps>

/** The channel's program and the caller's row (either may not exist yet). */
function load (ctx: Ctx) {
  return ctx.deps.store.membership(ctx.command.channelId, ctx.command.userId)
}

/** As load, for commands that only make sense for someone taking part: null when they are not. */
async function loadJoined (ctx: Ctx): Promise<{ program: Program, participant: Participant | null } | null> {
  const { program, participant } = await load(ctx)
  if (program === null || !participationState(program, participant, ctx.now).joined) return null
  return { program, participant }
}

/** Fields every write of the caller's row carries: their current username, and this visit (a sign of life). */
function visit (ctx: Ctx) {
  return { username: ctx.command.userName, lastSeenAt: ctx.now }
}

const ALREADY_IN = "You're already in. ☕ You'll be introduced to someone in the next round."
const NOT_IN = 'You are not taking part in coffee in this channel. Type `/coffee join` to join.'

export const join: Spec = {
  name: 'join',
  aliases: ['in', 'start'],
  help: 'Take part in coffee in this channel.',
  audience: 'everyone',
  async run (ctx) {
    const loaded = await load(ctx)
    const { participant } = loaded
    if (loaded.program !== null && participant !== null) {
      const state = participationState(loaded.program, participant, ctx.now)
      if (state.joined) {
        return state.eligible
          ? ALREADY_IN
          : "You're already in. (You're skipping or paused: `/coffee resume` puts you back for the next round.)"
      }
    }
    const missing = await botMissing(ctx, '/coffee join')
    if (missing !== null) return missing
    const program = loaded.program ?? await ctx.deps.store.ensureProgram({ teamId: ctx.command.teamId, channelId: ctx.command.channelId, channelName: ctx.command.channelName })
    const fresh = { ...visit(ctx), status: 'active' as const, leftAt: null, skipNext: false, pausedUntil: null, autoPausedAt: null, joinedAt: ctx.now }
    if (participant !== null) {
      await ctx.deps.store.saveParticipant(participant, program.id, ctx.command.userId, fresh)
      return welcome(program, false)
    }
    // Someone new, in one statement; a second request of the same person that lost the race is simply already in.
    if (!await ctx.deps.store.createParticipant(program.id, ctx.command.userId, fresh)) return ALREADY_IN
    return welcome(program, true)
  }
}

/** What join answers once the person is in; `firstTime` when they had no row in this program before. */
function welcome (program: Program, firstTime: boolean): string {
  const hello = program.mode === 'channel' && firstTime
    ? "You're in — everyone in this channel takes part here."
    : "You're in! ☕ Every round I'll introduce you to someone from this channel you haven't met yet."
  return `${hello} Rounds run ${describeCadence(program.cadenceDays)}. Type \`/coffee help\` to see how to skip a round, pause or leave.`
}

export const leave: Spec = {
  name: 'leave',
  aliases: ['out', 'stop', 'quit'],
  help: 'Stop taking part in this channel (your history is kept).',
  audience: 'everyone',
  async run (ctx) {
    const { program, participant } = await load(ctx)
    if (program === null || !participationState(program, participant, ctx.now).joined) return 'You are not taking part in coffee in this channel, so there is nothing to leave.'
    await ctx.deps.store.saveParticipant(participant, program.id, ctx.command.userId, { ...visit(ctx), status: 'left', leftAt: ctx.now, skipNext: false })
    return "You've left coffee in this channel. No more introductions here; you can come back any time with `/coffee join`."
  }
}

export const skip: Spec = {
  name: 'skip',
  help: 'Sit out the next round only.',
  audience: 'everyone',
  async run (ctx) {
    const joined = await loadJoined(ctx)
    if (joined === null) return NOT_IN
    const { program, participant } = joined
    if (participant?.skipNext === true) return SKIP_ALREADY
    await ctx.deps.store.saveParticipant(participant, program.id, ctx.command.userId, { ...visit(ctx), skipNext: true })
    return SKIP_DONE
  }
}

export const pause: Spec = {
  name: 'pause',
  args: '<2w | 10d | until 2026-12-24>',
  help: 'Take a break for a while, or until a date.',
  audience: 'everyone',
  async run (ctx) {
    const joined = await loadJoined(ctx)
    if (joined === null) return NOT_IN
    const { program, participant } = joined
    const end = parsePauseEnd(ctx.args, ctx.now)
    if (!end.ok) return end.error
    await ctx.deps.store.saveParticipant(participant, program.id, ctx.command.userId, { ...visit(ctx), pausedUntil: end.value })
    return `Enjoy the break! You're paused until **${formatDate(end.value)}**, then you're back automatically. \`/coffee resume\` ends it early.`
  }
}

export const resume: Spec = {
  name: 'resume',
  aliases: ['unpause'],
  help: 'End a pause or a skip: back in for the next round.',
  audience: 'everyone',
  async run (ctx) {
    const { program, participant } = await load(ctx)
    if (program === null) return NOT_IN
    const state = participationState(program, participant, ctx.now)
    if (!state.joined) return NOT_IN
    if (state.eligible) return "You're not paused or skipping, so you're already in for the next round. ☕"
    await ctx.deps.store.saveParticipant(participant, program.id, ctx.command.userId, { ...visit(ctx), skipNext: false, pausedUntil: null, autoPausedAt: null })
    return "Welcome back! You're in for the next round. ☕"
  }
}

export const status: Spec = {
  name: 'status',
  aliases: ['me'],
  help: 'Your coffee in this channel, and when the next round is.',
  audience: 'everyone',
  async run (ctx) {
    const view = await ctx.deps.store.statusView(ctx.command.channelId, ctx.command.userId)
    if (view?.participant != null && visitWorthWriting(view.participant.lastSeenAt, ctx.now)) await ctx.deps.store.touch(ctx.command.channelId, ctx.command.userId, ctx.now)
    if (view === null) return 'Coffee has not started in this channel yet. Type `/coffee join` to be the first. ☕'
    const { program, participant, round, group } = view
    const state = participationState(program, participant, ctx.now)
    const lines: string[] = []
    if (!state.joined) lines.push('You are **not taking part** in this channel. `/coffee join` to join.')
    else if (state.autoPaused) lines.push("You're **paused** because the last rounds went unanswered. `/coffee resume` to come back.")
    else if (state.pausedUntil !== null) lines.push(`You're **paused** until ${formatDate(state.pausedUntil)}.${state.skipping ? ' After that you will also skip one round.' : ''}`)
    else if (state.skipping) lines.push("You're **in**, and sitting out the next round.")
    else lines.push("You're **in** for the next round. ☕")
    const when = await describeNextRound(ctx, program, round?.startedAt ?? null)
    lines.push(`Rounds run ${describeCadence(program.cadenceDays)} in groups of ${program.groupSize} (${describeLeftovers(program.groupSize)}). ${program.paused ? 'Coffee is **paused** in this channel by an admin.' : `Next round: ${when}.`}`)
    if (round !== null && participant !== null && group !== null) {
      const others = group.filter((name) => name !== participant.username)
      lines.push(`Your group in round ${round.number}: ${others.map((name) => `@${name}`).join(', ')}.`)
    }
    return lines.map((line) => `- ${line}`).join('\n')
  }
}

/** Finds the user a `block @name` points at: Mattermost's resolved mentions first, then the API. */
async function resolveTarget (ctx: Ctx): Promise<{ id: string, username: string } | string> {
  const name = ctx.args.split(' ')[0]?.replace(/^@/, '').toLowerCase() ?? ''
  if (name === '') return 'Who? Mention them, like `/coffee block @jane`.'
  const mentioned = ctx.command.mentions.get(name)
  if (mentioned !== undefined) return { id: mentioned, username: name }
  if (ctx.deps.users === undefined) return 'I cannot look people up yet: the admin has not connected Coffee to Mattermost (MATTERMOST_URL and MATTERMOST_BOT_TOKEN).'
  const user = await ctx.deps.users.getUserByUsername(name)
  if (user === null) return `I couldn't find anyone called @${name}.`
  return { id: user.id, username: user.username }
}

export const block: Spec = {
  name: 'block',
  args: '@someone',
  help: 'Never be grouped with this person, in any channel. They are never told.',
  audience: 'everyone',
  anywhere: true,
  async run (ctx) {
    const target = await resolveTarget(ctx)
    if (typeof target === 'string') return target
    if (target.id === ctx.command.userId) return "You can't block yourself. 🙂"
    const added = await ctx.deps.store.addBlock(ctx.command.userId, target.id, ctx.now)
    return added
      ? `Done. You will never be grouped with @${target.username}. This stays between you and Coffee: they are not told.`
      : `You had already blocked @${target.username}. You will not be grouped together.`
  }
}

export const unblock: Spec = {
  name: 'unblock',
  args: '@someone',
  help: 'Undo a block.',
  audience: 'everyone',
  anywhere: true,
  async run (ctx) {
    const target = await resolveTarget(ctx)
    if (typeof target === 'string') return target
    const removed = await ctx.deps.store.removeBlock(ctx.command.userId, target.id)
    return removed ? `Unblocked @${target.username}: you may be grouped together again.` : `You had not blocked @${target.username}.`
  }
}

export const participationCommands: readonly Spec[] = [join, leave, skip, pause, resume, status, block, unblock]
