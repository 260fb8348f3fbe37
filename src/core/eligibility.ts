// Who is in a round: the program's participants (or, in everyone-here mode, the channel's members) minus those
// who left, are not members any more, are deactivated or bots, are paused, or skip this round.
import type { ParticipantLike } from './participation.js'

export interface EligibilityParticipant extends ParticipantLike {
  id: number
  userId: string
  username: string
}

export interface EligibilityUser {
  id: string
  username: string
  delete_at: number
  is_bot?: boolean
}

export interface EligibilityInput {
  mode: 'optin' | 'channel'
  participants: readonly EligibilityParticipant[]
  channelMemberIds: ReadonlySet<string>
  /** Mattermost's view of the candidates; a candidate missing here no longer exists. */
  users: ReadonlyMap<string, EligibilityUser>
  botUserId: string
  now: Date
  /** Participants who stopped answering and are paused by this round. */
  unresponsive?: ReadonlySet<number>
}

export interface Excluded {
  left: number
  notMember: number
  inactive: number
  paused: number
  skipping: number
  /** Paused by this round for not answering several rounds in a row. */
  unresponsive: number
}

export interface Eligibility {
  eligible: { userId: string, username: string, participantId: number | null }[]
  /** Participants whose skip this round uses up. */
  skipsUsed: number[]
  /** Unresponsive participants who would otherwise be in this round: the round pauses them. */
  autoPaused: number[]
  excluded: Excluded
}

/** The people whose accounts we must look up before deciding. */
export function candidateIds (mode: 'optin' | 'channel', participants: readonly EligibilityParticipant[], channelMemberIds: ReadonlySet<string>): string[] {
  if (mode === 'channel') return [...channelMemberIds]
  return participants.filter((p) => p.status === 'active' && channelMemberIds.has(p.userId)).map((p) => p.userId)
}

/** Why a candidate is not in a round; the counts of Excluded, person by person. */
export type SitOutReason = keyof Excluded

/**
 * The one rule: why this candidate sits the round out, or null when they take part. `user` is Mattermost's view;
 * undefined means the account is gone.
 */
export function sitOutReason (participant: (ParticipantLike & { id: number }) | null, input: {
  isMember: boolean
  user: EligibilityUser | undefined
  now: Date
  unresponsive: ReadonlySet<number>
}): SitOutReason | null {
  if (participant !== null && participant.status === 'left') return 'left'
  if (!input.isMember) return 'notMember'
  const user = input.user
  if (user === undefined || user.delete_at !== 0 || user.is_bot === true) return 'inactive'
  if (participant !== null && (participant.autoPausedAt !== null || (participant.pausedUntil !== null && participant.pausedUntil.getTime() > input.now.getTime()))) {
    return 'paused'
  }
  if (participant !== null && input.unresponsive.has(participant.id)) return 'unresponsive'
  if (participant?.skipNext === true) return 'skipping'
  return null
}

function candidatesOf (mode: 'optin' | 'channel', participants: readonly EligibilityParticipant[], channelMemberIds: ReadonlySet<string>): string[] {
  return mode === 'channel'
    ? [...new Set([...channelMemberIds, ...participants.filter((p) => p.status === 'active').map((p) => p.userId)])]
    : participants.map((p) => p.userId)
}

export function decideEligibility ({ mode, participants, channelMemberIds, users, botUserId, now, unresponsive = new Set() }: EligibilityInput): Eligibility {
  const excluded: Excluded = { left: 0, notMember: 0, inactive: 0, paused: 0, skipping: 0, unresponsive: 0 }
  const eligible: Eligibility['eligible'] = []
  const skipsUsed: number[] = []
  const autoPaused: number[] = []
  const byUser = new Map(participants.map((p) => [p.userId, p]))

  for (const userId of candidatesOf(mode, participants, channelMemberIds)) {
    if (userId === botUserId) continue
    const participant = byUser.get(userId) ?? null
    const user = users.get(userId)
    const reason = sitOutReason(participant, { isMember: channelMemberIds.has(userId), user, now, unresponsive })
    if (reason !== null) excluded[reason]++
    if (reason === 'unresponsive') autoPaused.push(participant!.id)
    if (reason === 'skipping') skipsUsed.push(participant!.id)
    if (reason === null) eligible.push({ userId, username: user!.username, participantId: participant?.id ?? null })
  }
  return { eligible, skipsUsed, autoPaused, excluded }
}

export interface SittingOut {
  userId: string
  /** Mattermost's username, else the one Coffee last saw. */
  username: string
  reason: SitOutReason
  participant: EligibilityParticipant | null
}

/** Who would sit the next round out, and why: decideEligibility's rule, person by person (for the dashboard). */
export function sittingOut ({ mode, participants, channelMemberIds, users, botUserId, now, unresponsive = new Set() }: EligibilityInput): SittingOut[] {
  const byUser = new Map(participants.map((p) => [p.userId, p]))
  const out: SittingOut[] = []
  for (const userId of candidatesOf(mode, participants, channelMemberIds)) {
    if (userId === botUserId) continue
    const participant = byUser.get(userId) ?? null
    const user = users.get(userId)
    const reason = sitOutReason(participant, { isMember: channelMemberIds.has(userId), user, now, unresponsive })
    if (reason !== null) out.push({ userId, username: user?.username ?? participant?.username ?? '', reason, participant })
  }
  return out
}
