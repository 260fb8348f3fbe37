// What each delivery says and where it goes, pure: the claim (store.claimDeliveries) brings what a post is made
// from, renderDelivery turns it into the conversation and the post, deliver.ts does the I/O.
import type { DeliveryToSend } from '../store/rounds.js'
import { introMessage, type IntroMember, aloneMessage, autopauseMessage, proposerOf, reminderReply, announcementMessage } from '../core/messages.js'
import { outcomeTotals } from '../core/outcomes.js'
import { describeHours } from '../core/durations.js'
import { followupPost } from '../core/followup-post.js'
import { introButtons } from '../core/buttons.js'
import { deliveryKeys } from '../core/plan-round.js'
import { UNANSWERED_ROUNDS_BEFORE_PAUSE } from '../core/participation.js'

/** Every post Coffee makes carries its delivery key here, so that a retry can find what an earlier try posted. */
export const DELIVERY_PROP = 'coffee_delivery'

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
  /** An earlier post of Coffee's to edit as part of this delivery (the follow-up a reminder marks). */
  patch?: { postId: string, message: string, props: Record<string, unknown> }
}

export interface RenderOptions {
  /** Where Mattermost sends button clicks; undefined when follow-ups are off. */
  actionsUrl: string | undefined
  /** Signs button contexts. */
  actionsKey: string | undefined
}

export interface IntroToRender {
  program: { channelName: string, followupHours: number }
  roundNumber: number
  group: { id: number, icebreakers: readonly string[], meetingWindow: string, members: readonly IntroMember[] }
  /** Who said under this intro that they already know whom (empty when it is first sent). */
  acquainted: readonly { clicker: string, knows: readonly string[] }[]
}

/** The intro's text and buttons: what delivery posts, and what a click on "We already know each other" updates it to. */
export function renderIntro ({ program, roundNumber, group, acquainted }: IntroToRender, { actionsUrl, actionsKey }: RenderOptions): { message: string, props: Record<string, unknown> } {
  // Without PUBLIC_URL Mattermost has nowhere to send a click: the intro then tells people to type /coffee skip.
  const buttons = actionsUrl !== undefined && actionsKey !== undefined
  return {
    message: introMessage({
      members: group.members,
      channelName: program.channelName,
      icebreakers: group.icebreakers,
      meetingWindow: group.meetingWindow,
      followupIn: program.followupHours === 0 ? 'soon' : `in ${describeHours(program.followupHours)}`,
      proposer: proposerOf(group.members.map((m) => m.username), roundNumber, group.id),
      skipButton: buttons,
      acquainted
    }),
    props: buttons ? { attachments: [introButtons(actionsKey, actionsUrl, group.id)] } : {}
  }
}

export function renderDelivery (delivery: DeliveryToSend, { actionsUrl, actionsKey }: RenderOptions): RenderedDelivery {
  const { program, group, round } = delivery
  switch (delivery.kind) {
    case 'intro': {
      if (group === null) throw new DeliveryImpossible('an intro without a group')
      return {
        conversation: group.channelId === null ? { group: group.members.map((m) => m.userId) } : { channelId: group.channelId },
        ...renderIntro({ program, roundNumber: round.number, group, acquainted: [] }, { actionsUrl, actionsKey })
      }
    }
    case 'followup':
    case 'reminder': {
      if (actionsUrl === undefined || actionsKey === undefined) throw new DeliveryImpossible('follow-ups need PUBLIC_URL (where Mattermost sends button clicks)')
      if (group?.channelId == null) throw new DeliveryImpossible('the intro of this group was never delivered')
      const usernames = new Map(group.members.map((m) => [m.userId, m.username]))
      const input = {
        groupId: group.id,
        members: group.members.map((m) => m.username),
        answers: group.outcomes.map((o) => ({ username: usernames.get(o.userId) ?? o.userId, answer: o.answer })),
        buttons: { actionsUrl, key: actionsKey }
      }
      const post = followupPost({ ...input, kind: delivery.kind, reminded: false })
      const unneeded = delivery.kind === 'reminder' && post.settled ? { unneeded: `the group already answered (${post.outcome})` } : {}
      // A reminder is a reply under the follow-up (a reply notifies people; an edit does not), and the follow-up itself
      // shows it was reminded and who has not answered, its buttons still the one place to answer: no second set.
      if (delivery.kind === 'reminder' && group.followupPostId !== null) {
        const followup = followupPost({ ...input, kind: 'followup', reminded: true })
        return {
          conversation: { channelId: group.channelId },
          rootId: group.followupPostId,
          message: reminderReply(group.members.map((m) => m.username)),
          props: {},
          patch: { postId: group.followupPostId, message: followup.message, props: { [DELIVERY_PROP]: deliveryKeys.followup(group.id), attachments: followup.attachments } },
          ...unneeded
        }
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
    case 'announce': {
      const { announcement } = delivery
      if (announcement === null) throw new DeliveryImpossible('an announcement without its numbers')
      // Counted when sent, over the groups that answered: a group not heard from yet is not a group that did not meet.
      const totals = announcement.lastRound === null ? null : outcomeTotals(announcement.lastRound)
      const last = totals === null ? null : { answered: totals.groups - totals.no_answer, met: totals.met }
      return {
        conversation: { channelId: program.channelId },
        message: announcementMessage({ round: round.number, mode: program.mode, people: announcement.people, groups: announcement.groups, lastRound: last }),
        props: {}
      }
    }
  }
}
