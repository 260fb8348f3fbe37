// What Coffee posts in Mattermost. Markdown, friendly, short; every member @mentioned.

export interface IntroInput {
  usernames: readonly string[]
  channelName: string
  icebreaker: string
  followupIn: string
}

function mentionList (usernames: readonly string[]): string {
  const mentions = usernames.map((name) => `@${name}`)
  if (mentions.length <= 2) return mentions.join(' and ')
  return `${mentions.slice(0, -1).join(', ')} and ${mentions.at(-1)!}`
}

export function introMessage ({ usernames, channelName, icebreaker, followupIn }: IntroInput): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  const who = usernames.length === 2 ? 'you two' : `the ${usernames.length} of you`
  return [
    `☕ **Coffee time!** ${mentionList(usernames)}, meet each other.`,
    '',
    `Coffee from ${channel} picked ${who} this round. Find half an hour in the coming days for a coffee, a walk or a video call — whatever suits you.`,
    '',
    `**To get you started:** ${icebreaker}`,
    '',
    `_I'll check in ${followupIn}. Can't make it? Type \`/coffee skip\` in ${channel} to sit out the next round, or \`/coffee pause 2w\` to take a break._`
  ].join('\n')
}

export function aloneMessage (channelName: string): string {
  const channel = channelName === '' ? 'your channel' : `~${channelName}`
  return `☕ Hi! This round of coffee in ${channel} had nobody free to meet you — sorry about that. You're still in, and I'll introduce you to someone next time.`
}
