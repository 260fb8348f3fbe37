// What Coffee posts in Mattermost. Markdown, friendly, short; every member @mentioned.

/** How round 1 gets a date, wherever a person is told it has none yet. */
/** How a group imported from another tool (POST /api/channels/:id/history) shows in a person's history. */
export const IMPORTED_GROUP = 'from the tool used before Coffee'

export const HOW_TO_START = 'a channel admin picks the day and time with `/coffee config start monday 10:00`'

export interface IntroInput {
  usernames: readonly string[]
  channelName: string
  icebreaker: string
  /** When the follow-up comes, said from now: "in 3 days", "in a day", "soon". */
  followupIn: string
  /** The member asked to propose a time, so that the group does not wait for each other. */
  proposer: string
  /** When their working hours overlap, as working-hours.ts meetingWindowLine says; a paragraph of its own ('' for none). */
  meetingWindow?: string
}

function mentionList (usernames: readonly string[]): string {
  const mentions = usernames.map((name) => `@${name}`)
  if (mentions.length <= 2) return mentions.join(' and ')
  return `${mentions.slice(0, -1).join(', ')} and ${mentions.at(-1)!}`
}

export function introMessage ({ usernames, channelName, icebreaker, followupIn, proposer, meetingWindow = '' }: IntroInput): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  const who = usernames.length === 2 ? 'you two' : `the ${usernames.length} of you`
  return [
    `☕ **Coffee time!** ${mentionList(usernames)}, meet each other.`,
    '',
    `Coffee from ${channel} picked ${who} this round. Find half an hour in the coming days for a coffee, a walk or a video call — whatever suits you. @${proposer}, would you propose a time?`,
    '',
    ...(meetingWindow === '' ? [] : [meetingWindow, '']),
    `**To get you started:** ${icebreaker}`,
    '',
    `_I'll ask how it went ${followupIn}. Too busy for coffee? Type \`/coffee skip\` right here to sit out the next round of ${channel}, or \`/coffee pause 2w\` to take a break._`
  ].join('\n')
}

/** Who proposes a time: a different member from round to round, the same one on every retry of one intro. */
export function proposerOf (usernames: readonly string[], round: number, groupId: number): string {
  return usernames[(round + groupId) % usernames.length] ?? ''
}

export function aloneMessage (channelName: string): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  return `☕ Hi! This round of coffee in ${channel} had nobody free to meet you — sorry about that. You're still in, and I'll introduce you to someone next time.`
}

/** The follow-up's question; `withButtons` when the buttons to answer it are under it. */
export function followupMessage (usernames: readonly string[], withButtons = true): string {
  const question = `☕ **How did it go?** ${mentionList(usernames)} — did you get to meet?`
  return withButtons ? `${question} Tell me with a button below; it helps everyone see how coffee is going.` : question
}

/** A reminder post of its own, with the buttons under it (reminders posted before they became replies). */
export function reminderMessage (usernames: readonly string[]): string {
  return `⏰ **Friendly reminder:** ${mentionList(usernames)}, there's still time for that coffee before the next round. Let me know how it goes!`
}

/** The reminder, a reply under the follow-up: its buttons are where to answer. */
export function reminderReply (usernames: readonly string[]): string {
  return `⏰ **Friendly reminder:** ${mentionList(usernames)}, there's still time for that coffee before the next round. Once you've met, tell me with a button on my question above.`
}

export function autopauseMessage (channelName: string, rounds: number): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  return `☕ I've paused your coffee in ${channel}, because the last ${rounds} introductions went unanswered. No worries — whenever you'd like to meet people again, type \`/coffee resume\` in ${channel}.`
}

const ANSWER_LINES = {
  met: (name: string) => `✅ @${name} says you met`,
  not_yet: (name: string) => `⏳ @${name} says not yet`,
  cancelled: (name: string) => `❌ @${name} says you couldn't make it`
} as const

/** The answers so far, one line each, under the follow-up. */
export function answerLines (answers: readonly { username: string, answer: keyof typeof ANSWER_LINES }[]): string {
  return answers.map((a) => ANSWER_LINES[a.answer](a.username)).join('\n')
}

const EXCLUSIONS = [
  ['paused', (n: number) => `${n} paused`],
  ['unresponsive', (n: number) => `${n} paused for not answering`],
  ['skipping', (n: number) => `${n} skipping this round`],
  ['left', (n: number) => `${n} who left`],
  ['notMember', (n: number) => `${n} no longer in the channel`],
  ['inactive', (n: number) => `${n} deactivated`]
] as const

/** To a channel admin, privately: a round could not start for want of people, why, and what would help. */
export function tooFewMessage (channelName: string, eligible: number, excluded: Readonly<Record<typeof EXCLUSIONS[number][0], number>>, mode: 'optin' | 'channel'): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  const others = EXCLUSIONS.filter(([key]) => excluded[key] > 0).map(([key, say]) => say(excluded[key]))
  const why = others.length === 0 ? '' : ` (besides them: ${others.join(', ')})`
  const help = mode === 'optin'
    ? 'ask people there to type `/coffee join`, or let everyone in the channel take part with `/coffee config mode channel`'
    : 'invite people to the channel, or ask those who paused to type `/coffee resume`'
  const who = eligible === 1 ? 'only 1 person could' : eligible === 0 ? 'nobody could' : `only ${eligible} people could`
  return `☕ Coffee could not start a round in ${channel}: ${who} take part${why}, and a round needs two. To get it going, ${help}. I'll only write again if something else stops the rounds.`
}
