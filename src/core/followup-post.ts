// The "did you meet?" post (and its reminder): what delivery first posts and what /actions turns it into after each
// click, from one builder. The answers so far, one line each; the buttons until every member has answered, so that
// after one "we met" the others can still add theirs (the group's outcome is settled by the first, see outcomes.ts).
import { followupButtons, type Attachment } from './buttons.js'
import { followupMessage, reminderMessage, answerLines, remindedLine } from './messages.js'
import { groupOutcome, isSettled, type Answer, type GroupOutcome } from './outcomes.js'

export interface FollowupPostInput {
  kind: 'followup' | 'reminder'
  groupId: number
  /** The members' usernames. */
  members: readonly string[]
  /** The answers so far, oldest first. */
  answers: readonly { username: string, answer: Answer }[]
  /** Where Mattermost sends clicks and the key that signs them; undefined: no buttons (follow-ups are off). */
  buttons: { actionsUrl: string, key: string } | undefined
  /** The group was reminded (a reply in the follow-up's thread): the follow-up says so, and who it waits for. */
  reminded: boolean
}

export interface FollowupPost {
  message: string
  attachments: Attachment[]
  /** What the answers add up to. */
  outcome: GroupOutcome
  /** Someone said they met or could not make it: no reminder is needed (the others may still answer). */
  settled: boolean
}

export function followupPost ({ kind, groupId, members, answers, buttons, reminded }: FollowupPostInput): FollowupPost {
  const outcome = groupOutcome(answers.map((a) => a.answer))
  const settled = isSettled(outcome)
  const answered = new Set(answers.map((a) => a.username))
  const everyoneAnswered = members.every((name) => answered.has(name))
  const attachments = everyoneAnswered || buttons === undefined ? [] : [followupButtons(buttons.key, buttons.actionsUrl, groupId)]
  // The question asks for a button only while there are buttons to press.
  const intro = kind === 'followup' ? followupMessage(members, attachments.length > 0) : reminderMessage(members)
  const waitingFor = members.filter((name) => !answered.has(name))
  const lines = [
    ...(answers.length === 0 ? [] : [answerLines(answers)]),
    ...(reminded && waitingFor.length > 0 ? [remindedLine(waitingFor)] : [])
  ]
  return {
    message: [intro, ...lines].join('\n\n'),
    attachments,
    outcome,
    settled
  }
}
