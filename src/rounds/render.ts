// Turns a delivery into the Mattermost conversation it goes to and the post it makes there.
import type { Delivery } from '../store/rounds.js'
import { DeliveryImpossible, type DeliveryDeps } from './deliver.js'
import { introMessage, aloneMessage, followupMessage, reminderMessage, autopauseMessage } from '../core/messages.js'
import { describeHours } from '../core/durations.js'
import { followupButtons } from '../core/buttons.js'
import { groupOutcome, isSettled } from '../core/outcomes.js'
import { UNANSWERED_ROUNDS_BEFORE_PAUSE } from '../core/participation.js'

export interface RenderedDelivery {
  /** Opens (or finds) the conversation; only called when the delivery has no channel yet. */
  openChannel(): Promise<string>
  message: string
  props: Record<string, unknown>
  /** Set when the message is no longer needed (e.g. a reminder to a group that already answered). */
  unneeded?: string
}

export async function renderDelivery (delivery: Delivery, deps: DeliveryDeps): Promise<RenderedDelivery> {
  const { store, gateway } = deps
  switch (delivery.kind) {
    case 'intro': {
      const group = await store.group(delivery.groupId!)
      const members = group.members.map((m) => m.participant)
      const program = group.round.program
      return {
        openChannel: async () => group.channelId ?? await gateway.createGroupChannel(members.map((m) => m.userId)),
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
      const group = await store.group(delivery.groupId!)
      if (deps.publicUrl === undefined || deps.actionsKey === undefined) throw new DeliveryImpossible('follow-ups need PUBLIC_URL (where Mattermost sends button clicks)')
      if (group.channelId === null) throw new DeliveryImpossible('the intro of this group was never delivered')
      const usernames = group.members.map((m) => m.participant.username)
      const outcome = groupOutcome(group.outcomes.map((o) => o.answer))
      return {
        openChannel: async () => group.channelId!,
        message: delivery.kind === 'followup' ? followupMessage(usernames) : reminderMessage(usernames),
        props: { attachments: [followupButtons(deps.actionsKey, `${deps.publicUrl}/actions`, group.id)] },
        ...(delivery.kind === 'reminder' && isSettled(outcome) ? { unneeded: `the group already answered (${outcome})` } : {})
      }
    }
    case 'alone':
    case 'autopause': {
      const { program } = await store.programOfRound(delivery.roundId)
      return {
        openChannel: () => gateway.createDirectChannel(delivery.userId!),
        message: delivery.kind === 'alone' ? aloneMessage(program.channelName) : autopauseMessage(program.channelName, UNANSWERED_ROUNDS_BEFORE_PAUSE),
        props: {}
      }
    }
  }
}
