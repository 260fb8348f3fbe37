// What Coffee posts in Mattermost. Markdown, friendly, short; every member @mentioned.

/** How a group imported from another tool (POST /api/channels/:id/history) shows in a person's history. */
export const IMPORTED_GROUP = 'from the tool used before Coffee'

/** How round 1 gets a date, wherever a person is told it has none yet. */
export const HOW_TO_START = 'a channel admin picks the day and time with `/coffee config start monday 10:00`'

export interface IntroInput {
  members: readonly IntroMember[]
  channelName: string
  /** Conversation starters, shown as a list. */
  icebreakers: readonly string[]
  /** When the follow-up comes, said from now: "in 3 days", "in a day", "soon". */
  followupIn: string
  /** The member asked to propose a time, so that the group does not wait for each other. */
  proposer: string
  /** Whether the "Skip next round" button is under the intro (follow-ups and buttons need PUBLIC_URL). */
  skipButton: boolean
  /** Who clicked "We already know each other" under this intro, and whom they know (shown at the end, in that order). */
  acquainted?: readonly { clicker: string, knows: readonly string[] }[]
  /** When their working hours overlap, as working-hours.ts meetingWindowLine says; a paragraph of its own ('' for none). */
  meetingWindow?: string
}

/** A member of a group as the intro names them: Mattermost's full name and position, when they have them. */
export interface IntroMember {
  username: string
  fullName: string
  position: string
}

/** "Ana Lima" from Mattermost's profile fields; the nickname when there is no name; '' when neither. */
export function fullNameOf (user: { first_name?: string, last_name?: string, nickname?: string }): string {
  const name = [user.first_name, user.last_name].map((part) => (part ?? '').trim()).filter((part) => part !== '').join(' ')
  return name !== '' ? name : (user.nickname ?? '').trim()
}

/** Characters that would turn a name into Markdown (emphasis, links, code) are shown as typed. */
function plainText (text: string): string {
  return text.replace(/[\\`*_~[\]()<>#|]/g, (c) => `\\${c}`)
}

/** "@ana (Ana Lima, Product designer)", "@bo (Bo Chen)" or "@cy". */
function introduce ({ username, fullName, position }: IntroMember): string {
  const about = [fullName.trim(), position.trim()].filter((part) => part !== '').map(plainText).join(', ')
  return about === '' ? `@${username}` : `@${username} (${about})`
}

function joinWords (words: readonly string[]): string {
  if (words.length <= 2) return words.join(' and ')
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}`
}

function mentionList (usernames: readonly string[]): string {
  return joinWords(usernames.map((name) => `@${name}`))
}

export function introMessage ({ members, channelName, icebreakers, followupIn, proposer, skipButton, acquainted = [], meetingWindow = '' }: IntroInput): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  const who = members.length === 2 ? 'you two' : `the ${members.length} of you`
  return [
    `☕ **Coffee time!** ${joinWords(members.map(introduce))}, meet each other.`,
    '',
    `Coffee from ${channel} picked ${who} this round. Find half an hour in the coming days for a coffee, a walk or a video call — whatever suits you. @${proposer}, would you propose a time?`,
    '',
    ...(meetingWindow === '' ? [] : [meetingWindow, '']),
    '**Not sure where to start?** Try one of these.',
    ...icebreakers.map((starter) => `- ${starter}`),
    '',
    skipButton
      ? `_I'll ask how it went ${followupIn}. Too busy for coffee? **Skip next round** below (or \`/coffee skip\` typed right here) sits you out of the next round of ${channel}; \`/coffee pause 2w\` takes a break._`
      : `_I'll ask how it went ${followupIn}. Too busy for coffee? Type \`/coffee skip\` right here to sit out the next round of ${channel}, or \`/coffee pause 2w\` to take a break._`,
    ...(acquainted.length === 0 ? [] : ['', acquaintedLines(acquainted)])
  ].join('\n')
}

/** Who proposes a time: a different member from round to round, the same one on every retry of one intro. */
export function proposerOf (usernames: readonly string[], round: number, groupId: number): string {
  return usernames[(round + groupId) % usernames.length] ?? ''
}

/**
 * Under an intro once someone clicked "We already know each other": one line per clicker, "🤝 @ana and @ben already know
 * each other — I won't pair them again." (in a trio, "🤝 @ana already knows @ben and @cy — I won't group them again.").
 */
export function acquaintedLines (said: readonly { clicker: string, knows: readonly string[] }[]): string {
  return said.map(({ clicker, knows }) => knows.length === 1
    ? `🤝 @${clicker} and @${knows[0]!} already know each other — I won't pair them again.`
    : `🤝 @${clicker} already knows ${mentionList(knows)} — I won't group them together again.`).join('\n')
}

/**
 * In a person's history (/coffee history, the dashboard), after how a group went: "🤝 already knew each other" when
 * they said so of everyone in it, "🤝 already knew @ben" in a trio where only some; '' when nobody.
 */
export function acquaintedNote (others: readonly string[], acquainted: readonly string[]): string {
  if (acquainted.length === 0) return ''
  return acquainted.length === others.length ? '🤝 already knew each other' : `🤝 already knew ${mentionList(acquainted)}`
}

/** The clicker's private answer to "We already know each other". */
export const ACQUAINTED_DONE = "Noted: you won't be grouped with them again in this channel."
export const ACQUAINTED_ALREADY = 'I already know that: you won\'t be grouped together again in this channel.'

/** What `/coffee skip` and the intro's "Skip next round" button answer: one rule, one wording. */
export const SKIP_DONE = "Got it: you'll sit out the next round and be back for the one after. Changed your mind? `/coffee resume`."
export const SKIP_ALREADY = "You're already skipping the next round. Changed your mind? `/coffee resume`."

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

export interface AnnouncementInput {
  round: number
  mode: 'optin' | 'channel'
  people: number
  groups: number
  /** How the previous round went: its groups that answered "did you meet?", and how many of them met; null in round 1. */
  lastRound: { answered: number, met: number } | null
}

/**
 * The post in the program's channel when a round starts: no names and no @channel (nobody is pinged), the numbers
 * of this round and, from round 2, how many of the last round's groups said they met.
 */
export function announcementMessage ({ round, mode, people, groups, lastRound }: AnnouncementInput): string {
  const groupWord = groups === 1 ? 'group' : 'groups'
  const now = round === 1
    ? `☕ **Coffee starts here!** ${people} people meet in ${groups} ${groupWord} this round — look for my group message.`
    : `☕ **Coffee, round ${round}:** ${people} people meet in ${groups} ${groupWord} this round.`
  const last = lastRound === null || lastRound.answered === 0
    ? ''
    : lastRound.answered === 1
      ? ` Last round, the one group that answered ${lastRound.met === 1 ? 'met' : 'did not get to meet'}.`
      : ` Last round, ${lastRound.met} of the ${lastRound.answered} groups that answered met (${Math.round((lastRound.met / lastRound.answered) * 100)} %).`
  const invite = mode === 'optin'
    ? ' Want to meet someone new? Type `/coffee join` to take part.'
    : ' Everyone in this channel takes part; `/coffee skip` sits out a round.'
  return now + last + invite
}

/** Under a follow-up once its group was reminded: who has not answered yet (no @: the reminder itself notified them). */
export function remindedLine (waitingFor: readonly string[]): string {
  return `⏰ _Reminded — still waiting to hear from ${joinWords(waitingFor)}._`
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
