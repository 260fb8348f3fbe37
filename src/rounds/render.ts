// Turns a delivery into the Mattermost conversation it goes to and the post it makes there.
import type { Delivery } from '../store/rounds.js'
import type { DeliveryDeps } from './deliver.js'
import { introMessage, aloneMessage } from '../core/messages.js'
import { describeHours } from '../core/durations.js'

export interface RenderedDelivery {
  /** Opens (or finds) the conversation; only called when the delivery has no channel yet. */
  openChannel(): Promise<string>
  message: string
  props: Record<string, unknown>
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
    case 'alone': {
      const { program } = await store.programOfRound(delivery.roundId)
      return {
        openChannel: () => gateway.createDirectChannel(delivery.userId!),
        message: aloneMessage(program.channelName),
        props: {}
      }
    }
    default:
      throw Object.assign(new Error(`Coffee cannot send a ${delivery.kind} delivery yet`), { transient: false })
  }
}
