// Starts the rounds that are due: eligibility from Mattermost, groups from the matcher, and the plan committed
// (round, groups, intro deliveries) before anything is sent.
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../clock.js'
import type { RoundsStore, ProgramWithLastRound } from '../store/rounds.js'
import type { FollowupsStore } from '../store/followups.js'
import type { ChatGateway } from '../mattermost/gateway.js'
import { dueSlot } from '../core/schedule.js'
import { HOUR_MS } from '../core/durations.js'
import { candidateIds, decideEligibility, type Excluded } from '../core/eligibility.js'
import { matchRound } from '../core/matching/index.js'
import { pickIcebreaker } from '../core/icebreakers.js'
import { MAX_GROUP_SIZE } from '../core/group-size.js'

export interface StartDeps {
  store: RoundsStore
  followups: FollowupsStore
  gateway: Pick<ChatGateway, 'getMe' | 'getUsersByIds' | 'getChannelMemberIds'>
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
  errors: { channel_id: string, message: string }[]
}

/** Splits any group too big for a Mattermost group message into two. */
export function fitGroups (groups: string[][]): string[][] {
  return groups.flatMap((group) => {
    if (group.length <= MAX_GROUP_SIZE) return [group]
    const half = Math.ceil(group.length / 2)
    return fitGroups([group.slice(0, half), group.slice(half)])
  })
}

/** The slot a program's next round would take now, or null when it is not due (or paused). */
export function roundDue (program: ProgramWithLastRound, now: Date, force = false): Date | null {
  if (program.paused) return null
  return force ? now : dueSlot({ cadenceDays: program.cadenceDays, lastSlot: program.lastSlot }, now)
}

export async function startDueRounds (deps: StartDeps, options: StartOptions = {}): Promise<StartSummary> {
  const { store, log } = deps
  const summary: StartSummary = { started: [], skipped: [], errors: [] }
  const programs = await store.programs(options.channelId === undefined ? {} : { channelId: options.channelId })
  if (options.channelId !== undefined && programs.length === 0) {
    summary.skipped.push({ channel_id: options.channelId, reason: 'Coffee has not been set up in this channel (nobody has typed /coffee join there)' })
  }
  let botUserId: string | undefined
  for (const program of programs) {
    const now = deps.clock.now()
    if (program.paused) {
      if (options.channelId !== undefined) summary.skipped.push({ channel_id: program.channelId, reason: 'paused by a channel admin' })
      continue
    }
    const slot = roundDue(program, now, options.force === true)
    if (slot === null) {
      if (options.channelId !== undefined) summary.skipped.push({ channel_id: program.channelId, reason: 'not due yet' })
      continue
    }
    try {
      botUserId ??= (await deps.gateway.getMe()).id
      const report = await startRound(deps, program, slot, botUserId, options.dryRun === true)
      if (typeof report === 'string') summary.skipped.push({ channel_id: program.channelId, reason: report })
      else summary.started.push(report)
    } catch (error) {
      log.error({ err: error, channelId: program.channelId }, 'could not start a round')
      summary.errors.push({ channel_id: program.channelId, message: (error as Error).message })
    }
  }
  return summary
}

async function startRound (deps: StartDeps, program: ProgramWithLastRound, slot: Date, botUserId: string, dryRun: boolean): Promise<RoundReport | string> {
  const { store, gateway, log } = deps
  const now = deps.clock.now()
  const participants = await store.participants(program.id)
  const channelMemberIds = new Set(await gateway.getChannelMemberIds(program.channelId))
  const ids = candidateIds(program.mode, participants, channelMemberIds).filter((id) => id !== botUserId)
  const users = new Map((await gateway.getUsersByIds(ids)).map((u) => [u.id, u]))
  const unresponsive = await deps.followups.unresponsive(program.id)
  const unresponsiveIds = new Set(unresponsive.map((p) => p.id))
  const decided = decideEligibility({ mode: program.mode, participants, channelMemberIds, users, botUserId, now, unresponsive: unresponsiveIds })
  const { eligible, skipsUsed, excluded } = decided
  const pausing = new Set(decided.autoPaused)
  const autoPaused = unresponsive.filter((p) => pausing.has(p.id))
  if (eligible.length < 2) return `fewer than 2 people can take part (${eligible.length} eligible)`

  const number = (program.lastNumber ?? 0) + 1
  const people = eligible.map((e) => e.userId)
  const [history, blocks] = await Promise.all([store.pastGroups(program.id), store.blocks(people)])
  const match = matchRound({ people, groupSize: program.groupSize, history, blocks, round: number, random: deps.random })
  const groups = fitGroups(match.groups)
  const username = new Map(eligible.map((e) => [e.userId, e.username]))
  const report: RoundReport = {
    channel_id: program.channelId,
    channel_name: program.channelName,
    round: number,
    eligible: eligible.length,
    groups: groups.length,
    alone: match.alone.length,
    excluded
  }
  if (dryRun) {
    return { ...report, plan: { groups: groups.map((g) => g.map((id) => username.get(id) ?? id)), alone: match.alone.map((id) => username.get(id) ?? id) } }
  }
  const created = await store.createRound({
    programId: program.id,
    expectedLastNumber: program.lastNumber,
    slot,
    now,
    followupAt: new Date(now.getTime() + program.followupHours * HOUR_MS),
    groupSize: program.groupSize,
    eligibleCount: eligible.length,
    newParticipants: eligible.filter((e) => e.participantId === null).map((e) => ({ userId: e.userId, username: e.username })),
    groups: groups.map((userIds, index) => ({ userIds, icebreaker: pickIcebreaker(number, index) })),
    alone: match.alone,
    skipsUsed,
    autoPaused
  })
  if (created === null) return 'another Coffee instance started this round first'
  log.info({ channelId: program.channelId, round: number, groups: groups.length, alone: match.alone.length }, 'round started')
  return report
}
