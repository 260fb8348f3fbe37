// What each delivery says and where it goes. loadDelivery reads what a delivery needs; renderDelivery, pure, turns
// that into the conversation and the post; deliver.ts does the rest of the I/O.
import type { Delivery, RoundsStore } from '../store/rounds.js'
import { introMessage, aloneMessage, autopauseMessage } from '../core/messages.js'
import { describeHours } from '../core/durations.js'
import { followupPost } from '../core/followup-post.js'
import { UNANSWERED_ROUNDS_BEFORE_PAUSE } from '../core/participation.js'

/** A delivery that can never be made (its intro never went out, follow-ups are off): trying again cannot help. */
export class DeliveryImpossible extends Error {
  override readonly name = 'DeliveryImpossible'
}

type Group = Awaited<ReturnType<RoundsStore['groupToDeliver']>>
type Program = Awaited<ReturnType<RoundsStore['programOfRound']>>['program']

/** Everything a delivery's post is made from. */
export type DeliveryData =
  | { kind: 'intro' | 'followup' | 'reminder', group: Group }
  | { kind: 'alone' | 'autopause', program: Program, userId: string }

export async function loadDelivery (delivery: Delivery, store: Pick<RoundsStore, 'groupToDeliver' | 'programOfRound'>): Promise<DeliveryData> {
  switch (delivery.kind) {
    case 'intro':
    case 'followup':
    case 'reminder':
      return { kind: delivery.kind, group: await store.groupToDeliver(delivery.groupId!) }
    case 'alone':
    case 'autopause':
      return { kind: delivery.kind, program: (await store.programOfRound(delivery.roundId)).program, userId: delivery.userId! }
  }
}

/** Where a post goes: a conversation that exists, or the people to open one with (the bot is added by the gateway). */
export type Conversation = { channelId: string } | { group: string[] } | { direct: string }

export interface RenderedDelivery {
  conversation: Conversation
  message: string
  props: Record<string, unknown>
  /** Set when the message is no longer needed (e.g. a reminder to a group that already answered). */
  unneeded?: string
}

export interface RenderOptions {
  /** Where Mattermost sends button clicks; undefined when follow-ups are off. */
  actionsUrl: string | undefined
  /** Signs button contexts. */
  actionsKey: string | undefined
}

export function renderDelivery (data: DeliveryData, { actionsUrl, actionsKey }: RenderOptions): RenderedDelivery {
  switch (data.kind) {
    case 'intro': {
      const { group } = data
      const members = group.members.map((m) => m.participant)
      const { program } = group.round
      return {
        conversation: group.channelId === null ? { group: members.map((m) => m.userId) } : { channelId: group.channelId },
        message: introMessage({
          usernames: members.map((m) => m.username),
          channelName: program.channelName,
          icebreaker: group.icebreaker,
          followupIn: program.followupHours === 0 ? 'soon' : `in ${describeHours(program.followupHours)}`
        }),
        props: {}
      }
    }
    case 'followup':
    case 'reminder': {
      const { group } = data
      if (actionsUrl === undefined || actionsKey === undefined) throw new DeliveryImpossible('follow-ups need PUBLIC_URL (where Mattermost sends button clicks)')
      if (group.channelId === null) throw new DeliveryImpossible('the intro of this group was never delivered')
      const usernames = new Map(group.members.map((m) => [m.participant.userId, m.participant.username]))
      const post = followupPost({
        kind: data.kind,
        groupId: group.id,
        members: group.members.map((m) => m.participant.username),
        answers: group.outcomes.map((o) => ({ username: usernames.get(o.userId) ?? o.userId, answer: o.answer })),
        buttons: { actionsUrl, key: actionsKey }
      })
      return {
        conversation: { channelId: group.channelId },
        message: post.message,
        props: { attachments: post.attachments },
        ...(data.kind === 'reminder' && post.settled ? { unneeded: `the group already answered (${post.outcome})` } : {})
      }
    }
    case 'alone':
    case 'autopause':
      return {
        conversation: { direct: data.userId },
        message: data.kind === 'alone' ? aloneMessage(data.program.channelName) : autopauseMessage(data.program.channelName, UNANSWERED_ROUNDS_BEFORE_PAUSE),
        props: {}
      }
  }
}
