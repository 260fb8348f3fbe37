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

export function decideEligibility ({ mode, participants, channelMemberIds, users, botUserId, now, unresponsive = new Set() }: EligibilityInput): Eligibility {
  const excluded: Excluded = { left: 0, notMember: 0, inactive: 0, paused: 0, skipping: 0, unresponsive: 0 }
  const eligible: Eligibility['eligible'] = []
  const skipsUsed: number[] = []
  const autoPaused: number[] = []
  const byUser = new Map(participants.map((p) => [p.userId, p]))
  const candidates = mode === 'channel'
    ? [...new Set([...channelMemberIds, ...participants.filter((p) => p.status === 'active').map((p) => p.userId)])]
    : participants.map((p) => p.userId)

  for (const userId of candidates) {
    if (userId === botUserId) continue
    const participant = byUser.get(userId) ?? null
    if (participant !== null && participant.status === 'left') { excluded.left++; continue }
    if (!channelMemberIds.has(userId)) { excluded.notMember++; continue }
    const user = users.get(userId)
    if (user === undefined || user.delete_at !== 0 || user.is_bot === true) { excluded.inactive++; continue }
    if (participant !== null && (participant.autoPausedAt !== null || (participant.pausedUntil !== null && participant.pausedUntil.getTime() > now.getTime()))) {
      excluded.paused++
      continue
    }
    if (participant !== null && unresponsive.has(participant.id)) {
      excluded.unresponsive++
      autoPaused.push(participant.id)
      continue
    }
    if (participant?.skipNext === true) {
      excluded.skipping++
      skipsUsed.push(participant.id)
      continue
    }
    eligible.push({ userId, username: user.username, participantId: participant?.id ?? null })
  }
  return { eligible, skipsUsed, autoPaused, excluded }
}
