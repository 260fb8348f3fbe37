// Starts the rounds that are due: reads what core/plan-round needs (the program's people, Mattermost's view of
// them, the history), and commits the plan it returns (round, groups, intro deliveries) before anything is sent.
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../clock.js'
import type { RoundsStore, ProgramWithLastRound } from '../store/rounds.js'
import type { FollowupsStore } from '../store/followups.js'
import { GatewayError, type ChatGateway } from '../mattermost/gateway.js'
import { HOW_TO_START, tooFewMessage } from '../core/messages.js'
import { candidateIds, type Excluded } from '../core/eligibility.js'
import { planRound, roundDue } from '../core/plan-round.js'
import { fairAnswerTimeMs } from '../core/participation.js'

// pass.ts asks whether a round is about to start.
export { roundDue }

export interface StartDeps {
  store: RoundsStore
  followups: FollowupsStore
  gateway: Pick<ChatGateway, 'getMe' | 'getUsersByIds' | 'getChannelMemberIds' | 'getChannelAdminIds' | 'createDirectChannel' | 'createPost'>
  clock: Clock
  random: () => number
  log: FastifyBaseLogger
}

export interface StartOptions {
  force?: boolean
  channelId?: string
  dryRun?: boolean
}

export interface RoundReport {
  channel_id: string
  channel_name: string
  round: number
  eligible: number
  groups: number
  alone: number
  excluded: Excluded
  /** Dry runs only: who would meet whom. */
  plan?: { groups: string[][], alone: string[] }
}

export interface SkipReport {
  channel_id: string
  reason: string
}

export interface StartSummary {
  started: RoundReport[]
  skipped: SkipReport[]
  errors: { channel_id: string, channel_name: string, message: string }[]
}

export async function startDueRounds (deps: StartDeps, options: StartOptions = {}): Promise<StartSummary> {
  const { store, log } = deps
  const summary: StartSummary = { started: [], skipped: [], errors: [] }
  const programs = await store.programs(options.channelId === undefined ? {} : { channelId: options.channelId })
  if (options.channelId !== undefined && programs.length === 0) {
    summary.skipped.push({ channel_id: options.channelId, reason: 'Coffee has not been set up in this channel (nobody has typed /coffee join there)' })
  }
  let bot: { id: string, username: string } | undefined
  for (const program of programs) {
    const now = deps.clock.now()
    if (program.paused) {
      if (options.channelId !== undefined) summary.skipped.push({ channel_id: program.channelId, reason: 'paused by a channel admin' })
      continue
    }
    const slot = roundDue(program, now, options.force === true)
    if (slot === null) {
      const reason = program.startAt === null && program.lastSlot === null ? `round 1 has no start yet: ${HOW_TO_START}` : 'not due yet'
      if (options.channelId !== undefined) summary.skipped.push({ channel_id: program.channelId, reason })
      continue
    }
    try {
      bot ??= await deps.gateway.getMe()
      const report = await startRound(deps, program, slot, bot.id, options.dryRun === true)
      if (typeof report === 'string') summary.skipped.push({ channel_id: program.channelId, reason: report })
      else summary.started.push(report)
    } catch (error) {
      log.error({ err: error, channelId: program.channelId }, 'could not start a round')
      summary.errors.push({ channel_id: program.channelId, channel_name: program.channelName, message: roundError(program.channelName, error, bot?.username) })
    }
  }
  return summary
}

async function startRound (deps: StartDeps, program: ProgramWithLastRound, slot: Date, botUserId: string, dryRun: boolean): Promise<RoundReport | string> {
  const { store, gateway, log } = deps
  const now = deps.clock.now()
  // The database and Mattermost are asked at once.
  const [participants, unresponsive, { history, starters }, satOut, acquainted, memberIds] = await Promise.all([
    store.participants(program.id),
    deps.followups.unresponsive(program.id, { now, fairMs: fairAnswerTimeMs(program.cadenceDays) }),
    store.pastGroups(program.id),
    store.satOut(program.id),
    store.acquaintedPairs(program.id),
    gateway.getChannelMemberIds(program.channelId)
  ])
  const channelMemberIds = new Set(memberIds)
  const ids = candidateIds(program.mode, participants, channelMemberIds).filter((id) => id !== botUserId)
  const [users, blocks] = await Promise.all([gateway.getUsersByIds(ids), store.blocks(ids)])
  const planned = planRound({
    program,
    slot,
    now,
    participants,
    channelMemberIds,
    users: new Map(users.map((u) => [u.id, u])),
    botUserId,
    unresponsive,
    history,
    starters,
    satOut,
    // People who said they already know each other are kept apart in this program exactly as a block keeps them apart.
    blocks: [...blocks, ...acquainted],
    random: deps.random
  })
  if (!planned.ok) {
    if (!dryRun) await tellAdmins(deps, program, tooFewMessage(program.channelName, planned.eligible, planned.excluded, program.mode))
    return planned.reason
  }
  if (!dryRun && program.noticeCause !== '') await store.setNoticeCause(program.id, '')
  const { plan } = planned
  const report: RoundReport = {
    channel_id: program.channelId,
    channel_name: program.channelName,
    round: plan.number,
    eligible: plan.eligibleCount,
    groups: plan.groups.length,
    alone: plan.alone.length,
    excluded: plan.excluded
  }
  if (dryRun) return { ...report, plan: { groups: plan.groups.map((g) => g.usernames), alone: plan.alone.map((a) => a.username) } }
  const created = await store.createRound({ programId: program.id, expectedLastNumber: program.lastNumber, now, plan })
  if (created === null) return 'another Coffee instance started this round first'
  log.info({ channelId: program.channelId, round: plan.number, groups: plan.groups.length, alone: plan.alone.length }, 'round started')
  return report
}

const TOO_FEW = 'too_few'

/**
 * Tells the channel's admins, each in a direct message, why its rounds stopped: once per cause (recorded on the
 * program when told), best effort (a failure is logged and tried again at the next due call).
 */
async function tellAdmins (deps: StartDeps, program: ProgramWithLastRound, message: string): Promise<void> {
  if (program.noticeCause === TOO_FEW) return
  try {
    const admins = await deps.gateway.getChannelAdminIds(program.channelId)
    for (const admin of admins) {
      await deps.gateway.createPost({ channelId: await deps.gateway.createDirectChannel(admin), message })
    }
    await deps.store.setNoticeCause(program.id, TOO_FEW)
    deps.log.info({ channelId: program.channelId, admins: admins.length }, 'told the channel admins why no round started')
  } catch (error) {
    deps.log.warn({ err: error, channelId: program.channelId }, 'could not tell the channel admins why no round started')
  }
}

/** Why a channel's round could not start, naming the channel and, when Mattermost refused, the fix. */
function roundError (channelName: string, error: unknown, botUsername = 'coffee'): string {
  const channel = channelName === '' ? 'this channel' : `~${channelName}`
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof GatewayError && (error.status === 403 || error.status === 404)) {
    return `${channel}: the bot is not a member of the channel, so Mattermost does not let it see who is there. Type \`/invite @${botUsername}\` in ${channel}. (${message})`
  }
  if (error instanceof GatewayError && error.transient) return `${channel}: Mattermost did not answer (${message}); the round is due again at the next call.`
  return `${channel}: ${message}`
}
