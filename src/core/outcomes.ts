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

/** Totals over groups that were asked (their follow-up went out). */
export function outcomeTotals (outcomes: readonly GroupOutcome[]): OutcomeTotals {
  const met = outcomes.filter((o) => o === 'met').length
  const notMet = outcomes.filter((o) => o === 'cancelled' || o === 'not_yet').length
  const noAnswer = outcomes.filter((o) => o === 'no_answer').length
  return { groups: outcomes.length, met, not_met: notMet, no_answer: noAnswer, met_rate: outcomes.length === 0 ? null : Math.round((met / outcomes.length) * 1000) / 1000 }
}
