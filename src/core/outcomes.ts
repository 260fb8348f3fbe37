// What a group's answers to "did you meet?" add up to. One "we met" settles it; otherwise a cancellation does;
// "not yet" is still open; no answer at all is "no answer".

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
