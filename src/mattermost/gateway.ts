// The chat gateway: everything Coffee asks of Mattermost, over its REST API with the bot's token.
//
// Client4 (@mattermost/client) builds the requests: routes, query strings, JSON bodies, the "BEARER" header. It cannot
// send them for us: it calls the global fetch and throws a ClientError that hides the HTTP status (a plain-text 429
// from the rate limiter comes back with no status and no Retry-After). So one Client4 per gateway has its doFetch
// routed through send(): an injectable fetch, a timeout, and a GatewayError carrying the status, Retry-After and
// whether trying again later can help. The token never appears in an error message.
import mm from '@mattermost/client'
import type { ChatChannelMember, ChatUser, NewPost } from './types.js'

export type { ChatChannelMember, ChatUser, NewPost } from './types.js'

const { Client4 } = mm
type RequestOptions = Parameters<InstanceType<typeof Client4>['getOptions']>[0]

/** Mattermost's maximum per_page, also a sensible batch for POST /users/ids. */
export const MAX_PER_PAGE = 200
const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_POSTS_SCANNED = 200
const USERNAME = /^[a-z0-9.\-_]{1,64}$/

/** The port the core talks to. Every method may throw a GatewayError. */
export interface ChatGateway {
  /** The bot's own account, fetched once and then remembered. */
  getMe(): Promise<ChatUser>
  /** GET /users/me every time: whether Mattermost answers and takes the token (for /health and the start). */
  whoAmI(): Promise<ChatUser>
  /** Unknown ids are left out. No request for an empty list; batches of 200 ids otherwise. */
  getUsersByIds(ids: readonly string[]): Promise<ChatUser[]>
  /** null when there is no such user. */
  getUser(id: string): Promise<ChatUser | null>
  /** Accepts "@name" and any case; null when there is no such user (or the name cannot be one). */
  getUserByUsername(username: string): Promise<ChatUser | null>
  /**
   * The users with these usernames (POST /users/usernames, batches of 200): unknown names, and names that cannot be
   * one, are left out. Names are matched as Mattermost stores them (lower case, no @).
   */
  getUsersByUsernames(usernames: readonly string[]): Promise<ChatUser[]>
  /** Every member's id, the bot included, across all pages. */
  getChannelMemberIds(channelId: string): Promise<string[]>
  /** null when the user is not a member. */
  getChannelMember(channelId: string, userId: string): Promise<ChatChannelMember | null>
  /** The ids of the channel's admins (channel_admin in the channel), across all pages. */
  getChannelAdminIds(channelId: string): Promise<string[]>
  /**
   * Makes sure the bot is a member of this channel, which it needs to see who is in it and to post there: 'member' when
   * it already was, 'joined' when it joined just now (Mattermost lets it join public channels of its teams), 'refused'
   * when it cannot (a private channel it was not invited to, or a team it is not in).
   */
  joinChannel(channelId: string): Promise<BotMembership>
  /** The DM channel between the bot and this user (created once, then the same one). Returns its id. */
  createDirectChannel(userId: string): Promise<string>
  /**
   * The group message channel of the bot and these users (the same one for the same set). Returns its id.
   * With exactly one other user this is the direct channel, since Mattermost wants 3 to 8 people in a group.
   */
  createGroupChannel(userIds: readonly string[]): Promise<string>
  createPost(post: NewPost): Promise<{ id: string }>
  /** PUT /posts/{id}/patch: replaces the message and, as a whole, the props of a post the bot made. */
  patchPost(postId: string, patch: { message: string, props: Record<string, unknown> }): Promise<void>
  /**
   * The newest post by the bot in this channel whose props[key] equals value, looking at the `scan` newest posts
   * (default 200). For finding out whether a post whose outcome is unknown (timeout, crash) was made after all.
   */
  findRecentPostWithProp(channelId: string, key: string, value: string | number | boolean, options?: { scan?: number }): Promise<string | null>
}

export type BotMembership = 'member' | 'joined' | 'refused'

/** The slice of a pino logger the gateway uses. */
export interface GatewayLog {
  debug(obj: Record<string, unknown>, msg: string): void
}

export interface GatewayOptions {
  /** Mattermost's base URL, e.g. https://chat.example.com (no /api/v4). */
  url: string
  /** The bot access token. */
  token: string
  log?: GatewayLog
  /** Defaults to the global fetch. */
  fetch?: typeof fetch
  /** Per request, including reading the body. Default 10 s. */
  timeoutMs?: number
}

export interface GatewayErrorDetails {
  /** The HTTP status, 0 when no response arrived (network error, timeout). */
  status: number
  /** True when the same request may succeed later: 408, 429, 5xx, network errors and timeouts. */
  transient: boolean
  /** From the Retry-After header, when the server sent one. */
  retryAfterMs?: number | undefined
  /** Mattermost's AppError id, e.g. "api.channel.create_group.bad_size.app_error". */
  serverErrorId?: string | undefined
  /** Mattermost's X-Request-Id, to find the request in the server logs. */
  requestId?: string | undefined
  method: string
  path: string
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  readonly status: number
  readonly transient: boolean
  readonly retryAfterMs: number | undefined
  readonly serverErrorId: string | undefined
  readonly requestId: string | undefined
  readonly method: string
  readonly path: string

  constructor (message: string, details: GatewayErrorDetails, options?: ErrorOptions) {
    super(message, options)
    this.status = details.status
    this.transient = details.transient
    this.retryAfterMs = details.retryAfterMs
    this.serverErrorId = details.serverErrorId
    this.requestId = details.requestId
    this.method = details.method
    this.path = details.path
  }
}

export function isTransientStatus (status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter (value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  // Every HTTP-date form starts with the day's name; Date.parse alone would take "-5" for a year.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

type Send = (url: string, options: RequestOptions) => Promise<unknown>

class RoutedClient4 extends Client4 {
  readonly #send: Send

  constructor (url: string, token: string, send: Send) {
    super()
    this.setUrl(url)
    this.setToken(token)
    this.setIncludeCookies(false)
    this.setUserAgent('Coffee (Mattermost bot)')
    this.#send = send
  }

  // Every Client4 call ends here; this replaces the global fetch and Client4's status-blind error handling.
  protected override doFetch = async <T>(url: string, options: RequestOptions): Promise<T> =>
    await this.#send(url, this.getOptions(options)) as T
}

interface ServerUser {
  id: string
  username: string
  first_name?: string
  last_name?: string
  nickname?: string
  position?: string
  delete_at?: number
  is_bot?: boolean
  roles?: string
  locale?: string
  timezone?: { automaticTimezone?: string, manualTimezone?: string, useAutomaticTimezone?: string | boolean }
}

function toUser (user: ServerUser): ChatUser {
  const tz = user.timezone
  const automatic = tz?.useAutomaticTimezone === 'true' || tz?.useAutomaticTimezone === true
  return {
    id: user.id,
    username: user.username,
    first_name: user.first_name ?? '',
    last_name: user.last_name ?? '',
    nickname: user.nickname ?? '',
    position: user.position ?? '',
    delete_at: user.delete_at ?? 0,
    is_bot: user.is_bot ?? false,
    roles: user.roles ?? '',
    locale: user.locale ?? '',
    timezone: (automatic ? tz?.automaticTimezone : tz?.manualTimezone) ?? ''
  }
}

function isJson (contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

function describeFailure (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined
  return code === undefined ? error.message : `${error.message} (${code})`
}

export function createGateway ({ url, token, log, fetch: fetchImpl = globalThis.fetch, timeoutMs = DEFAULT_TIMEOUT_MS }: GatewayOptions): ChatGateway {
  const baseUrl = url.replace(/\/+$/, '')
  const redact = (text: string): string => token === '' ? text : text.split(token).join('[redacted]')

  async function send (requestUrl: string, options: RequestOptions): Promise<unknown> {
    const method = (options.method ?? 'GET').toUpperCase()
    const { pathname, search } = new URL(requestUrl)
    const path = pathname + search
    const started = performance.now()
    const fail = (message: string, details: Omit<GatewayErrorDetails, 'method' | 'path'>, cause?: unknown): GatewayError =>
      new GatewayError(redact(`Mattermost ${method} ${path} ${message}`), { ...details, method, path }, cause === undefined ? undefined : { cause })

    let response: Response
    let text: string
    try {
      response = await fetchImpl(requestUrl, { method, headers: options.headers, body: options.body as string | undefined, signal: AbortSignal.timeout(timeoutMs) })
      text = await response.text()
    } catch (error) {
      log?.debug({ method, path, ms: Math.round(performance.now() - started), error: describeFailure(error) }, 'mattermost request failed')
      if (error instanceof Error && error.name === 'TimeoutError') throw fail(`timed out after ${timeoutMs} ms`, { status: 0, transient: true }, error)
      throw fail(`failed: ${describeFailure(error)}`, { status: 0, transient: true }, error)
    }

    const { status } = response
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
    const requestId = response.headers.get('x-request-id') ?? undefined
    log?.debug({ method, path, status, ms: Math.round(performance.now() - started), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }, 'mattermost request')

    let body: unknown = text
    if (isJson(response.headers.get('content-type'))) {
      try {
        body = JSON.parse(text)
      } catch (error) {
        throw fail(`answered ${status} with invalid JSON`, { status, transient: isTransientStatus(status), retryAfterMs, requestId }, error)
      }
    }
    if (!response.ok) {
      const appError = typeof body === 'object' && body !== null ? body as { id?: unknown, message?: unknown } : {}
      const serverErrorId = typeof appError.id === 'string' && appError.id !== '' ? appError.id : undefined
      // The AppError's message, or the start of a plain-text body ("limit exceeded"); never detailed_error, which
      // holds "token=…" on servers in developer mode.
      const said = typeof appError.message === 'string' ? appError.message : typeof body === 'string' ? body.trim().slice(0, 200) : ''
      const message = `answered ${status}${said === '' ? '' : `: ${said}`}${serverErrorId === undefined ? '' : ` (${serverErrorId})`}`
      throw fail(message, { status, transient: isTransientStatus(status), retryAfterMs, serverErrorId, requestId })
    }
    if (typeof body === 'string') {
      // A 2xx that is not JSON is not the API talking (a proxy, or the web app at a wrong URL).
      throw fail(`answered ${status} with ${response.headers.get('content-type') ?? 'no content type'} instead of JSON (is the URL right?)`, { status, transient: false, requestId })
    }
    return body
  }

  const client = new RoutedClient4(baseUrl, token, send)

  const notFoundAsNull = async <T>(request: Promise<T>): Promise<T | null> => {
    try {
      return await request
    } catch (error) {
      if (error instanceof GatewayError && error.status === 404) return null
      throw error
    }
  }

  /** Every member of a channel with their channel roles, across all pages (a page with nothing new ends it). */
  async function channelMembers (channelId: string): Promise<Map<string, string>> {
    const roles = new Map<string, string>()
    for (let page = 0; ; page++) {
      const members = await client.getChannelMembers(channelId, page, MAX_PER_PAGE)
      const before = roles.size
      for (const member of members) roles.set(member.user_id, member.roles)
      if (members.length < MAX_PER_PAGE || roles.size === before) break
    }
    return roles
  }

  let me: Promise<ChatUser> | undefined
  function getMe (): Promise<ChatUser> {
    me ??= client.getMe().then(toUser, (error: unknown) => {
      me = undefined
      throw error
    })
    return me
  }
  const botId = async (): Promise<string> => (await getMe()).id

  async function createDirectChannel (userId: string): Promise<string> {
    const channel = await client.createDirectChannel([await botId(), userId])
    return channel.id
  }

  /** Users looked up by a list of keys, at most a page of them per request (Mattermost's limit), one request at a time. */
  async function inBatches (keys: readonly string[], lookUp: (batch: string[]) => Promise<Parameters<typeof toUser>[0][]>): Promise<ChatUser[]> {
    const users: ChatUser[] = []
    for (let i = 0; i < keys.length; i += MAX_PER_PAGE) users.push(...(await lookUp(keys.slice(i, i + MAX_PER_PAGE))).map(toUser))
    return users
  }

  return {
    getMe,

    async whoAmI () {
      return toUser(await client.getMe())
    },

    async getUsersByIds (ids) {
      return await inBatches([...new Set(ids)], (batch) => client.getProfilesByIds(batch))
    },

    async getUser (id) {
      const user = await notFoundAsNull(client.getUser(id))
      return user === null ? null : toUser(user)
    },

    async getUserByUsername (username) {
      // Mattermost stores usernames in lower case and answers 400 to anything that cannot be one.
      const name = username.trim().replace(/^@/, '').toLowerCase()
      if (!USERNAME.test(name)) return null
      const user = await notFoundAsNull(client.getUserByUsername(name))
      return user === null ? null : toUser(user)
    },

    async getUsersByUsernames (usernames) {
      const unique = [...new Set(usernames.map((u) => u.trim().replace(/^@/, '').toLowerCase()))].filter((u) => USERNAME.test(u))
      return await inBatches(unique, (batch) => client.getProfilesByUsernames(batch))
    },

    async getChannelMemberIds (channelId) {
      return [...(await channelMembers(channelId)).keys()]
    },

    async getChannelAdminIds (channelId) {
      return [...(await channelMembers(channelId))].filter(([, roles]) => roles.split(' ').includes('channel_admin')).map(([id]) => id)
    },

    async getChannelMember (channelId, userId) {
      const member = await notFoundAsNull(client.getChannelMember(channelId, userId))
      return member === null ? null : { channel_id: member.channel_id, user_id: member.user_id, roles: member.roles }
    },

    async joinChannel (channelId) {
      const self = await botId()
      // Mattermost answers 403 to a non-member reading a channel's members (public channels too), 404 when it is gone.
      const refusal = (error: unknown) => error instanceof GatewayError && (error.status === 403 || error.status === 404)
      try {
        await client.getChannelMember(channelId, self)
        return 'member'
      } catch (error) {
        if (!refusal(error)) throw error
      }
      try {
        await client.addToChannel(self, channelId)
        return 'joined'
      } catch (error) {
        if (refusal(error)) return 'refused'
        throw error
      }
    },

    createDirectChannel,

    async createGroupChannel (userIds) {
      const self = await botId()
      const others = [...new Set(userIds)].filter((id) => id !== self)
      const [only] = others
      if (others.length === 1 && only !== undefined) return await createDirectChannel(only)
      // The server would append the caller itself, but the published spec wants all 3..8 ids in the body.
      const channel = await client.createGroupChannel([...others, self])
      return channel.id
    },

    async createPost ({ channelId, message, props, rootId }) {
      const post = await client.createPost({
        channel_id: channelId,
        message,
        ...(props === undefined ? {} : { props }),
        ...(rootId === undefined ? {} : { root_id: rootId })
      })
      return { id: post.id }
    },

    async patchPost (postId, { message, props }) {
      await client.patchPost({ id: postId, message, props })
    },

    async findRecentPostWithProp (channelId, key, value, { scan = DEFAULT_POSTS_SCANNED } = {}) {
      const self = await botId()
      const perPage = Math.max(1, Math.min(scan, MAX_PER_PAGE))
      for (let page = 0, seen = 0; seen < scan; page++) {
        const list = await client.getPosts(channelId, page, perPage)
        for (const id of list.order) {
          if (seen >= scan) break
          seen++
          const post = list.posts[id]
          if (post !== undefined && post.user_id === self && post.props?.[key] === value) return post.id
        }
        if (list.order.length < perPage) break
      }
      return null
    }
  }
}
