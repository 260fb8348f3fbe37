// Mattermost's slash command request and response, as the server sends and reads them
// (test/e2e/protocol.e2e.ts records them from a real server): form fields (or the query for GET commands), the token in the
// `token` field and/or `Authorization: Token …`, and a CommandResponse JSON body that only shows when we answer 200.
import { createHash, timingSafeEqual } from 'node:crypto'

export interface SlashCommand {
  teamId: string
  teamDomain: string
  channelId: string
  channelName: string
  userId: string
  userName: string
  command: string
  /** Everything after the trigger word, as typed. */
  text: string
  responseUrl: string | undefined
  triggerId: string | undefined
  /** @mentions Mattermost resolved for us: username -> user id. */
  mentions: ReadonlyMap<string, string>
}

export interface CommandResponse {
  response_type: 'ephemeral' | 'in_channel'
  text: string
  props?: Record<string, unknown>
}

export type SlashParse = { ok: true, command: SlashCommand } | { ok: false, missing: string[] }

type Fields = Record<string, unknown>

function field (fields: Fields, name: string): string | undefined {
  const value = fields[name]
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined
  return typeof value === 'string' ? value : undefined
}

function list (fields: Fields, name: string): string[] {
  const value = fields[name]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return typeof value === 'string' ? [value] : []
}

/** Reads the fields Coffee needs; reports every required one that is missing. */
export function parseSlashCommand (fields: Fields): SlashParse {
  const required = ['team_id', 'channel_id', 'user_id', 'command'] as const
  const missing = required.filter((name) => (field(fields, name) ?? '').trim() === '')
  if (missing.length > 0) return { ok: false, missing }
  const names = list(fields, 'user_mentions')
  const ids = list(fields, 'user_mentions_ids')
  const mentions = new Map<string, string>()
  names.forEach((name, i) => {
    const id = ids[i]
    if (id !== undefined) mentions.set(name.replace(/^@/, '').toLowerCase(), id)
  })
  return {
    ok: true,
    command: {
      teamId: field(fields, 'team_id')!.trim(),
      teamDomain: field(fields, 'team_domain') ?? '',
      channelId: field(fields, 'channel_id')!.trim(),
      channelName: field(fields, 'channel_name') ?? '',
      userId: field(fields, 'user_id')!.trim(),
      userName: field(fields, 'user_name') ?? '',
      command: field(fields, 'command')!.trim(),
      text: field(fields, 'text') ?? '',
      responseUrl: field(fields, 'response_url'),
      triggerId: field(fields, 'trigger_id'),
      mentions
    }
  }
}

/** The token a request presents: `Authorization: Token x` wins over the form field, as in newer Mattermost. */
export function presentedToken (fields: Fields, authorization: string | undefined): string | undefined {
  const header = /^token\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (header !== null) return header[1]
  return field(fields, 'token')
}

/**
 * A constant-time membership test for a fixed set of tokens: comparing digests keeps lengths equal and leaks
 * nothing by timing. The accepted tokens are hashed once, the presented one on each call.
 */
export function tokenChecker (accepted: readonly string[]): (presented: string | undefined) => boolean {
  const digests = accepted.map((token) => createHash('sha256').update(token).digest())
  return (presented) => {
    if (presented === undefined || presented === '') return false
    const digest = createHash('sha256').update(presented).digest()
    let ok = false
    for (const expected of digests) ok = timingSafeEqual(digest, expected) || ok
    return ok
  }
}

/** Direct messages are named "<id>__<id>", group messages by a 40-hex hash: Coffee runs in channels only. */
export function isDirectOrGroupChannel (channelName: string): boolean {
  return /^[a-z0-9]{26}__[a-z0-9]{26}$/.test(channelName) || /^[0-9a-f]{40}$/.test(channelName)
}

export function ephemeral (text: string): CommandResponse {
  return { response_type: 'ephemeral', text }
}
