// A stand-in for the Mattermost REST API (api/v4) on node:http, for the fast tests: only the routes Coffee's gateway
// calls, answered as the real server answers them (shared/mattermost-protocol.md): bearer auth, Content-Type exactly
// application/json, AppError bodies, the same status codes and error ids in the same order of checks (so an unknown
// channel is a 403 where the server checks permissions first), group channel size rules and page limits. The
// end-to-end suite (test/e2e) is the judge of Mattermost's behaviour; this fake only has to agree with it on what
// Coffee uses. Tests drive it with state helpers, read what happened (request log, posts per channel), inject faults
// (5xx, 429 with Retry-After, latency, connection resets) or turn on the rate limiter, and click message buttons:
// click() posts to the button's integration URL and applies the answer's update and ephemeral_text, as Mattermost does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, randomBytes } from 'node:crypto'

const API_ROOT = '/api/v4'
const PER_PAGE_DEFAULT = 60
const PER_PAGE_MAXIMUM = 200
const GROUP_MIN_USERS = 3
const GROUP_MAX_USERS = 8
const POST_MESSAGE_MAX_RUNES = 16383
const POST_PROPS_MAX_RUNES = 800000
/** ServiceSettings.OutgoingIntegrationRequestsTimeout's default, for button clicks. */
const OUTGOING_TIMEOUT_MS = 30_000
const USERNAME = /^[a-z0-9.\-_]{1,64}$/
/** api4 only routes alphanumeric post and action ids: a click on any other is a 404. */
const ACTION_ID = /^[A-Za-z0-9]+$/

export type ChannelType = 'O' | 'P' | 'D' | 'G'

export interface FakeUser {
  id: string
  create_at: number
  update_at: number
  delete_at: number
  username: string
  first_name: string
  last_name: string
  nickname: string
  roles: string
  locale: string
  timezone: { automaticTimezone: string, manualTimezone: string, useAutomaticTimezone: string }
  is_bot: boolean
}

export interface FakeTeam {
  id: string
  name: string
  display_name: string
}

export interface FakeChannel {
  id: string
  create_at: number
  update_at: number
  delete_at: number
  team_id: string
  type: ChannelType
  display_name: string
  name: string
}

export interface FakePost {
  id: string
  create_at: number
  update_at: number
  edit_at: number
  delete_at: number
  user_id: string
  channel_id: string
  root_id: string
  message: string
  type: string
  props: Record<string, unknown>
}

export interface FakeMembership {
  channel_id: string
  user_id: string
  scheme_admin: boolean
}

/** What the fake can be told to do instead of (or besides) answering normally. */
export type Fault =
  /** An AppError with this status (default 500). `after`: handle the request first (state changes), then fail. */
  | { type: 'status', status?: number, id?: string, message?: string, after?: boolean }
  /** Mattermost's rate limiter answer: 429, Retry-After, X-RateLimit-*, body "limit exceeded\n" as text/plain. */
  | { type: 'rate-limit', retryAfter?: number | string }
  /** Wait this long, then answer normally (the request is handled even if the client gave up). */
  | { type: 'delay', ms: number }
  /** Destroy the socket without answering. `after`: handle the request first (state changes), then reset. */
  | { type: 'reset', after?: boolean }

export interface FaultMatch {
  method?: string
  /** A pathname such as '/api/v4/posts' (exact), or a RegExp tested against the pathname. */
  path?: string | RegExp
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  /** The status sent; 0 while the request is being handled, or when the socket was destroyed instead. */
  status: number
  /** The request body: parsed JSON when it parsed, else the text ('' when empty). */
  body: unknown
  /** The raw Authorization header, if any. */
  authorization: string | undefined
}

export interface RateLimitSettings {
  perSec: number
  maxBurst: number
}

export interface FakeMattermostOptions {
  /** Like ServiceSettings.EnableDeveloper: keep detailed_error in AppErrors (it can contain the token!). */
  developerMode?: boolean
}

/** One call Mattermost made to a button's integration URL. */
export interface IntegrationCall {
  /** The integration URL of the clicked button (server-side only: clients never see it). */
  url: string
  postId: string
  actionId: string
  /** Who clicked. */
  userId: string
  /** The JSON body sent: {user_id, user_name, channel_id, channel_name, team_id, team_domain, post_id, trigger_id, type, data_source, context?}. */
  body: Record<string, unknown>
  /** The status of the integration's answer; 0 while waiting or when none came. */
  status: number
  /** The answer's body as text ('' when none). */
  responseBody: string
  /** Why no answer came (unreachable, timed out). */
  error: string | undefined
}

/** The ephemeral post an integration's ephemeral_text became: shown to the clicker only, never stored in the channel. */
export interface FakeEphemeralPost {
  /** The clicker, the only one who sees it. */
  user_id: string
  channel_id: string
  /** The clicked post's thread. */
  root_id: string
  message: string
}

export interface ClickResult {
  /** What POST /api/v4/posts/{post_id}/actions/{action_id} would answer: 200, or the AppError's status. */
  status: number
  /** {status: 'OK', trigger_id}, or the AppError body. */
  body: Record<string, unknown>
  /** The call made to the integration, if the click got that far. */
  integration: IntegrationCall | undefined
  /** The ephemeral post the integration's ephemeral_text became, if any. */
  ephemeral: FakeEphemeralPost | undefined
  /** The clicked post after the click (server-side view, integrations included), if it exists. */
  post: FakePost | undefined
}

export interface UserInput {
  id?: string
  username?: string
  first_name?: string
  last_name?: string
  nickname?: string
  roles?: string
}

export interface ChannelInput {
  id?: string
  team_id?: string
  name: string
  display_name?: string
  type?: 'O' | 'P'
}

export interface FakeMattermost {
  readonly url: string
  close(): Promise<void>

  addUser(input?: UserInput): FakeUser
  /** A bot account (roles 'system_user') and a bot access token for it. */
  addBot(input?: UserInput): { user: FakeUser, token: string }
  /** Sets delete_at, as System Console > Deactivate does; the user's tokens stop working. */
  deactivate(userId: string): void
  addTeam(input?: { id?: string, name?: string, display_name?: string }): FakeTeam
  addTeamMember(teamId: string, userId: string): void
  /** A public or private channel; its team is created on the fly when unknown (a default team when omitted). */
  addChannel(input: ChannelInput): FakeChannel
  /** Adds a channel member (and team member). admin: roles "channel_user channel_admin". */
  addMember(channelId: string, userId: string, options?: { admin?: boolean }): void
  removeMember(channelId: string, userId: string): void
  /** A post made outside the API (by a person, say), newest so far. */
  addPost(input: { channel_id: string, user_id: string, message?: string, props?: Record<string, unknown> }): FakePost

  user(id: string): FakeUser | undefined
  userByUsername(username: string): FakeUser | undefined
  channel(id: string): FakeChannel | undefined
  /** Member ids of a channel, in the order they joined. */
  memberIds(channelId: string): string[]
  membership(channelId: string, userId: string): FakeMembership | undefined
  /** The DM channel between two users, if it exists. */
  directChannel(userA: string, userB: string): FakeChannel | undefined
  /** The group channel of exactly these users (order irrelevant), if it exists. */
  groupChannel(userIds: readonly string[]): FakeChannel | undefined
  /** All channels of a type. */
  channelsOfType(type: ChannelType): FakeChannel[]
  /** Posts in a channel, oldest first (copies, as stored: buttons keep their integration, which the API never shows). */
  posts(channelId: string): FakePost[]
  post(id: string): FakePost | undefined

  /** Every request, oldest first (copies). */
  readonly requests: RecordedRequest[]
  requestsTo(method: string, path: string | RegExp): RecordedRequest[]
  clearRequests(): void

  /** The next `times` (default 1) requests matching `match` meet `fault`. Faults are tried in the order added. */
  inject(fault: Fault, options?: FaultMatch & { times?: number }): void
  failNext(times?: number, status?: number, match?: FaultMatch): void
  rateLimitNext(times?: number, retryAfter?: number | string, match?: FaultMatch): void
  delayNext(times: number, ms: number, match?: FaultMatch): void
  resetNext(times?: number, match?: FaultMatch): void
  clearFaults(): void
  /** Turns Mattermost's own rate limiter on (settings) or off (undefined). */
  setRateLimit(settings: RateLimitSettings | undefined): void

  /**
   * `userId` clicks button `actionId` of post `postId`: what POST /api/v4/posts/{post_id}/actions/{action_id} does for
   * that user's session (same checks in the same order, same integration call, same AppErrors), minus HTTP.
   */
  click(postId: string, actionId: string, userId: string): Promise<ClickResult>
  /** Every call made to an integration URL by a click, oldest first (copies). */
  integrationCalls(): IntegrationCall[]
}

const ID_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769'

/** Mattermost's model.NewId: 16 random bytes in its own base32 alphabet, 26 lowercase alphanumerics. */
export function newId (): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of randomBytes(16)) {
    buffer = ((buffer << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += ID_ALPHABET[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += ID_ALPHABET[(buffer << (5 - bits)) & 31]
  return out
}

export function isValidId (value: string): boolean {
  return /^[A-Za-z0-9]{26}$/.test(value)
}

/** model.GetGroupNameFromUserIds: sha1 of the sorted ids, concatenated. */
export function groupChannelName (userIds: readonly string[]): string {
  const hash = createHash('sha1')
  for (const id of [...userIds].sort()) hash.update(id)
  return hash.digest('hex')
}

function directChannelName (a: string, b: string): string {
  return a < b ? `${a}__${b}` : `${b}__${a}`
}

function runes (text: string): number {
  return [...text].length
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringArray (value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined
}

class AppError extends Error {
  constructor (readonly status: number, readonly id: string, message: string, readonly detailed = '') {
    super(message)
  }
}

const invalidBodyParam = (name: string): AppError =>
  new AppError(400, 'api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body.`)
const invalidUrlParam = (name: string): AppError =>
  new AppError(400, 'api.context.invalid_url_param.app_error', `Invalid or missing ${name} parameter in request URL.`)
const permissionError = (userId: string, permission: string): AppError =>
  new AppError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.', `userId=${userId}, permission=${permission}`)
const pageNotFound = (): AppError => new AppError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.')
const sessionExpired = (detailed: string): AppError =>
  new AppError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.', detailed)
const actionIntegrationError = (detailed: string): AppError =>
  new AppError(400, 'api.post.do_action.action_integration.app_error', 'Action integration error.', detailed)

interface Reply {
  status: number
  body: unknown
}

interface Context {
  session: FakeUser
  params: Record<string, string>
  query: URLSearchParams
  /** The body parsed as JSON, or a 400 invalid_body_param naming `name`. */
  json(name: string): unknown
}

interface Route {
  method: string
  pattern: RegExp
  handle(ctx: Context): Reply
}

interface ActiveFault {
  fault: Fault
  match: FaultMatch
  remaining: number
}

function pageParams (query: URLSearchParams): { page: number, perPage: number } {
  // web.ParamsFromRequest: anything unparsable or negative falls back to the default; per_page is clamped.
  const int = (raw: string | null): number | undefined => raw !== null && /^[+-]?\d+$/.test(raw) ? Number(raw) : undefined
  const page = int(query.get('page'))
  const perPage = int(query.get('per_page'))
  return {
    page: page === undefined || page < 0 ? 0 : page,
    perPage: perPage === undefined || perPage < 0 ? PER_PAGE_DEFAULT : Math.min(perPage, PER_PAGE_MAXIMUM)
  }
}

/** The first action with exactly this id in props.attachments[].actions[]. */
function findAction (props: Record<string, unknown>, actionId: string): Record<string, unknown> | undefined {
  for (const attachment of Array.isArray(props.attachments) ? props.attachments : []) {
    const actions: unknown = isRecord(attachment) ? attachment.actions : undefined
    for (const action of Array.isArray(actions) ? actions : []) if (isRecord(action) && action.id === actionId) return action
  }
  return undefined
}

/** A post as API responses carry it (Post.StripActionIntegrations): no action shows its integration (url, context). */
function clientPost (post: FakePost): FakePost {
  const copy = structuredClone(post)
  for (const attachment of Array.isArray(copy.props.attachments) ? copy.props.attachments : []) {
    const actions: unknown = isRecord(attachment) ? attachment.actions : undefined
    for (const action of Array.isArray(actions) ? actions : []) if (isRecord(action)) delete action.integration
  }
  return copy
}

function validatePost (post: { message: string, props: Record<string, unknown> }): void {
  if (runes(post.message) > POST_MESSAGE_MAX_RUNES) {
    throw new AppError(400, 'model.post.is_valid.message_length.app_error', 'Post Message property is longer than the maximum permitted length.')
  }
  if (runes(JSON.stringify(post.props)) > POST_PROPS_MAX_RUNES) {
    throw new AppError(400, 'model.post.is_valid.props.app_error', 'Invalid props.')
  }
}

/** An edit as Mattermost applies it: the message replaced; props replaced as a whole when given, else kept. */
function editPost (post: FakePost, message: string, props: unknown): void {
  const next = isRecord(props) ? structuredClone(props) : post.props
  validatePost({ message, props: next })
  const t = Date.now()
  if (message !== post.message) post.edit_at = t
  post.message = message
  post.props = next
  post.update_at = t
}

/** POSTs the click's JSON to the integration URL, as App.DoActionRequest does: no signature, no Authorization. */
function requestIntegration (url: string, payload: string, signal: AbortSignal): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    if (target.protocol !== 'http:') throw new Error(`unsupported protocol scheme "${target.protocol.slice(0, -1)}"`)
    const request = http.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Mattermost-Bot/1.1' },
      signal,
      agent: false
    }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', (error) => reject(signal.aborted ? new Error(String(signal.reason)) : error))
    })
    request.on('error', (error) => reject(signal.aborted ? new Error(String(signal.reason)) : error))
    request.end(payload)
  })
}

export async function startFakeMattermost (options: FakeMattermostOptions = {}): Promise<FakeMattermost> {
  const developerMode = options.developerMode ?? false

  const users = new Map<string, FakeUser>()
  const tokens = new Map<string, string>()
  const teams = new Map<string, FakeTeam>()
  const teamMembers = new Map<string, Set<string>>()
  const channels = new Map<string, FakeChannel>()
  // D and G channels by name, so that opening one is not a scan of every channel (bench:round opens 10,000).
  const directByName = new Map<string, FakeChannel>()
  const members = new Map<string, Map<string, FakeMembership>>()
  const posts = new Map<string, FakePost>()
  const postsByChannel = new Map<string, FakePost[]>()
  const log: RecordedRequest[] = []
  let faults: ActiveFault[] = []
  let rateLimit: RateLimitSettings | undefined
  const rateLimitTats = new Map<string, number>()
  const timers = new Set<NodeJS.Timeout>()
  let counter = 0
  let defaultTeamId: string | undefined
  const integrationLog: IntegrationCall[] = []
  const inflight = new Set<AbortController>()

  // ---- state helpers ----------------------------------------------------------------------------------------------

  function requireUser (id: string): FakeUser {
    const user = users.get(id)
    if (user === undefined) throw new Error(`fake-mattermost: no user ${id}`)
    return user
  }

  function requireChannel (id: string): FakeChannel {
    const channel = channels.get(id)
    if (channel === undefined) throw new Error(`fake-mattermost: no channel ${id}`)
    return channel
  }

  function addUser (input: UserInput = {}, isBot = false): FakeUser {
    counter += 1
    const username = input.username ?? `${isBot ? 'bot' : 'user'}${counter}`
    if (!USERNAME.test(username)) throw new Error(`fake-mattermost: "${username}" is not a valid Mattermost username`)
    if ([...users.values()].some((u) => u.username === username)) throw new Error(`fake-mattermost: username ${username} taken`)
    const id = input.id ?? newId()
    if (!isValidId(id) || users.has(id)) throw new Error(`fake-mattermost: bad or duplicate user id ${id}`)
    const t = Date.now()
    const user: FakeUser = {
      id,
      create_at: t,
      update_at: t,
      delete_at: 0,
      username,
      first_name: input.first_name ?? (isBot ? '' : `First${counter}`),
      last_name: input.last_name ?? (isBot ? '' : `Last${counter}`),
      nickname: input.nickname ?? '',
      roles: input.roles ?? 'system_user',
      locale: 'en',
      timezone: { automaticTimezone: '', manualTimezone: '', useAutomaticTimezone: 'true' },
      is_bot: isBot
    }
    users.set(id, user)
    return user
  }

  function addTeam (input: { id?: string, name?: string, display_name?: string } = {}): FakeTeam {
    counter += 1
    const id = input.id ?? newId()
    if (!isValidId(id) || teams.has(id)) throw new Error(`fake-mattermost: bad or duplicate team id ${id}`)
    const team: FakeTeam = { id, name: input.name ?? `team${counter}`, display_name: input.display_name ?? `Team ${counter}` }
    teams.set(id, team)
    teamMembers.set(id, new Set())
    return team
  }

  function addTeamMember (teamId: string, userId: string): void {
    requireUser(userId)
    const set = teamMembers.get(teamId)
    if (set === undefined) throw new Error(`fake-mattermost: no team ${teamId}`)
    set.add(userId)
  }

  function saveChannel (fields: Omit<FakeChannel, 'id' | 'create_at' | 'update_at' | 'delete_at'> & { id?: string }): FakeChannel {
    const t = Date.now()
    const channel: FakeChannel = { ...fields, id: fields.id ?? newId(), create_at: t, update_at: t, delete_at: 0 }
    channels.set(channel.id, channel)
    if (channel.type === 'D' || channel.type === 'G') directByName.set(`${channel.type}:${channel.name}`, channel)
    members.set(channel.id, new Map())
    postsByChannel.set(channel.id, [])
    return channel
  }

  function addChannel (input: ChannelInput): FakeChannel {
    let teamId = input.team_id
    if (teamId === undefined) {
      defaultTeamId ??= addTeam({ name: 'coffee', display_name: 'Coffee' }).id
      teamId = defaultTeamId
    } else if (!teams.has(teamId)) {
      addTeam({ id: teamId })
    }
    if (input.id !== undefined && (!isValidId(input.id) || channels.has(input.id))) throw new Error(`fake-mattermost: bad or duplicate channel id ${input.id}`)
    return saveChannel({ id: input.id, team_id: teamId, type: input.type ?? 'O', name: input.name, display_name: input.display_name ?? input.name })
  }

  function addMember (channelId: string, userId: string, { admin = false }: { admin?: boolean } = {}): void {
    const channel = requireChannel(channelId)
    requireUser(userId)
    if (channel.team_id !== '') addTeamMember(channel.team_id, userId)
    members.get(channelId)?.set(userId, { channel_id: channelId, user_id: userId, scheme_admin: admin })
  }

  function savePost (fields: { channel_id: string, user_id: string, message: string, props: Record<string, unknown>, root_id: string }): FakePost {
    const list = postsByChannel.get(requireChannel(fields.channel_id).id) ?? []
    // Keep create_at strictly increasing per channel so "newest first" is well defined, as it is in practice.
    const t = Math.max(Date.now(), (list.at(-1)?.create_at ?? 0) + 1)
    const post: FakePost = { id: newId(), create_at: t, update_at: t, edit_at: 0, delete_at: 0, ...fields, type: '' }
    posts.set(post.id, post)
    list.push(post)
    return post
  }

  // ---- permissions (the default role scheme) ----------------------------------------------------------------------

  const isAdmin = (user: FakeUser): boolean => user.roles.split(' ').includes('system_admin')
  const isMember = (channelId: string, userId: string): boolean => members.get(channelId)?.has(userId) ?? false
  const isTeamMember = (teamId: string, userId: string): boolean => teamMembers.get(teamId)?.has(userId) ?? false

  /** SessionHasPermissionToChannel for channel_user permissions (read_channel, create_post, edit_post). */
  function hasChannelPermission (user: FakeUser, channelId: string): boolean {
    if (!channels.has(channelId)) return false
    return isAdmin(user) || isMember(channelId, user.id)
  }

  /** Reading a channel or its posts: members, and team members for public channels. */
  function canReadChannel (user: FakeUser, channel: FakeChannel): boolean {
    return hasChannelPermission(user, channel.id) || (channel.type === 'O' && isTeamMember(channel.team_id, user.id))
  }

  const memberJson = (m: FakeMembership): unknown => ({
    channel_id: m.channel_id,
    user_id: m.user_id,
    roles: m.scheme_admin ? 'channel_user channel_admin' : 'channel_user',
    scheme_user: true,
    scheme_admin: m.scheme_admin
  })

  // ---- message buttons (app/post_action.go) -------------------------------------------------------------------------

  /**
   * api4 doPostAction and App.DoPostActionWithCookie for a stored post: the clicker needs read_channel_content through
   * the post (channel members, system admins; so an unknown post is a 403 for everyone but admins), the action needs an
   * integration, the integration must answer 200, and its answer's update and ephemeral_text are applied.
   */
  async function doPostAction (session: FakeUser, postId: string, actionId: string, trace: { call?: IntegrationCall, ephemeral?: FakeEphemeralPost }): Promise<Reply> {
    if (!ACTION_ID.test(postId) || !ACTION_ID.test(actionId)) throw pageNotFound()
    if (session.delete_at !== 0) throw sessionExpired('')
    if (!isValidId(postId)) throw invalidUrlParam('post_id')
    const post = posts.get(postId)
    if (post === undefined ? !isAdmin(session) : !hasChannelPermission(session, post.channel_id)) throw permissionError(session.id, 'read_channel_content')
    if (post === undefined) throw new AppError(404, 'app.post.get.app_error', 'Unable to get post.', `id=${postId}`)
    const action = findAction(post.props, actionId)
    const integration = action?.integration
    if (!isRecord(integration)) throw new AppError(404, 'api.post.do_action.action_id.app_error', 'Invalid action id.')
    const channel = requireChannel(post.channel_id)
    const context = isRecord(integration.context) ? integration.context : {}
    const clientTriggerId = newId()
    const body: Record<string, unknown> = {
      user_id: session.id,
      user_name: session.username,
      channel_id: channel.id,
      channel_name: channel.name,
      team_id: channel.team_id,
      team_domain: teams.get(channel.team_id)?.name ?? '',
      post_id: postId,
      // The real one also carries an ECDSA signature; Coffee never reads it.
      trigger_id: Buffer.from(`${clientTriggerId}:${session.id}:${Date.now()}:`).toString('base64'),
      type: typeof action?.type === 'string' ? action.type : '',
      data_source: '',
      ...(Object.keys(context).length > 0 ? { context: structuredClone(context) } : {})
    }
    const url = typeof integration.url === 'string' ? integration.url : ''
    const call: IntegrationCall = { url, postId, actionId, userId: session.id, body, status: 0, responseBody: '', error: undefined }
    integrationLog.push(call)
    trace.call = call

    const controller = new AbortController()
    inflight.add(controller)
    const timer = setTimeout(() => controller.abort('context deadline exceeded'), OUTGOING_TIMEOUT_MS)
    let answer: { status: number, body: string }
    try {
      answer = await requestIntegration(url, JSON.stringify(body), controller.signal)
    } catch (error) {
      call.error = error instanceof Error ? error.message : String(error)
      throw actionIntegrationError(`Post ${JSON.stringify(url)}: ${call.error}`)
    } finally {
      clearTimeout(timer)
      inflight.delete(controller)
    }
    call.status = answer.status
    call.responseBody = answer.body
    if (answer.status !== 200) throw actionIntegrationError(`status=${answer.status}`)

    // PostActionIntegrationResponse {update?: Post, ephemeral_text?: string}: an empty body is fine, a body that does
    // not decode into it fails the click.
    let response: unknown = {}
    try {
      if (answer.body.length > 0) response = JSON.parse(answer.body) ?? {}
    } catch (error) {
      throw actionIntegrationError(String(error))
    }
    const isStringOrNull = (value: unknown): boolean => value == null || typeof value === 'string'
    if (!isRecord(response) || !isStringOrNull(response.ephemeral_text) ||
      (response.update != null && (!isRecord(response.update) || !isStringOrNull(response.update.message)))) {
      throw actionIntegrationError('json: cannot unmarshal the answer into model.PostActionIntegrationResponse')
    }

    if (isRecord(response.update)) {
      // The update's id is forced to the clicked post; its message replaces the post's (absent: emptied), and its
      // props replace them all when present (absent or null: kept).
      editPost(post, typeof response.update.message === 'string' ? response.update.message : '', response.update.props)
    }
    if (typeof response.ephemeral_text === 'string' && response.ephemeral_text !== '') {
      trace.ephemeral = { user_id: session.id, channel_id: channel.id, root_id: post.root_id === '' ? post.id : post.root_id, message: response.ephemeral_text }
    }
    return { status: 200, body: { status: 'OK', trigger_id: clientTriggerId } }
  }

  // ---- routes -------------------------------------------------------------------------------------------------------

  function userParam (ctx: Context): string {
    const id = ctx.params.user_id ?? ''
    if (id === 'me') return ctx.session.id
    if (!isValidId(id)) throw invalidUrlParam('user_id')
    return id
  }

  function channelParam (ctx: Context): string {
    const id = ctx.params.channel_id ?? ''
    if (!isValidId(id)) throw invalidUrlParam('channel_id')
    return id
  }

  function getChannelOr404 (id: string): FakeChannel {
    const channel = channels.get(id)
    if (channel === undefined) throw new AppError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.', `id=${id}`)
    return channel
  }

  /** The post body of POST /posts and PUT /posts/{id}/patch: an object, its props an object when given. */
  function postBody (ctx: Context): Record<string, unknown> {
    const body = ctx.json('post')
    if (!isRecord(body) || (body.props != null && !isRecord(body.props))) throw invalidBodyParam('post')
    return body
  }

  /** Who may edit this post: its author with edit_post in the channel, else edit_others_posts (admins). */
  function editablePost (ctx: Context, postId: string): FakePost {
    const original = posts.get(postId)
    if (original === undefined) throw permissionError(ctx.session.id, 'edit_post')
    const own = original.user_id === ctx.session.id
    if (own ? !hasChannelPermission(ctx.session, original.channel_id) : !isAdmin(ctx.session)) {
      throw permissionError(ctx.session.id, own ? 'edit_post' : 'edit_others_posts')
    }
    return original
  }

  /** Creates the D or G channel `name` of these users, unless it exists. */
  function existingOrNew (type: 'D' | 'G', name: string, userIds: string[], displayName: string): FakeChannel {
    let channel = directByName.get(`${type}:${name}`)
    if (channel === undefined) {
      channel = saveChannel({ team_id: '', type, name, display_name: displayName })
      for (const id of userIds) members.get(channel.id)?.set(id, { channel_id: channel.id, user_id: id, scheme_admin: false })
    }
    return channel
  }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/users\/(?<user_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const id = userParam(ctx)
        const user = users.get(id)
        if (user === undefined) throw new AppError(404, 'app.user.missing_account.const', 'Unable to find the user.', `user_id=${id}`)
        return { status: 200, body: user }
      }
    },
    {
      method: 'POST',
      pattern: /^\/users\/ids$/,
      handle (ctx) {
        const ids = stringArray(ctx.json('user_ids'))
        if (ids === undefined || ids.length === 0) throw invalidBodyParam('user_ids')
        return { status: 200, body: [...new Set(ids)].flatMap((id) => users.get(id) ?? []) }
      }
    },
    {
      // api4/user.go getUsersByNames: a JSON array of names (400 if it is not one, or empty); the users with exactly
      // those usernames, sorted by username; names nobody has are left out.
      method: 'POST',
      pattern: /^\/users\/usernames$/,
      handle (ctx) {
        let body: unknown
        try {
          body = ctx.json('usernames')
        } catch {
          body = undefined
        }
        // model.SortedArrayFromJSON decodes into []string: anything else is a payload parse error.
        if (!Array.isArray(body) || !body.every((v) => typeof v === 'string')) {
          throw new AppError(400, 'api.payload.parse.error', 'An error occurred while parsing the payload.')
        }
        if (body.length === 0) throw invalidBodyParam('usernames')
        const names = new Set(body as string[])
        return { status: 200, body: [...users.values()].filter((u) => names.has(u.username)).sort((a, b) => a.username < b.username ? -1 : a.username > b.username ? 1 : 0) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/users\/username\/(?<username>[A-Za-z0-9_\-.]+)$/,
      handle (ctx) {
        const username = ctx.params.username ?? ''
        if (!USERNAME.test(username)) throw invalidUrlParam('username')
        const user = [...users.values()].find((u) => u.username === username)
        if (user === undefined) {
          throw new AppError(404, 'app.user.get_by_username.app_error', 'Unable to find an existing account matching your username for this team. This team may require an invite from the team owner to join.')
        }
        return { status: 200, body: user }
      }
    },
    {
      method: 'POST',
      pattern: /^\/channels\/direct$/,
      handle (ctx) {
        const ids = stringArray(ctx.json('user_ids')) ?? []
        if (ids.length !== 2) throw invalidBodyParam('user_ids')
        if (!ids.every(isValidId)) throw invalidBodyParam('user_id')
        const [a = '', b = ''] = ids
        if (!ids.includes(ctx.session.id) && !isAdmin(ctx.session)) throw permissionError(ctx.session.id, 'manage_system')
        if (!users.has(a) || !users.has(b)) {
          throw new AppError(400, 'api.channel.create_direct_channel.invalid_user.app_error', 'Invalid user ID for direct channel creation.', `No users found for ids: ${a}. ${b}`)
        }
        return { status: 201, body: existingOrNew('D', directChannelName(a, b), [...new Set(ids)], '') }
      }
    },
    {
      method: 'POST',
      pattern: /^\/channels\/group$/,
      handle (ctx) {
        const ids = stringArray(ctx.json('user_ids')) ?? []
        if (ids.length === 0) throw invalidBodyParam('user_ids')
        if (!ids.every(isValidId)) throw invalidBodyParam('user_id')
        if (!ids.includes(ctx.session.id)) ids.push(ctx.session.id)
        // The size rule counts the list as sent (plus the caller); duplicates then fail the "all users exist" check.
        if (ids.length < GROUP_MIN_USERS || ids.length > GROUP_MAX_USERS) {
          throw new AppError(400, 'api.channel.create_group.bad_size.app_error', 'Group messages must contain at least 3 and no more than 8 users.')
        }
        const found = [...new Set(ids)].flatMap((id) => users.get(id) ?? [])
        if (found.length !== ids.length) {
          throw new AppError(400, 'api.channel.create_group.bad_user.app_error', 'One of the provided users does not exist.', `user_ids=${JSON.stringify(ids)}`)
        }
        const displayName = found.map((u) => u.username).sort().join(', ')
        return { status: 201, body: existingOrNew('G', groupChannelName(ids), ids, displayName) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(?<channel_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const channel = getChannelOr404(channelParam(ctx))
        if (!canReadChannel(ctx.session, channel)) throw permissionError(ctx.session.id, channel.type === 'O' ? 'read_public_channel' : 'read_channel')
        return { status: 200, body: channel }
      }
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(?<channel_id>[A-Za-z0-9]+)\/members$/,
      handle (ctx) {
        const channelId = channelParam(ctx)
        if (!hasChannelPermission(ctx.session, channelId)) throw permissionError(ctx.session.id, 'read_channel')
        const { page, perPage } = pageParams(ctx.query)
        const list = [...(members.get(channelId)?.values() ?? [])].sort((a, b) => a.user_id < b.user_id ? -1 : 1)
        return { status: 200, body: list.slice(page * perPage, page * perPage + perPage).map(memberJson) }
      }
    },
    {
      // api4 addChannelMember: joining a public channel needs join_public_channels in its team (team members), adding
      // someone else needs channel membership; a private channel needs manage_private_channel_members (its members).
      // Adding someone who is already in answers their membership, as a new one would.
      method: 'POST',
      pattern: /^\/channels\/(?<channel_id>[A-Za-z0-9]+)\/members$/,
      handle (ctx) {
        const channelId = channelParam(ctx)
        const body = ctx.json('user_id or user_ids')
        const userId = isRecord(body) ? body.user_id : undefined
        if (typeof userId !== 'string' || !isValidId(userId)) throw invalidBodyParam('user_id or user_ids')
        const channel = getChannelOr404(channelId)
        if (channel.type === 'D' || channel.type === 'G') throw new AppError(400, 'api.channel.add_user_to_channel.type.app_error', 'Can not add user to this channel type.')
        const self = userId === ctx.session.id
        const existing = members.get(channelId)?.get(userId)
        if (channel.type === 'O') {
          if (self && existing !== undefined) return { status: 201, body: memberJson(existing) }
          const allowed = self ? isAdmin(ctx.session) || isTeamMember(channel.team_id, ctx.session.id) : hasChannelPermission(ctx.session, channelId)
          if (!allowed) throw permissionError(ctx.session.id, self ? 'join_public_channels' : 'manage_public_channel_members')
        } else if (!hasChannelPermission(ctx.session, channelId)) {
          throw permissionError(ctx.session.id, 'manage_private_channel_members')
        }
        requireUser(userId)
        if (existing !== undefined) return { status: 201, body: memberJson(existing) }
        addMember(channelId, userId)
        return { status: 201, body: memberJson(members.get(channelId)!.get(userId)!) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(?<channel_id>[A-Za-z0-9]+)\/members\/(?<user_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const channelId = channelParam(ctx)
        const userId = userParam(ctx)
        if (!hasChannelPermission(ctx.session, channelId)) throw permissionError(ctx.session.id, 'read_channel')
        const member = members.get(channelId)?.get(userId)
        if (member === undefined) {
          throw new AppError(404, 'app.channel.get_member.missing.app_error', 'No channel member found for that user ID and channel ID.', `channel_id=${channelId}, user_id=${userId}`)
        }
        return { status: 200, body: memberJson(member) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(?<channel_id>[A-Za-z0-9]+)\/posts$/,
      handle (ctx) {
        const channel = getChannelOr404(channelParam(ctx))
        if (!canReadChannel(ctx.session, channel)) throw permissionError(ctx.session.id, 'read_channel_content')
        const { page, perPage } = pageParams(ctx.query)
        const newestFirst = [...(postsByChannel.get(channel.id) ?? [])].reverse()
        const slice = newestFirst.slice(page * perPage, page * perPage + perPage)
        return {
          status: 200,
          body: {
            order: slice.map((p) => p.id),
            posts: Object.fromEntries(slice.map((p) => [p.id, clientPost(p)])),
            next_post_id: '',
            prev_post_id: newestFirst[page * perPage + perPage]?.id ?? '',
            has_next: newestFirst.length > page * perPage + perPage
          }
        }
      }
    },
    {
      method: 'POST',
      pattern: /^\/posts$/,
      handle (ctx) {
        const input = postBody(ctx)
        const channelId = typeof input.channel_id === 'string' ? input.channel_id : ''
        if (!hasChannelPermission(ctx.session, channelId)) throw permissionError(ctx.session.id, 'create_post')
        const rootId = typeof input.root_id === 'string' ? input.root_id : ''
        if (rootId !== '') {
          const root = posts.get(rootId)
          if (root === undefined || root.channel_id !== channelId || root.root_id !== '') {
            throw new AppError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.')
          }
        }
        const props = isRecord(input.props) ? structuredClone(input.props) : {}
        if (ctx.session.is_bot) props.from_bot = 'true'
        const message = typeof input.message === 'string' ? input.message : ''
        validatePost({ message, props })
        const post = savePost({ channel_id: channelId, user_id: ctx.session.id, message, props, root_id: rootId })
        return { status: 201, body: clientPost(post) }
      }
    },
    {
      method: 'PUT',
      pattern: /^\/posts\/(?<post_id>[A-Za-z0-9]+)\/patch$/,
      handle (ctx) {
        const postId = ctx.params.post_id ?? ''
        if (!isValidId(postId)) throw invalidUrlParam('post_id')
        const patch = postBody(ctx)
        const original = editablePost(ctx, postId)
        // Given props replace the post's as a whole (from_bot included); absent ones are kept.
        editPost(original, typeof patch.message === 'string' ? patch.message : original.message, patch.props)
        return { status: 200, body: clientPost(original) }
      }
    }
  ]

  // ---- the HTTP layer -----------------------------------------------------------------------------------------------

  function takeFault (method: string, path: string): Fault | undefined {
    const active = faults.find(({ remaining, match: { method: m, path: p } }) => remaining > 0 &&
      (m === undefined || m.toUpperCase() === method) &&
      (p === undefined || (typeof p === 'string' ? p === path : p.test(path))))
    if (active === undefined) return undefined
    active.remaining -= 1
    faults = faults.filter((f) => f.remaining > 0)
    return active.fault
  }

  /** GCRA, as github.com/throttled/throttled (which Mattermost uses): burst+1 requests, then PerSec. */
  function rateLimitCheck (settings: RateLimitSettings, key: string): { limited: boolean, headers: Record<string, string> } {
    const t = Date.now()
    const interval = 1000 / settings.perSec
    const tolerance = interval * (settings.maxBurst + 1)
    const tat = Math.max(rateLimitTats.get(key) ?? t, t)
    const newTat = tat + interval
    const diff = t - (newTat - tolerance)
    const limited = diff < 0
    if (!limited) rateLimitTats.set(key, newTat)
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(settings.maxBurst + 1),
      'X-RateLimit-Remaining': String(limited ? 0 : Math.floor(diff / interval)),
      'X-RateLimit-Reset': String(Math.ceil(((limited ? tat : newTat) - t) / 1000))
    }
    if (limited) headers['Retry-After'] = String(Math.ceil(-diff / 1000))
    return { limited, headers }
  }

  function sendRateLimited (res: http.ServerResponse, headers: Record<string, string>): number {
    // http.Error(w, "limit exceeded", 429) in front of the API: plain text, not an AppError.
    res.writeHead(429, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
    res.end('limit exceeded\n')
    return 429
  }

  function errorReply (error: AppError, requestId: string): Reply {
    return {
      status: error.status,
      body: { id: error.id, message: error.message, detailed_error: developerMode ? error.detailed : '', request_id: requestId, status_code: error.status }
    }
  }

  function injectedError (fault: Extract<Fault, { type: 'status' }>, requestId: string): Reply {
    return errorReply(new AppError(fault.status ?? 500, fault.id ?? 'fake.injected.app_error', fault.message ?? 'Injected failure.'), requestId)
  }

  function authenticate (req: http.IncomingMessage): FakeUser {
    // app.ParseAuthTokenFromRequest: "Bearer <token>", the scheme in any case (Client4 sends "BEARER").
    const header = req.headers.authorization ?? ''
    const token = header.length > 7 && header.slice(0, 7).toUpperCase() === 'BEARER ' ? header.slice(7) : ''
    if (token === '') throw sessionExpired('UserRequired')
    const user = users.get(tokens.get(token) ?? '')
    if (user === undefined || user.delete_at !== 0) throw sessionExpired(`token=${token}`)
    return user
  }

  function wait (ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })
  }

  function handleApi (req: http.IncomingMessage, method: string, apiPath: string, query: URLSearchParams, text: string, requestId: string): Reply {
    try {
      let route: Route | undefined
      let params: Record<string, string> = {}
      for (const candidate of routes) {
        const match = candidate.method === method ? candidate.pattern.exec(apiPath) : null
        if (match !== null) {
          route = candidate
          params = { ...match.groups }
          break
        }
      }
      if (route === undefined) throw pageNotFound()
      const session = authenticate(req)
      return route.handle({
        session,
        params,
        query,
        json (name) {
          try {
            return JSON.parse(text)
          } catch {
            throw invalidBodyParam(name)
          }
        }
      })
    } catch (error) {
      if (error instanceof AppError) return errorReply(error, requestId)
      return errorReply(new AppError(500, 'fake.bug.app_error', 'The fake Mattermost failed.', String(error)), requestId)
    }
  }

  async function serve (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://fake.invalid')
    const path = url.pathname
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    let body: unknown = text
    try {
      if (text !== '') body = JSON.parse(text)
    } catch {}
    const record: RecordedRequest = { method, path, query: Object.fromEntries(url.searchParams), status: 0, body, authorization: req.headers.authorization }
    log.push(record)

    const fault = takeFault(method, path)
    if (fault?.type === 'delay') await wait(fault.ms)
    if (fault?.type === 'reset' && fault.after !== true) {
      req.socket.destroy()
      return
    }
    const requestId = newId()
    const headers: Record<string, string> = { 'X-Request-Id': requestId }
    if (fault?.type === 'rate-limit') {
      const retryAfter = String(fault.retryAfter ?? 1)
      const limit = String((rateLimit?.maxBurst ?? 100) + 1)
      record.status = sendRateLimited(res, { 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': retryAfter, 'Retry-After': retryAfter })
      return
    }
    if (rateLimit !== undefined) {
      const check = rateLimitCheck(rateLimit, req.socket.remoteAddress ?? '')
      Object.assign(headers, check.headers)
      if (check.limited) {
        record.status = sendRateLimited(res, headers)
        return
      }
    }

    let reply: Reply
    if (fault?.type === 'status' && fault.after !== true) {
      reply = injectedError(fault, requestId)
    } else if (path !== API_ROOT && !path.startsWith(`${API_ROOT}/`)) {
      // Everything outside /api is the web app: a 200 HTML page, whatever the path.
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><html><head><title>Mattermost</title></head><body><div id="root"></div></body></html>')
      record.status = 200
      return
    } else {
      reply = handleApi(req, method, path.slice(API_ROOT.length), url.searchParams, text, requestId)
      if (fault?.type === 'reset') {
        req.socket.destroy()
        return
      }
      if (fault?.type === 'status') reply = injectedError(fault, requestId)
    }
    record.status = reply.status
    if (res.destroyed) return
    res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json' })
    res.end(JSON.stringify(reply.body))
  }

  const server = http.createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ id: 'fake.bug.app_error', message: String(error), detailed_error: '', request_id: '', status_code: 500 }))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  function inject (fault: Fault, { times = 1, method, path }: FaultMatch & { times?: number } = {}): void {
    faults.push({ fault, match: { method, path }, remaining: times })
  }

  return {
    url: `http://127.0.0.1:${port}`,
    async close () {
      for (const controller of inflight) controller.abort('server closed')
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },

    addUser: (input) => addUser(input),
    addBot (input = {}) {
      const user = addUser(input, true)
      const token = newId()
      tokens.set(token, user.id)
      return { user, token }
    },
    deactivate (userId) {
      const user = requireUser(userId)
      user.delete_at = Date.now()
      user.update_at = user.delete_at
    },
    addTeam,
    addTeamMember,
    addChannel,
    addMember,
    removeMember (channelId, userId) {
      requireChannel(channelId)
      members.get(channelId)?.delete(userId)
    },
    addPost (input) {
      requireUser(input.user_id)
      return structuredClone(savePost({ channel_id: input.channel_id, user_id: input.user_id, message: input.message ?? '', props: structuredClone(input.props ?? {}), root_id: '' }))
    },

    user: (id) => users.get(id),
    userByUsername: (username) => [...users.values()].find((u) => u.username === username),
    channel: (id) => channels.get(id),
    memberIds: (channelId) => [...(members.get(channelId)?.keys() ?? [])],
    membership: (channelId, userId) => members.get(channelId)?.get(userId),
    directChannel: (a, b) => [...channels.values()].find((c) => c.type === 'D' && c.name === directChannelName(a, b)),
    groupChannel: (userIds) => directByName.get(`G:${groupChannelName(userIds)}`),
    channelsOfType: (type) => [...channels.values()].filter((c) => c.type === type),
    posts: (channelId) => structuredClone(postsByChannel.get(channelId) ?? []),
    post: (id) => structuredClone(posts.get(id)),

    get requests () { return structuredClone(log) },
    requestsTo: (method, path) => structuredClone(log.filter((r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)))),
    clearRequests () { log.length = 0 },

    inject,
    failNext: (times = 1, status = 500, match = {}) => inject({ type: 'status', status }, { ...match, times }),
    rateLimitNext: (times = 1, retryAfter = 1, match = {}) => inject({ type: 'rate-limit', retryAfter }, { ...match, times }),
    delayNext: (times, ms, match = {}) => inject({ type: 'delay', ms }, { ...match, times }),
    resetNext: (times = 1, match = {}) => inject({ type: 'reset' }, { ...match, times }),
    clearFaults () { faults = [] },
    setRateLimit (settings) {
      rateLimit = settings
      rateLimitTats.clear()
    },

    async click (postId, actionId, userId) {
      const user = requireUser(userId)
      const trace: { call?: IntegrationCall, ephemeral?: FakeEphemeralPost } = {}
      let reply: Reply
      try {
        reply = await doPostAction(user, postId, actionId, trace)
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        reply = errorReply(error, newId())
      }
      return {
        status: reply.status,
        body: structuredClone(reply.body) as Record<string, unknown>,
        integration: structuredClone(trace.call),
        ephemeral: trace.ephemeral,
        post: structuredClone(posts.get(postId))
      }
    },
    integrationCalls: () => structuredClone(integrationLog)
  }
}
