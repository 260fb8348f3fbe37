// What each delivery says and where it goes, pure: the claim (store.claimDeliveries) brings what a post is made
// from, renderDelivery turns it into the conversation and the post, deliver.ts does the I/O.
import type { DeliveryToSend } from '../store/rounds.js'
import { introMessage, aloneMessage, autopauseMessage, proposerOf, reminderReply } from '../core/messages.js'
import { describeHours } from '../core/durations.js'
import { followupPost } from '../core/followup-post.js'
import { UNANSWERED_ROUNDS_BEFORE_PAUSE } from '../core/participation.js'

/** A delivery that can never be made (its intro never went out, follow-ups are off): trying again cannot help. */
export class DeliveryImpossible extends Error {
  override readonly name = 'DeliveryImpossible'
}

/** Where a post goes: a conversation that exists, or the people to open one with (the bot is added by the gateway). */
export type Conversation = { channelId: string } | { group: string[] } | { direct: string }

export interface RenderedDelivery {
  conversation: Conversation
  message: string
  props: Record<string, unknown>
  /** A reply in this post's thread. */
  rootId?: string
  /** Set when the message is no longer needed (e.g. a reminder to a group that already answered). */
  unneeded?: string
}

export interface RenderOptions {
  /** Where Mattermost sends button clicks; undefined when follow-ups are off. */
  actionsUrl: string | undefined
  /** Signs button contexts. */
  actionsKey: string | undefined
}

export function renderDelivery (delivery: DeliveryToSend, { actionsUrl, actionsKey }: RenderOptions): RenderedDelivery {
  const { program, group, round } = delivery
  switch (delivery.kind) {
    case 'intro': {
      if (group === null) throw new DeliveryImpossible('an intro without a group')
      return {
        conversation: group.channelId === null ? { group: group.members.map((m) => m.userId) } : { channelId: group.channelId },
        message: introMessage({
          usernames: group.members.map((m) => m.username),
          channelName: program.channelName,
          icebreaker: group.icebreaker,
          meetingWindow: group.meetingWindow,
          followupIn: program.followupHours === 0 ? 'soon' : `in ${describeHours(program.followupHours)}`,
          proposer: proposerOf(group.members.map((m) => m.username), round.number, group.id)
        }),
        props: {}
      }
    }
    case 'followup':
    case 'reminder': {
      if (actionsUrl === undefined || actionsKey === undefined) throw new DeliveryImpossible('follow-ups need PUBLIC_URL (where Mattermost sends button clicks)')
      if (group?.channelId == null) throw new DeliveryImpossible('the intro of this group was never delivered')
      const usernames = new Map(group.members.map((m) => [m.userId, m.username]))
      const post = followupPost({
        kind: delivery.kind,
        groupId: group.id,
        members: group.members.map((m) => m.username),
        answers: group.outcomes.map((o) => ({ username: usernames.get(o.userId) ?? o.userId, answer: o.answer })),
        buttons: { actionsUrl, key: actionsKey }
      })
      const unneeded = delivery.kind === 'reminder' && post.settled ? { unneeded: `the group already answered (${post.outcome})` } : {}
      // A reminder is a reply under the follow-up, whose buttons stay the one place to answer: no second set.
      if (delivery.kind === 'reminder' && group.followupPostId !== null) {
        return { conversation: { channelId: group.channelId }, rootId: group.followupPostId, message: reminderReply(group.members.map((m) => m.username)), props: {}, ...unneeded }
      }
      return { conversation: { channelId: group.channelId }, message: post.message, props: { attachments: post.attachments }, ...unneeded }
    }
    case 'alone':
    case 'autopause': {
      if (delivery.userId === null) throw new DeliveryImpossible(`a direct message (${delivery.kind}) without a recipient`)
      return {
        conversation: { direct: delivery.userId },
        message: delivery.kind === 'alone' ? aloneMessage(program.channelName) : autopauseMessage(program.channelName, UNANSWERED_ROUNDS_BEFORE_PAUSE),
        props: {}
      }
    }
  }
}
