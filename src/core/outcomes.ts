// What a group's answers to "did you meet?" add up to. One "we met" settles it; otherwise a cancellation does;
// "not yet" is still open; no answer at all is "no answer". And who of a group sat its round out (fair turns).
import { participationState, type ParticipantLike } from './participation.js'

export type Answer = 'met' | 'not_yet' | 'cancelled'
/** What a group's answers add up to. */
export const GROUP_OUTCOMES = ['met', 'cancelled', 'not_yet', 'no_answer'] as const
export type GroupOutcome = typeof GROUP_OUTCOMES[number]

export function groupOutcome (answers: readonly Answer[]): GroupOutcome {
  if (answers.includes('met')) return 'met'
  if (answers.includes('cancelled')) return 'cancelled'
  if (answers.includes('not_yet')) return 'not_yet'
  return 'no_answer'
}

/** Whether the follow-up buttons still make sense: until someone says they met or could not make it. */
export function isSettled (outcome: GroupOutcome): boolean {
  return outcome === 'met' || outcome === 'cancelled'
}

/**
 * Whether a group's members sat the round out (fair turns: they come first next round): they could not make it, or
 * were still "not yet" when the round ended. No answer says nothing either way.
 */
export function groupSatOut (outcome: GroupOutcome): boolean {
  return outcome === 'cancelled' || outcome === 'not_yet'
}

/** A member of a past group, with whether they dropped out of its round since the intro (droppedOut). */
export interface MemberSince {
  userId: string
  droppedOut: boolean
}

/**
 * Whether someone in a round's group dropped out of that round since its intro: with what they chose since, the
 * round's own rule (participationState) would have left them out when it started. That is a skip still waiting for
 * the next round (the intro's "Skip next round" asks "Too busy for coffee?"; /coffee skip), a pause reaching past the
 * round's start, or having left. None of these held when the round started (it would have left them out then, and
 * used up the skip), so each came after the intro.
 */
export function droppedOut (member: ParticipantLike, roundStart: Date): boolean {
  return !participationState({ mode: 'optin', paused: false }, member, roundStart).eligible
}

/**
 * Who of a round's group sat that round out (fair turns: they come first next round): everyone, when the group could
 * not meet (groupSatOut); else, unless someone said they met, the one member left when all the others dropped out.
 */
export function membersWhoSatOut (outcome: GroupOutcome, members: readonly MemberSince[]): string[] {
  if (groupSatOut(outcome)) return members.map((m) => m.userId)
  if (outcome === 'met') return []
  const stayed = members.filter((m) => !m.droppedOut)
  return stayed.length === 1 && members.length > 1 ? [stayed[0]!.userId] : []
}

export interface OutcomeTotals {
  groups: number
  met: number
  /** Groups that said they could not make it, or were still "not yet" when the round ended. */
  not_met: number
  no_answer: number
  /** met / groups that were asked; null before anyone was asked. */
  met_rate: number | null
}

/** How many asked groups came to one outcome. */
export interface OutcomeCount {
  outcome: GroupOutcome
  count: number
}

/** Totals over groups that were asked (their follow-up went out), given as outcomes or as counts of outcomes. */
export function outcomeTotals (outcomes: readonly (GroupOutcome | OutcomeCount)[]): OutcomeTotals {
  const counts: Record<GroupOutcome, number> = { met: 0, cancelled: 0, not_yet: 0, no_answer: 0 }
  for (const entry of outcomes) {
    if (typeof entry === 'string') counts[entry]++
    else counts[entry.outcome] += entry.count
  }
  const groups = counts.met + counts.cancelled + counts.not_yet + counts.no_answer
  return { groups, met: counts.met, not_met: counts.cancelled + counts.not_yet, no_answer: counts.no_answer, met_rate: groups === 0 ? null : Math.round((counts.met / groups) * 1000) / 1000 }
}
