// Button clicks as Mattermost's server delivers them to the integration URL.
import type { FastifyInstance } from 'fastify'

export interface ClickInput {
  userId: string
  userName?: string
  postId: string
  channelId: string
  context: unknown
}

export function clickBody ({ userId, userName = 'someone', postId, channelId, context }: ClickInput) {
  return {
    user_id: userId,
    user_name: userName,
    channel_id: channelId,
    channel_name: 'a'.repeat(40),
    team_id: '',
    team_domain: '',
    post_id: postId,
    trigger_id: 'trigger',
    type: '',
    data_source: '',
    context
  }
}

export async function click (app: FastifyInstance, input: ClickInput) {
  const response = await app.inject({ method: 'POST', url: '/actions', headers: { 'content-type': 'application/json' }, payload: clickBody(input) })
  return { status: response.statusCode, body: response.json() as { ephemeral_text?: string, update?: { message: string, props: { attachments: { actions?: { id: string, name: string, integration: { url: string, context: unknown } }[] }[] } } } }
}
