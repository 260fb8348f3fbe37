// Slash command requests exactly as Mattermost's server sends them: form-encoded fields, the token both in the
// `token` field and in `Authorization: Token …`, Accept: application/json, User-Agent Mattermost-Bot/1.1.
import type { FastifyInstance } from 'fastify'

export const SLASH_TOKEN = 'xk3s9pq7rj8mbd5ty1cz4hn6wa'
export const TEAM_ID = 'teamaaaaaaaaaaaaaaaaaaaaaa'
export const CHANNEL_ID = 'chanaaaaaaaaaaaaaaaaaaaaaa'

/** A 26-character Mattermost-style id from a short name, so tests read well. */
export function mmId (name: string): string {
  return (name.toLowerCase().replace(/[^a-z0-9]/g, '') + 'x'.repeat(26)).slice(0, 26)
}

export interface SlashInput {
  text?: string
  userId?: string
  userName?: string
  channelId?: string
  channelName?: string
  teamId?: string
  token?: string | null
  mentions?: Record<string, string>
}

export function slashFields (input: SlashInput = {}): URLSearchParams {
  const userName = input.userName ?? 'alice'
  const channelId = input.channelId ?? CHANNEL_ID
  const fields = new URLSearchParams()
  const token = input.token === undefined ? SLASH_TOKEN : input.token
  if (token !== null) fields.set('token', token)
  fields.set('team_id', input.teamId ?? TEAM_ID)
  fields.set('team_domain', 'acme')
  fields.set('channel_id', channelId)
  fields.set('channel_name', input.channelName ?? 'town-square')
  fields.set('user_id', input.userId ?? mmId(userName))
  fields.set('user_name', userName)
  fields.set('command', '/coffee')
  fields.set('text', input.text ?? '')
  fields.set('response_url', `http://mattermost.local/hooks/commands/${mmId('hook')}`)
  fields.set('trigger_id', 'trigger123')
  // Empty unless the command was typed in a thread; the real server always sends it (test/e2e/protocol.e2e.ts).
  fields.set('root_id', '')
  for (const [name, id] of Object.entries(input.mentions ?? {})) {
    fields.append('user_mentions', name)
    fields.append('user_mentions_ids', id)
  }
  return fields
}

export function slashHeaders (token: string | null = SLASH_TOKEN): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': 'Mattermost-Bot/1.1',
    ...(token !== null ? { authorization: `Token ${token}` } : {})
  }
}

/** Sends a slash command like Mattermost does and returns the parsed CommandResponse (or error body). */
export async function slash (app: FastifyInstance, input: SlashInput = {}) {
  const token = input.token === undefined ? SLASH_TOKEN : input.token
  const response = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(token), payload: slashFields(input).toString() })
  return { status: response.statusCode, body: response.json() as { response_type?: string, text?: string, message?: string }, contentType: response.headers['content-type'] }
}

/** The text of a successful ephemeral reply; fails loudly on anything else. */
export async function say (app: FastifyInstance, text: string, input: SlashInput = {}): Promise<string> {
  const result = await slash(app, { ...input, text })
  if (result.status !== 200 || result.body.response_type !== 'ephemeral' || typeof result.body.text !== 'string') {
    throw new Error(`/coffee ${text} answered ${result.status}: ${JSON.stringify(result.body)}`)
  }
  return result.body.text
}
