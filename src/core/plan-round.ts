// Round planning, pure: from what the database and Mattermost said about a program, the round to commit (or why
// there is none). start-rounds.ts does the reading before and the writing after; nothing here does I/O.
import { dueSlot, programSchedule } from './schedule.js'
import { HOUR_MS } from './durations.js'
import { decideEligibility, type EligibilityParticipant, type EligibilityUser, type Excluded } from './eligibility.js'
import { matchRound, type GroupHistory, type PastGroup, type Random } from './matching/index.js'
import { pickIcebreakers, starterCount } from './icebreakers.js'
import { fullNameOf } from './messages.js'
import { MAX_GROUP_SIZE } from './group-size.js'
import { availability, meetingWindowLine, readWorkingHours } from './working-hours.js'

export interface PlanProgram {
  id: number
  mode: 'optin' | 'channel'
  paused: boolean
  cadenceDays: number
  groupSize: number
  followupHours: number
  /** Whether the channel is told about each round (a post there when it starts). */
  announce: boolean
  /** The start a channel admin chose (see core/schedule.ts) and the channel's time zone. */
  startAt: Date | null
  timezone: string
  /** Whether matching and intros look at people's time zones, and everyone's working hours ("9-17"). */
  timezones: boolean
  workingHours: string
  /** The program's latest round, if any. */
  lastSlot: Date | null
  lastNumber: number | null
}

/** The slot a program's next round would take now, or null when it is not due (or paused). */
export function roundDue (program: Pick<PlanProgram, 'paused' | 'cadenceDays' | 'lastSlot' | 'startAt' | 'timezone'>, now: Date, force = false): Date | null {
  if (program.paused) return null
  return force ? now : dueSlot(programSchedule(program, program.lastSlot), now)
}

/**
 * When a round's "did you meet?" is due: `followupHours` after the round began. A new `config followup` moves it for
 * every round whose follow-up has not gone out yet (store/participation.ts updateProgram).
 */
export function followupDue (roundStartedAt: Date, followupHours: number): Date {
  return new Date(roundStartedAt.getTime() + followupHours * HOUR_MS)
}

/** Splits any group too big for a Mattermost group message into two. */
export function fitGroups (groups: string[][]): string[][] {
  return groups.flatMap((group) => {
    if (group.length <= MAX_GROUP_SIZE) return [group]
    const half = Math.ceil(group.length / 2)
    return fitGroups([group.slice(0, half), group.slice(half)])
  })
}

/** The outbox keys of a round's messages: each message exists once, however often a round is retried. */
export const deliveryKeys = {
  intro: (programId: number, round: number, groupIndex: number) => `intro:${programId}:${round}:${groupIndex}`,
  alone: (programId: number, round: number, userId: string) => `alone:${programId}:${round}:${userId}`,
  autopause: (programId: number, round: number, userId: string) => `autopause:${programId}:${round}:${userId}`,
  announce: (programId: number, round: number) => `announce:${programId}:${round}`,
  /** Queued by store/followups.ts (in SQL, the same shape): one per group. */
  followup: (groupId: number) => `followup:${groupId}`
}

export interface PlanInputs {
  program: PlanProgram
  /** The slot the round takes (roundDue). */
  slot: Date
  now: Date
  participants: readonly EligibilityParticipant[]
  channelMemberIds: ReadonlySet<string>
  /** Mattermost's view of the candidates, with the names the intro shows and the time zone, when they have them. */
  users: ReadonlyMap<string, EligibilityUser & { first_name?: string, last_name?: string, nickname?: string, position?: string, timezone?: string }>
  botUserId: string
  /** Participants who stopped answering (store.unresponsive). */
  unresponsive: readonly { id: number, userId: string }[]
  /** Every earlier group of the program (store.pastGroups). */
  history: readonly PastGroup[] | GroupHistory
  /** Each person's conversation starters in their latest group (none: no history), which their next group avoids. */
  starters?: ReadonlyMap<string, readonly string[]>
  /** Who sat out the last round (store.satOut): they come first (core/matching/fair-turns.ts). */
  satOut?: readonly string[]
  /** Blocks involving any candidate. */
  blocks: readonly (readonly [string, string])[]
  random: Random
}

export interface PlannedGroup {
  userIds: string[]
  /** Usernames, in the order of userIds. */
  usernames: string[]
  /** Full names and positions as Mattermost has them now, in the order of userIds ('' when none). */
  names: { fullName: string, position: string }[]
  /** Conversation starters, none of which a member had in their previous group. */
  icebreakers: string[]
  /** The intro's line on when the members can meet ('' for none). */
  meetingWindow: string
  introKey: string
}

export interface RoundPlan {
  number: number
  slot: Date
  followupAt: Date
  groupSize: number
  eligibleCount: number
  excluded: Excluded
  /** Channel members taking part for the first time (everyone-here mode): rows to create. */
  newParticipants: { userId: string, username: string }[]
  groups: PlannedGroup[]
  alone: { userId: string, username: string, key: string }[]
  /** Participants whose "skip the next round" this round uses up. */
  skipsUsed: number[]
  /** Participants this round pauses for not answering; each is told in a direct message. */
  autoPaused: { id: number, userId: string, key: string }[]
  /**
   * The key of the channel's announcement of this round; null when the channel turned them off. It goes out with
   * the round's start rather than at its end: this round's groups are final then, and the last round's follow-ups
   * (sent followupHours after it started) have had their time, so its met rate is made of answers people gave.
   */
  announceKey: string | null
}

/** A plan, or why there is none: fewer than two people can take part (how many, and why the others cannot). */
export type PlanResult = { ok: true, plan: RoundPlan } | { ok: false, reason: string, eligible: number, excluded: Excluded }

export function planRound (inputs: PlanInputs): PlanResult {
  const { program, now } = inputs
  const decided = decideEligibility({
    mode: program.mode,
    participants: inputs.participants,
    channelMemberIds: inputs.channelMemberIds,
    users: inputs.users,
    botUserId: inputs.botUserId,
    now,
    unresponsive: new Set(inputs.unresponsive.map((p) => p.id))
  })
  const { eligible } = decided
  if (eligible.length < 2) return { ok: false, reason: `fewer than 2 people can take part (${eligible.length} eligible)`, eligible: eligible.length, excluded: decided.excluded }

  const number = (program.lastNumber ?? 0) + 1
  const people = eligible.map((e) => e.userId)
  const hours = readWorkingHours(program.workingHours)
  const zones = new Map<string, string>()
  if (program.timezones) for (const id of people) zones.set(id, inputs.users.get(id)?.timezone ?? '')
  // The week the groups meet in starts now: its actual dates decide what daylight saving does to the overlap.
  const avail = program.timezones ? availability(zones, hours, now) : undefined
  const match = matchRound({ people, groupSize: program.groupSize, history: inputs.history, blocks: inputs.blocks, round: number, random: inputs.random, priority: inputs.satOut ?? [], ...(avail === undefined ? {} : { availability: avail }) })
  const username = new Map(eligible.map((e) => [e.userId, e.username]))
  const nameOf = (userId: string) => username.get(userId) ?? userId
  const pausing = new Set(decided.autoPaused)
  const lastStarters = inputs.starters ?? new Map<string, readonly string[]>()
  return {
    ok: true,
    plan: {
      number,
      slot: inputs.slot,
      followupAt: followupDue(now, program.followupHours),
      groupSize: program.groupSize,
      eligibleCount: eligible.length,
      excluded: decided.excluded,
      newParticipants: eligible.filter((e) => e.participantId === null).map((e) => ({ userId: e.userId, username: e.username })),
      groups: fitGroups(match.groups).map((userIds, index) => ({
        userIds,
        usernames: userIds.map(nameOf),
        names: userIds.map((id) => {
          const user = inputs.users.get(id)
          return { fullName: user === undefined ? '' : fullNameOf(user), position: user?.position?.trim() ?? '' }
        }),
        icebreakers: pickIcebreakers(starterCount(userIds.length), new Set(userIds.flatMap((id) => lastStarters.get(id) ?? [])), inputs.random),
        meetingWindow: program.timezones ? meetingWindowLine(userIds.map((id) => ({ username: nameOf(id), zone: zones.get(id) ?? '' })), hours, now) : '',
        introKey: deliveryKeys.intro(program.id, number, index)
      })),
      alone: match.alone.map((userId) => ({ userId, username: nameOf(userId), key: deliveryKeys.alone(program.id, number, userId) })),
      skipsUsed: decided.skipsUsed,
      autoPaused: inputs.unresponsive.filter((p) => pausing.has(p.id)).map((p) => ({ id: p.id, userId: p.userId, key: deliveryKeys.autopause(program.id, number, p.userId) })),
      announceKey: program.announce ? deliveryKeys.announce(program.id, number) : null
    }
  }
}
