// A stand-in for the Mattermost REST API (api/v4) on node:http, for the routes Coffee uses. It is as strict as the
// real server (shared/mattermost-protocol.md, and Mattermost's api4 handlers): bearer auth on every route, Content-Type
// exactly application/json, AppError bodies, the same status codes and error ids, the same order of checks (so an
// unknown channel is a 403 where the server checks permissions first), group channel size rules and page limits.
// Tests drive it with state helpers (users, bots, channels, memberships), read what happened (request log, posts per
// channel), and inject faults (5xx, 429 with Retry-After, latency, connection resets) or turn on the real rate limiter.
// Message buttons work as in app/post_action.go: a click (HTTP route or click()) posts to the button's integration URL,
// and the answer's update/ephemeral_text are applied; API responses never show a button's integration (url, context).
import http from 'node:http'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import dns from 'node:dns'
import zlib from 'node:zlib'
import { createCipheriv, createDecipheriv, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'

const API_ROOT = '/api/v4'
const PER_PAGE_DEFAULT = 60
const PER_PAGE_MAXIMUM = 200
const GROUP_MIN_USERS = 3
const GROUP_MAX_USERS = 8
const POST_MESSAGE_MAX_RUNES = 16383
const POST_PROPS_MAX_RUNES = 800000
/** ServiceSettings.MaximumPayloadSizeBytes default: the cap on non-file request bodies. */
const MAXIMUM_PAYLOAD_SIZE_BYTES = 300_000
const CHANNEL_DISPLAY_NAME_MAX_RUNES = 64
const VERSION_ID = '10.11.0.10.11.0.fake.false'
const RESTRICTED_USERNAMES = new Set(['all', 'channel', 'matterbot', 'system', 'here'])

export type ChannelType = 'O' | 'P' | 'D' | 'G'

export interface FakeTimezone {
  automaticTimezone: string
  manualTimezone: string
  useAutomaticTimezone: string
}

export interface FakeUser {
  id: string
  create_at: number
  update_at: number
  delete_at: number
  username: string
  first_name: string
  last_name: string
  nickname: string
  email: string
  position: string
  roles: string
  locale: string
  timezone: FakeTimezone
  is_bot: boolean
  bot_description?: string
}

export interface FakeTeam {
  id: string
  name: string
  display_name: string
  type: 'O' | 'I'
  create_at: number
  update_at: number
  delete_at: number
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
  header: string
  purpose: string
  last_post_at: number
  last_root_post_at: number
  total_msg_count: number
  total_msg_count_root: number
  creator_id: string
  group_constrained: boolean | null
  shared: boolean | null
}

export interface FakePost {
  id: string
  create_at: number
  update_at: number
  edit_at: number
  delete_at: number
  is_pinned: boolean
  user_id: string
  channel_id: string
  root_id: string
  original_id: string
  message: string
  type: string
  props: Record<string, unknown>
  hashtags: string
  pending_post_id: string
  reply_count: number
  last_reply_at: number
  metadata: Record<string, unknown>
}

export interface FakeEphemeralPost extends FakePost {
  /** Whom the ephemeral post was shown to. */
  to_user_id: string
}

export interface FakeMembership {
  channel_id: string
  user_id: string
  scheme_admin: boolean
  last_update_at: number
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

export interface FaultHandle {
  /** How many more requests this fault will hit. */
  readonly remaining: number
  cancel(): void
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  /** The status sent, 0 when the socket was destroyed instead. */
  status: number
  /** The request body: parsed JSON when it parsed, else the text ('' when empty). */
  body: unknown
  /** The raw Authorization header, if any. */
  authorization: string | undefined
  /** Whose token authenticated the request. */
  userId: string | undefined
  fault: Fault['type'] | undefined
}

export interface RateLimitSettings {
  perSec: number
  maxBurst: number
}

export interface FakeMattermostOptions {
  /** Like ServiceSettings.EnableDeveloper: keep detailed_error in AppErrors (it can contain the token!). */
  developerMode?: boolean
  /** Like RateLimitSettings.Enable with PerSec/MaxBurst (Mattermost's defaults are 10 and 100). Off by default. */
  rateLimit?: RateLimitSettings
  /** ServiceSettings.MaximumPayloadSizeBytes. */
  maxPayloadBytes?: number
  /** Milliseconds since the epoch, for create_at and the rate limiter. */
  now?: () => number
  /**
   * The real server accepts deactivated users in POST /channels/group (it only checks that the ids exist).
   * Set this to make the fake refuse them with bad_user, for tests that want to catch such attempts.
   */
  rejectDeactivatedGroupMembers?: boolean
  /**
   * ServiceSettings.AllowedUntrustedInternalConnections: host names and CIDRs (separated by spaces or commas) that
   * button integration URLs may reach although they resolve to loopback, private or otherwise reserved addresses, or
   * to this machine's own. Mattermost's default is '' (all of those refused, the click fails with a 400); the fake
   * defaults to loopback, 'localhost 127.0.0.0/8 ::1/128', where tests run their integrations. Pass '' for the real
   * default.
   */
  allowedUntrustedInternalConnections?: string
  /** ServiceSettings.OutgoingIntegrationRequestsTimeout (Mattermost: 30 s), in milliseconds, for button clicks. */
  outgoingIntegrationRequestsTimeoutMs?: number
}

/** One call Mattermost made to a button's integration URL, as the integration received it. */
export interface IntegrationCall {
  /** The integration URL of the clicked button (server-side only: clients never see it). */
  url: string
  postId: string
  actionId: string
  /** Who clicked. */
  userId: string
  /** The headers sent (lower-case names): JSON content type, no authorization and no signature of any kind. */
  headers: Record<string, string>
  /** The body sent, parsed: {user_id, user_name, channel_id, channel_name, team_id, team_domain, post_id, trigger_id, type, data_source, context?}. */
  body: Record<string, unknown>
  /** The body's exact text, as Go encodes it (struct fields in order, map keys sorted, <, > and & escaped). */
  rawBody: string
  /** The status of the integration's answer; 0 while waiting or when none came. */
  status: number
  /** The answer's body as text ('' when none). */
  responseBody: string
  /** Why no answer came: refused by AllowedUntrustedInternalConnections, unreachable, timed out. */
  error: string | undefined
}

export interface ClickOptions {
  /** A select menu's chosen value (the server forwards it only for actions of type "select"). */
  selectedOption?: string
  /** The action cookie; by default the one on the clicker's ephemeral post of that id, as the web app sends it. */
  cookie?: string
}

export interface ClickResult {
  /** What POST /posts/{post_id}/actions/{action_id} would answer: 200, or the AppError's status. */
  status: number
  /** {status: 'OK', trigger_id} (plus goto_location when the integration sent one), or the AppError body. */
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
  email?: string
  roles?: string
  locale?: string
  timezone?: Partial<FakeTimezone>
  position?: string
}

export interface ChannelInput {
  id?: string
  team_id?: string
  name: string
  display_name?: string
  type?: 'O' | 'P'
  creator_id?: string
}

export interface FakeMattermost {
  readonly url: string
  close(): Promise<void>

  addUser(input?: UserInput): FakeUser
  /** A bot account (roles 'system_user') and a bot access token for it. */
  addBot(input?: UserInput & { description?: string }): { user: FakeUser, token: string }
  /** A personal access token (session) for any user. */
  createToken(userId: string): string
  revokeToken(token: string): void
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
  addPost(input: { channel_id: string, user_id: string, message?: string, props?: Record<string, unknown>, root_id?: string }): FakePost

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
  /** Posts in a channel, oldest first (deep copies, as stored: buttons keep their integration, which the API never shows). */
  posts(channelId: string): FakePost[]
  post(id: string): FakePost | undefined
  /** Ephemeral posts, oldest first; their buttons carry the action cookie the web app would send back on a click. */
  ephemeralPosts(): FakeEphemeralPost[]

  /** Every request, oldest first (copies). */
  readonly requests: RecordedRequest[]
  requestsTo(method: string, path: string | RegExp): RecordedRequest[]
  clearRequests(): void

  /** The next `times` (default 1) requests matching `match` meet `fault`. Faults are tried in the order added. */
  inject(fault: Fault, options?: FaultMatch & { times?: number }): FaultHandle
  failNext(times?: number, status?: number, match?: FaultMatch): FaultHandle
  rateLimitNext(times?: number, retryAfter?: number | string, match?: FaultMatch): FaultHandle
  delayNext(times: number, ms: number, match?: FaultMatch): FaultHandle
  resetNext(times?: number, match?: FaultMatch): FaultHandle
  clearFaults(): void
  /** Turns Mattermost's own rate limiter on (settings) or off (undefined). */
  setRateLimit(settings: RateLimitSettings | undefined): void

  /**
   * `userId` clicks button `actionId` of post `postId`: exactly what POST /api/v4/posts/{post_id}/actions/{action_id}
   * does for that user's session (same checks in the same order, same integration call, same AppErrors), minus HTTP.
   */
  click(postId: string, actionId: string, userId: string, options?: ClickOptions): Promise<ClickResult>
  /** Every call made to an integration URL by a click, oldest first (copies). */
  integrationCalls(): IntegrationCall[]
  clearIntegrationCalls(): void
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

function isValidUsername (name: string): boolean {
  return name.length >= 1 && name.length <= 64 && /^[a-z0-9.\-_]+$/.test(name) && !RESTRICTED_USERNAMES.has(name)
}

function runes (text: string): number {
  return [...text].length
}

class AppError extends Error {
  constructor (readonly status: number, readonly id: string, message: string, readonly detailed = '') {
    super(message)
  }
}

const invalidBodyParam = (name: string, detailed = ''): AppError =>
  new AppError(400, 'api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body.`, detailed)
const invalidUrlParam = (name: string): AppError =>
  new AppError(400, 'api.context.invalid_url_param.app_error', `Invalid or missing ${name} parameter in request URL.`)
const permissionError = (userId: string, permission: string): AppError =>
  new AppError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.', `userId=${userId}, permission=${permission}`)
const pageNotFound = (): AppError => new AppError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.')

interface Reply {
  status: number
  body: unknown
}

interface Context {
  session: FakeUser
  params: Record<string, string>
  query: URLSearchParams
  /** The body as text; undefined when it was over the payload limit. */
  text: string | undefined
  json(name: string): unknown
}

interface Route {
  method: string
  pattern: RegExp
  handle(ctx: Context): Reply | Promise<Reply>
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

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Go's json.Decode into a struct: wrong types for known fields are errors, unknown fields are ignored. */
function decodeFields (value: unknown, name: string, fields: Record<string, 'string' | 'object' | 'array' | 'boolean'>): Record<string, unknown> {
  if (value === null) return {}
  if (!isRecord(value)) throw invalidBodyParam(name, `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value`)
  for (const [field, kind] of Object.entries(fields)) {
    const v = value[field]
    if (v === undefined || v === null) continue
    const ok = kind === 'object' ? isRecord(v) : kind === 'array' ? Array.isArray(v) : kind === 'string' ? typeof v === 'string' : typeof v === 'boolean'
    if (!ok) throw invalidBodyParam(name, `json: cannot unmarshal ${typeof v} into Go struct field .${field}`)
  }
  return value
}

function stringArray (value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined
}

// ---- Go's encoding/json, as Mattermost's model structs read and write JSON ---------------------------------------

/** A JSON value that json.Unmarshal refuses for the Go type it decodes into. */
class GoJsonError extends Error {}

/** What a JSON null does to a Go value type: nothing (pointers, maps, slices and interfaces become nil instead). */
const KEEP = Symbol('keep')
type GoDecode = (value: unknown, path: string) => unknown

function goTypeError (value: unknown, want: string, path: string): GoJsonError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value
  return new GoJsonError(`json: cannot unmarshal ${got} into Go ${path === '' ? 'value' : `struct field ${path}`} of type ${want}`)
}

const goString: GoDecode = (v, p) => {
  if (v === null) return KEEP
  if (typeof v !== 'string') throw goTypeError(v, 'string', p)
  return v
}
const goBool: GoDecode = (v, p) => {
  if (v === null) return KEEP
  if (typeof v !== 'boolean') throw goTypeError(v, 'bool', p)
  return v
}
const goInt64: GoDecode = (v, p) => {
  if (v === null) return KEEP
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw goTypeError(v, 'int64', p)
  return v
}
/** interface{}: anything; null is nil. */
const goAny: GoDecode = (v) => v === null ? undefined : v
/** A pointer to a struct the fake does not look into (Post.metadata, participants). */
const goOpaque: GoDecode = (v, p) => {
  if (v === null) return undefined
  if (!isRecord(v)) throw goTypeError(v, 'struct', p)
  return v
}
/** model.SlackCompatibleBool: true/false, or those words as strings in any case; its UnmarshalJSON refuses even null. */
const goSlackBool: GoDecode = (v, p) => {
  if (typeof v === 'boolean') return v
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true'
  throw new GoJsonError(`unmarshal: unable to convert ${JSON.stringify(v)} to bool (${p})`)
}
/** map[string]interface{} (StringInterface). */
const goMap: GoDecode = (v, p) => {
  if (v === null) return undefined
  if (!isRecord(v)) throw goTypeError(v, 'map[string]interface {}', p)
  return { ...v }
}
function goNilable (inner: GoDecode): GoDecode {
  return (v, p) => v === null ? undefined : inner(v, p)
}
function goSlice (element: GoDecode, zero: unknown): GoDecode {
  return (v, p) => {
    if (v === null) return undefined
    if (!Array.isArray(v)) throw goTypeError(v, 'slice', p)
    return v.map((item) => {
      const decoded = element(item, p)
      return decoded === KEEP ? zero : decoded
    })
  }
}
/** The value of `field` as Go reads it: the last key naming it, exactly or case-insensitively. */
function goGet (record: Record<string, unknown>, field: string): unknown {
  let found: unknown
  for (const [key, value] of Object.entries(record)) if (key.toLowerCase() === field) found = value
  return found
}
/** A struct (or, with pointer, a pointer to one): known fields by Go's key matching, unknown keys ignored. */
function goStruct (name: string, fields: Record<string, GoDecode>, pointer: boolean): GoDecode {
  return (v, p) => {
    if (v === null) return pointer ? undefined : KEEP
    if (!isRecord(v)) throw goTypeError(v, `model.${name}`, p)
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(v)) {
      const field = Object.hasOwn(fields, key) ? key : Object.keys(fields).find((f) => f === key.toLowerCase())
      const decode = field === undefined ? undefined : fields[field]
      if (field === undefined || decode === undefined) continue
      const decoded = decode(value, `${name}.${field}`)
      if (decoded === KEEP) continue
      if (decoded === undefined) delete out[field]
      else out[field] = decoded
    }
    return out
  }
}
/** json.Unmarshal into a Go value; throws GoJsonError where Go would return an error. */
function goDecode<T> (type: GoDecode, value: unknown): T {
  const decoded = type(value, '')
  return (decoded === KEEP || decoded === undefined ? {} : decoded) as T
}
function goDecodes (type: GoDecode, value: unknown): boolean {
  try {
    type(value, '')
    return true
  } catch (error) {
    if (error instanceof GoJsonError) return false
    throw error
  }
}

interface GoIntegration { url?: string, context?: Record<string, unknown> }
interface GoOption { text?: string, value?: string }
interface GoAction {
  id?: string
  type?: string
  name?: string
  disabled?: boolean
  style?: string
  data_source?: string
  options?: (GoOption | undefined)[]
  default_option?: string
  integration?: GoIntegration
  cookie?: string
}
interface GoField { title?: string, value?: unknown, short?: boolean }
interface GoAttachment {
  id?: number
  fallback?: string
  color?: string
  pretext?: string
  author_name?: string
  author_link?: string
  author_icon?: string
  title?: string
  title_link?: string
  text?: string
  fields?: (GoField | undefined)[]
  image_url?: string
  thumb_url?: string
  footer?: string
  footer_icon?: string
  ts?: unknown
  actions?: (GoAction | undefined)[]
}
interface GoPost { message?: string, props?: Record<string, unknown>, metadata?: Record<string, unknown> }
interface GoActionResponse { update?: GoPost, ephemeral_text?: string, skip_slack_parsing?: boolean }
interface GoCookie {
  type?: string
  post_id?: string
  root_post_id?: string
  channel_id?: string
  data_source?: string
  integration?: GoIntegration
  retain_props?: Record<string, unknown>
  remove_props?: string[]
}

const goIntegration = goStruct('PostActionIntegration', { url: goString, context: goMap }, true)
const goAction = goStruct('PostAction', {
  id: goString,
  type: goString,
  name: goString,
  disabled: goBool,
  style: goString,
  data_source: goString,
  options: goSlice(goStruct('PostActionOptions', { text: goString, value: goString }, true), undefined),
  default_option: goString,
  integration: goIntegration,
  cookie: goString
}, true)
const goAttachment = goStruct('SlackAttachment', {
  id: goInt64,
  fallback: goString,
  color: goString,
  pretext: goString,
  author_name: goString,
  author_link: goString,
  author_icon: goString,
  title: goString,
  title_link: goString,
  text: goString,
  fields: goSlice(goStruct('SlackAttachmentField', { title: goString, value: goAny, short: goSlackBool }, true), undefined),
  image_url: goString,
  thumb_url: goString,
  footer: goString,
  footer_icon: goString,
  ts: goAny,
  actions: goSlice(goAction, undefined)
}, false)
const goPost = goStruct('Post', {
  id: goString,
  create_at: goInt64,
  update_at: goInt64,
  edit_at: goInt64,
  delete_at: goInt64,
  is_pinned: goBool,
  user_id: goString,
  channel_id: goString,
  root_id: goString,
  original_id: goString,
  message: goString,
  message_source: goString,
  type: goString,
  props: goMap,
  hashtags: goString,
  filenames: goSlice(goString, ''),
  file_ids: goSlice(goString, ''),
  pending_post_id: goString,
  has_reactions: goBool,
  remote_id: goNilable(goString),
  reply_count: goInt64,
  last_reply_at: goInt64,
  participants: goSlice(goOpaque, undefined),
  is_following: goNilable(goBool),
  metadata: goOpaque
}, true)
/** model.PostActionIntegrationResponse: what an integration answers to a click. */
const goActionResponse = goStruct('PostActionIntegrationResponse', { update: goPost, ephemeral_text: goString, skip_slack_parsing: goBool }, false)
const goCookie = goStruct('PostActionCookie', {
  type: goString,
  post_id: goString,
  root_post_id: goString,
  channel_id: goString,
  data_source: goString,
  integration: goIntegration,
  retain_props: goMap,
  remove_props: goSlice(goString, '')
}, true)

/** Post.Attachments(): the attachments Go can decode (the others are silently dropped), nil actions and fields removed. */
function decodeAttachments (props: Record<string, unknown>): GoAttachment[] {
  const raw = props.attachments
  if (!Array.isArray(raw)) return []
  const out: GoAttachment[] = []
  for (const item of raw) {
    if (!goDecodes(goAttachment, item)) continue
    const attachment = goDecode<GoAttachment>(goAttachment, item)
    if (attachment.fields !== undefined) attachment.fields = attachment.fields.filter((f) => f !== undefined)
    if (attachment.actions !== undefined) attachment.actions = attachment.actions.filter((a) => a !== undefined)
    out.push(attachment)
  }
  return out
}

/** Post.GetAction: the first action with exactly this id. */
function findAction (props: Record<string, unknown>, actionId: string): GoAction | undefined {
  for (const attachment of decodeAttachments(props)) {
    for (const action of attachment.actions ?? []) if (action !== undefined && action.id === actionId) return action
  }
  return undefined
}

/** Post.GenerateActionIds (run on every save): actions without an id get one. Done in place on the stored props. */
function generateActionIds (props: Record<string, unknown>): void {
  const raw = props.attachments
  if (!Array.isArray(raw)) return
  for (const item of raw) {
    if (!isRecord(item) || !goDecodes(goAttachment, item)) continue
    const actions = goGet(item, 'actions')
    if (!Array.isArray(actions)) continue
    for (const action of actions) {
      if (!isRecord(action) || (goGet(action, 'id') ?? '') !== '') continue
      for (const key of Object.keys(action)) if (key.toLowerCase() === 'id') delete action[key]
      action.id = newId()
    }
  }
}

function marshalIntegration (integration: GoIntegration): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (integration.url !== undefined && integration.url !== '') out.url = integration.url
  if (integration.context !== undefined && Object.keys(integration.context).length > 0) out.context = integration.context
  return out
}

/** A PostAction as Go encodes it (every field omitempty); `integration: false` is StripActionIntegrations. */
function marshalAction (action: GoAction, integration: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') out[key] = value
  }
  put('id', action.id)
  put('type', action.type)
  put('name', action.name)
  if (action.disabled === true) out.disabled = true
  put('style', action.style)
  put('data_source', action.data_source)
  if (action.options !== undefined && action.options.length > 0) {
    out.options = action.options.map((o) => o === undefined ? null : { text: o.text ?? '', value: o.value ?? '' })
  }
  put('default_option', action.default_option)
  if (integration && action.integration !== undefined) out.integration = marshalIntegration(action.integration)
  put('cookie', action.cookie)
  return out
}

/** A SlackAttachment as Go encodes it: every field present (zero values included) but actions, which are omitempty. */
function marshalAttachment (a: GoAttachment, integration: boolean): Record<string, unknown> {
  const actions = (a.actions ?? []).flatMap((action) => action === undefined ? [] : [marshalAction(action, integration)])
  return {
    id: a.id ?? 0,
    fallback: a.fallback ?? '',
    color: a.color ?? '',
    pretext: a.pretext ?? '',
    author_name: a.author_name ?? '',
    author_link: a.author_link ?? '',
    author_icon: a.author_icon ?? '',
    title: a.title ?? '',
    title_link: a.title_link ?? '',
    text: a.text ?? '',
    fields: a.fields === undefined ? null : a.fields.map((f) => f === undefined ? null : { title: f.title ?? '', value: f.value ?? null, short: f.short ?? false }),
    image_url: a.image_url ?? '',
    thumb_url: a.thumb_url ?? '',
    footer: a.footer ?? '',
    footer_icon: a.footer_icon ?? '',
    ts: a.ts ?? null,
    ...(actions.length > 0 ? { actions } : {})
  }
}

/** Post.AttachmentsEqual (SlackAttachment.Equals ignores an action's style and disabled). */
function attachmentsEqual (a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const key = (props: Record<string, unknown>): string => goJson(decodeAttachments(props).map((attachment) => ({
    ...marshalAttachment(attachment, true),
    actions: (attachment.actions ?? []).flatMap((action) => action === undefined
      ? []
      : [{
          id: action.id ?? '',
          type: action.type ?? '',
          name: action.name ?? '',
          data_source: action.data_source ?? '',
          default_option: action.default_option ?? '',
          cookie: action.cookie ?? '',
          options: (action.options ?? []).map((o) => [o?.text ?? '', o?.value ?? '']),
          integration: action.integration === undefined ? null : { url: action.integration.url ?? '', context: action.integration.context ?? {} }
        }])
  })))
  return key(a) === key(b)
}

/** Go's json.Marshal escapes these even inside strings. */
function goEscape (json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** json.Marshal of maps and slices: map keys sorted (Go encodes maps that way), nil as null. */
function goJson (value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return goEscape(JSON.stringify(value))
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`
  if (isRecord(value)) return `{${Object.keys(value).sort().map((k) => `${goEscape(JSON.stringify(k))}:${goJson(value[k])}`).join(',')}}`
  return 'null'
}

/** json.Marshal of a struct: fields in declaration order. */
function goStructJson (fields: [string, unknown][]): string {
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(',')}}`
}

/** model.ParseSlackLinksToMarkdown: <url|text> becomes [text](url). */
function parseSlackLinks (text: string): string {
  return text.replace(/<([^<|]+)\|([^>]+)>/g, '[$2]($1)')
}

// ---- outgoing integration requests (shared/httpservice) ----------------------------------------------------------

/** httpservice's reserved ranges: never reachable from a button unless AllowedUntrustedInternalConnections says so. */
const RESERVED_CIDRS = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '0.0.0.0/8', '169.254.0.0/16', '192.0.0.0/24',
  '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '192.88.99.0/24', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
  '255.255.255.255/32', '100.64.0.0/10', '::/128', '::1/128', '100::/64', '2001::/23', '2001:2::/48', '2001:db8::/32',
  '2001::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8', '2002::/16', '64:ff9b::/96', '2001:10::/28', '2001:20::/28'
]
const DEFAULT_ALLOWED_UNTRUSTED = 'localhost 127.0.0.0/8 ::1/128'
const OUTGOING_TIMEOUT_MS = 30_000
const MAX_REDIRECTS = 10
const USER_AGENT = 'Mattermost-Bot/1.1'
const ADDRESS_FORBIDDEN = 'address forbidden, you may need to set AllowedUntrustedInternalConnections to allow an integration access to your internal network'
/** model.PostActionRetainPropKeys: an update cannot add, change or remove these. */
const RETAIN_PROP_KEYS = ['from_webhook', 'override_username', 'override_icon_url']
const ACTION_ID_PATTERN = /^[A-Za-z0-9]+$/

interface CidrList { v4: net.BlockList, v6: net.BlockList }

function cidrList (cidrs: readonly string[]): CidrList {
  const list = { v4: new net.BlockList(), v6: new net.BlockList() }
  for (const cidr of cidrs) {
    const [address = '', bits = ''] = cidr.split('/')
    const family = net.isIP(address)
    const prefix = Number(bits)
    if (family === 0 || !/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) continue
    if (family === 4) list.v4.addSubnet(address, prefix, 'ipv4')
    else list.v6.addSubnet(address, prefix, 'ipv6')
  }
  return list
}

function inCidrs (list: CidrList, ip: string): boolean {
  return net.isIP(ip) === 4 ? list.v4.check(ip, 'ipv4') : list.v6.check(ip, 'ipv6')
}

const RESERVED = cidrList(RESERVED_CIDRS)

/** Go compares an IPv4-mapped IPv6 address as the IPv4 one. */
function plainIp (ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  return mapped?.[1] ?? ip.toLowerCase()
}

/** httpservice.IsOwnIP: an address of one of this machine's interfaces. */
function isOwnIp (ip: string): boolean {
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((i) => plainIp(i.address) === ip))
}

interface IntegrationAnswer { status: number, body: Buffer }

interface RawAnswer { status: number, headers: http.IncomingHttpHeaders, body: Buffer }

function sendOnce (target: URL, address: string, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const secure = target.protocol === 'https:'
    const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1')
    const request = (secure ? https : http).request({
      host: address,
      port: target.port === '' ? (secure ? 443 : 80) : Number(target.port),
      method,
      path: `${target.pathname}${target.search}`,
      headers: { ...headers, host: target.host },
      signal,
      agent: false,
      ...(secure && net.isIP(hostname) === 0 ? { servername: hostname } : {})
    }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(payload)
  })
}

/** Settles with `work`, or rejects once `signal` aborts (even while a DNS lookup cannot be interrupted). */
function untilAborted<T> (signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Error(String(signal.reason)))
    if (signal.aborted) {
      onAbort()
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {})
  })
}

export async function startFakeMattermost (options: FakeMattermostOptions = {}): Promise<FakeMattermost> {
  const now = options.now ?? Date.now
  const developerMode = options.developerMode ?? false
  const maxPayloadBytes = options.maxPayloadBytes ?? MAXIMUM_PAYLOAD_SIZE_BYTES
  const outgoingTimeoutMs = options.outgoingIntegrationRequestsTimeoutMs ?? OUTGOING_TIMEOUT_MS
  const allowedEntries = (options.allowedUntrustedInternalConnections ?? DEFAULT_ALLOWED_UNTRUSTED).split(/[\s,]+/).filter((e) => e !== '')
  const allowedUntrusted = { hosts: new Set(allowedEntries), cidrs: cidrList(allowedEntries) }
  /** PostActionCookieSecret and AsymmetricSigningKey, new with every server. */
  const cookieSecret = randomBytes(32)
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey

  const users = new Map<string, FakeUser>()
  const tokens = new Map<string, string>()
  const teams = new Map<string, FakeTeam>()
  const teamMembers = new Map<string, Set<string>>()
  const channels = new Map<string, FakeChannel>()
  const members = new Map<string, Map<string, FakeMembership>>()
  const posts = new Map<string, FakePost>()
  const postsByChannel = new Map<string, FakePost[]>()
  const ephemerals: FakeEphemeralPost[] = []
  const log: RecordedRequest[] = []
  let faults: ActiveFault[] = []
  let rateLimit = options.rateLimit
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

  function addUser (input: UserInput = {}, isBot = false, description?: string): FakeUser {
    counter += 1
    const username = input.username ?? `${isBot ? 'bot' : 'user'}${counter}`
    if (!isValidUsername(username)) throw new Error(`fake-mattermost: "${username}" is not a valid Mattermost username`)
    if ([...users.values()].some((u) => u.username === username)) throw new Error(`fake-mattermost: username ${username} taken`)
    const id = input.id ?? newId()
    if (!isValidId(id) || users.has(id)) throw new Error(`fake-mattermost: bad or duplicate user id ${id}`)
    const t = now()
    const user: FakeUser = {
      id,
      create_at: t,
      update_at: t,
      delete_at: 0,
      username,
      first_name: input.first_name ?? (isBot ? '' : `First${counter}`),
      last_name: input.last_name ?? (isBot ? '' : `Last${counter}`),
      nickname: input.nickname ?? '',
      email: input.email ?? `${username}@${isBot ? 'localhost' : 'example.com'}`,
      position: input.position ?? '',
      roles: input.roles ?? 'system_user',
      locale: input.locale ?? 'en',
      timezone: { automaticTimezone: '', manualTimezone: '', useAutomaticTimezone: 'true', ...input.timezone },
      is_bot: isBot,
      ...(isBot ? { bot_description: description ?? '' } : {})
    }
    users.set(id, user)
    return user
  }

  function createToken (userId: string): string {
    requireUser(userId)
    const token = newId()
    tokens.set(token, userId)
    return token
  }

  function addTeam (input: { id?: string, name?: string, display_name?: string } = {}): FakeTeam {
    counter += 1
    const id = input.id ?? newId()
    if (!isValidId(id) || teams.has(id)) throw new Error(`fake-mattermost: bad or duplicate team id ${id}`)
    const t = now()
    const team: FakeTeam = { id, name: input.name ?? `team${counter}`, display_name: input.display_name ?? `Team ${counter}`, type: 'O', create_at: t, update_at: t, delete_at: 0 }
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

  function saveChannel (fields: Pick<FakeChannel, 'team_id' | 'type' | 'name' | 'display_name' | 'creator_id'> & { id?: string }): FakeChannel {
    const t = now()
    const channel: FakeChannel = {
      id: fields.id ?? newId(),
      create_at: t,
      update_at: t,
      delete_at: 0,
      team_id: fields.team_id,
      type: fields.type,
      display_name: fields.display_name,
      name: fields.name,
      header: '',
      purpose: '',
      last_post_at: t,
      last_root_post_at: t,
      total_msg_count: 0,
      total_msg_count_root: 0,
      creator_id: fields.creator_id,
      group_constrained: null,
      shared: fields.type === 'G' || fields.type === 'D' ? false : null
    }
    channels.set(channel.id, channel)
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
    return saveChannel({ id: input.id, team_id: teamId, type: input.type ?? 'O', name: input.name, display_name: input.display_name ?? input.name, creator_id: input.creator_id ?? '' })
  }

  function addMember (channelId: string, userId: string, { admin = false }: { admin?: boolean } = {}): void {
    const channel = requireChannel(channelId)
    requireUser(userId)
    if (channel.team_id !== '') addTeamMember(channel.team_id, userId)
    members.get(channelId)?.set(userId, { channel_id: channelId, user_id: userId, scheme_admin: admin, last_update_at: now() })
  }

  function removeMember (channelId: string, userId: string): void {
    requireChannel(channelId)
    members.get(channelId)?.delete(userId)
  }

  function savePost (fields: { channel_id: string, user_id: string, message: string, props: Record<string, unknown>, root_id: string }): FakePost {
    const channel = requireChannel(fields.channel_id)
    const list = postsByChannel.get(channel.id) ?? []
    // Keep create_at strictly increasing per channel so "newest first" is well defined, as it is in practice.
    const last = list.at(-1)?.create_at ?? 0
    const t = Math.max(now(), last + 1)
    const post: FakePost = {
      id: newId(),
      create_at: t,
      update_at: t,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: fields.user_id,
      channel_id: fields.channel_id,
      root_id: fields.root_id,
      original_id: '',
      message: fields.message,
      type: '',
      props: fields.props,
      hashtags: '',
      pending_post_id: '',
      reply_count: 0,
      last_reply_at: 0,
      metadata: {}
    }
    posts.set(post.id, post)
    list.push(post)
    channel.last_post_at = t
    channel.total_msg_count += 1
    if (post.root_id === '') {
      channel.last_root_post_at = t
      channel.total_msg_count_root += 1
    } else {
      const root = posts.get(post.root_id)
      if (root !== undefined) {
        root.reply_count += 1
        root.last_reply_at = t
      }
    }
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

  // ---- wire shapes --------------------------------------------------------------------------------------------------

  const userJson = (user: FakeUser): unknown => ({
    ...user,
    timezone: { ...user.timezone },
    auth_service: '',
    email_verified: true,
    last_picture_update: 0,
    disable_welcome_email: false
  })

  const channelJson = (channel: FakeChannel): unknown => ({ ...channel, scheme_id: null, props: null, policy_id: null })

  const memberJson = (m: FakeMembership): unknown => ({
    channel_id: m.channel_id,
    user_id: m.user_id,
    roles: m.scheme_admin ? 'channel_user channel_admin' : 'channel_user',
    last_viewed_at: 0,
    msg_count: 0,
    mention_count: 0,
    mention_count_root: 0,
    urgent_mention_count: 0,
    msg_count_root: 0,
    notify_props: { desktop: 'default', email: 'default', ignore_channel_mentions: 'default', mark_unread: 'all', push: 'default', channel_auto_follow_threads: 'off' },
    last_update_at: m.last_update_at,
    scheme_guest: false,
    scheme_user: true,
    scheme_admin: m.scheme_admin,
    explicit_roles: ''
  })

  const postJson = (post: FakePost): FakePost => structuredClone(post)

  // ---- message buttons (app/post_action.go) -------------------------------------------------------------------------

  /** Post.EncodeJSON / PostList.EncodeJSON (StripActionIntegrations): what every API response carries. */
  function clientPost (post: FakePost): FakePost {
    const copy = postJson(post)
    const attachments = copy.props.attachments
    if (attachments !== undefined && attachments !== null) {
      // Go re-encodes the attachments it can decode (as its structs) and drops each action's integration.
      const decoded = decodeAttachments(copy.props)
      copy.props.attachments = decoded.length === 0 ? null : decoded.map((a) => marshalAttachment(a, false))
    }
    return copy
  }

  /** model.encryptPostActionCookie: AES-256-GCM under PostActionCookieSecret, nonce first, standard base64. */
  function encryptCookie (plain: string): string {
    const nonce = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', cookieSecret, nonce)
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
    return Buffer.concat([nonce, sealed]).toString('base64')
  }

  function decryptCookie (encoded: string): string {
    if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new Error('illegal base64 data')
    const data = Buffer.from(encoded, 'base64')
    if (data.length < 12) throw new Error('cookie too short')
    if (data.length < 12 + 16) throw new Error('cipher: message authentication failed')
    const decipher = createDecipheriv('aes-256-gcm', cookieSecret, data.subarray(0, 12))
    decipher.setAuthTag(data.subarray(data.length - 16))
    try {
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8')
    } catch {
      throw new Error('cipher: message authentication failed')
    }
  }

  function retainedProps (props: Record<string, unknown>): { retain: Record<string, unknown>, remove: string[] } {
    const retain: Record<string, unknown> = {}
    const remove: string[] = []
    for (const key of RETAIN_PROP_KEYS) {
      if (key in props) retain[key] = props[key]
      else remove.push(key)
    }
    return { retain, remove }
  }

  /**
   * SendEphemeralPost's GenerateActionIds + AddPostActionCookies: the attachments become Go's encoding of them, and
   * each action carries an encrypted cookie, the only way a click on a post that is not in the database can work.
   */
  function addActionCookies (post: FakePost): void {
    const attachments = post.props.attachments
    if (attachments === undefined || attachments === null) return
    const { retain, remove } = retainedProps(post.props)
    const decoded = decodeAttachments(post.props)
    for (const attachment of decoded) {
      for (const action of attachment.actions ?? []) {
        if (action === undefined) continue
        const fields: [string, unknown][] = []
        if ((action.type ?? '') !== '') fields.push(['type', action.type])
        fields.push(['post_id', post.id], ['root_post_id', post.root_id === '' ? post.id : post.root_id], ['channel_id', post.channel_id])
        if ((action.data_source ?? '') !== '') fields.push(['data_source', action.data_source])
        if (action.integration !== undefined) fields.push(['integration', marshalIntegration(action.integration)])
        if (Object.keys(retain).length > 0) fields.push(['retain_props', retain])
        if (remove.length > 0) fields.push(['remove_props', remove])
        action.cookie = encryptCookie(goStructJson(fields))
      }
    }
    post.props.attachments = decoded.length === 0 ? null : decoded.map((a) => marshalAttachment(a, true))
  }

  /** SendEphemeralPost: shown to one user, never stored in the channel. */
  function sendEphemeral (userId: string, fields: { channel_id: string, root_id: string, user_id: string, message: string, props: Record<string, unknown> }): FakeEphemeralPost {
    const post: FakePost = {
      id: newId(),
      create_at: now(),
      update_at: 0,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: fields.user_id,
      channel_id: fields.channel_id,
      root_id: fields.root_id,
      original_id: '',
      message: fields.message,
      type: 'system_ephemeral',
      props: fields.props,
      hashtags: '',
      pending_post_id: '',
      reply_count: 0,
      last_reply_at: 0,
      metadata: {}
    }
    generateActionIds(post.props)
    addActionCookies(post)
    const shown: FakeEphemeralPost = { ...structuredClone(post), to_user_id: userId }
    ephemerals.push(shown)
    return structuredClone(shown)
  }

  /** The web app sends the cookie of an action on an ephemeral post it was shown. */
  function ephemeralCookie (postId: string, actionId: string, userId: string): string {
    const shown = ephemerals.find((p) => p.id === postId && p.to_user_id === userId)
    return shown === undefined ? '' : findAction(shown.props, actionId)?.cookie ?? ''
  }

  function actionIntegrationError (detailed: string): AppError {
    return new AppError(400, 'api.post.do_action.action_integration.app_error', 'Action integration error.', detailed)
  }

  /** The addresses a button's URL may be dialled at (httpservice's dialContextFilter), or why none. */
  async function dialableAddresses (hostname: string): Promise<string[]> {
    if (allowedUntrusted.hosts.has(hostname)) return [hostname]
    const ips = net.isIP(hostname) !== 0
      ? [hostname]
      : (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)
    const allowed = ips.filter((address) => {
      const ip = plainIp(address)
      return (!inCidrs(RESERVED, ip) && !isOwnIp(ip)) || inCidrs(allowedUntrusted.cidrs, ip)
    })
    if (allowed.length === 0) throw new Error(ADDRESS_FORBIDDEN)
    return allowed
  }

  /** App.DoActionRequest with Go's http.Client: POST, redirects followed, gzip undone, the deadline over it all. */
  async function requestIntegration (rawUrl: string, call: IntegrationCall, payload: string, signal: AbortSignal): Promise<IntegrationAnswer> {
    if (rawUrl.startsWith('/plugins/') || rawUrl.startsWith('plugins/')) {
      // Routed to a plugin's ServeHTTP; the fake runs no plugins, so it is the 404 of an unknown plugin.
      return { status: 404, body: Buffer.from('404 page not found\n') }
    }
    let url: URL
    try {
      url = new URL(rawUrl)
    } catch {
      throw new Error('unsupported protocol scheme ""')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol scheme "${url.protocol.slice(0, -1)}"`)
    let method = 'POST'
    let body: Buffer | undefined = Buffer.from(payload)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': USER_AGENT,
      'accept-encoding': 'gzip',
      'content-length': String(body.length)
    }
    call.headers = { host: url.host, ...headers }
    for (let redirects = 0; ; redirects++) {
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1')
      const addresses = await untilAborted(signal, dialableAddresses(hostname))
      let answer: RawAnswer | undefined
      let firstError: unknown
      for (const address of addresses) {
        try {
          answer = await sendOnce(url, address, method, headers, body, signal)
          break
        } catch (error) {
          if (signal.aborted) throw new Error(String(signal.reason))
          firstError ??= error
          const code = (error as NodeJS.ErrnoException).code
          if (code !== 'ECONNREFUSED' && code !== 'EHOSTUNREACH' && code !== 'ENETUNREACH' && code !== 'EADDRNOTAVAIL') break
        }
      }
      if (answer === undefined) throw firstError instanceof Error ? firstError : new Error(String(firstError))
      const location = answer.headers.location
      if ([301, 302, 303, 307, 308].includes(answer.status) && location !== undefined && location !== '') {
        if (redirects + 1 >= MAX_REDIRECTS) throw new Error(`stopped after ${MAX_REDIRECTS} redirects`)
        if (answer.status <= 303 && method !== 'GET' && method !== 'HEAD') {
          method = 'GET'
          body = undefined
          delete headers['content-type']
          delete headers['content-length']
        }
        url = new URL(location, url)
        continue
      }
      let data = answer.body
      if (answer.headers['content-encoding'] === 'gzip') data = zlib.gunzipSync(data)
      return { status: answer.status, body: data }
    }
  }

  /**
   * App.DoPostActionWithCookie: the integration call and what its answer does. With a cookie it still prefers the
   * stored post, and falls back to the cookie's data only when the post is not in the database (ephemeral posts).
   */
  async function doPostActionWithCookie (session: FakeUser, postId: string, actionId: string, selectedOption: string, cookie: GoCookie | undefined, trace: { call?: IntegrationCall, ephemeral?: FakeEphemeralPost }): Promise<Reply> {
    const stored = posts.get(postId)
    const post = stored !== undefined && stored.delete_at === 0 ? stored : undefined
    let channel: FakeChannel
    let integration: GoIntegration
    let type: string
    let dataSource: string
    let retain: Record<string, unknown>
    let remove: string[]
    let rootPostId: string
    if (post === undefined) {
      if (cookie === undefined) throw new AppError(404, 'app.post.get.app_error', 'Unable to get post.', `id=${postId}`)
      if (cookie.integration === undefined) throw actionIntegrationError('no Integration in action cookie')
      if (postId !== cookie.post_id) throw actionIntegrationError("postId doesn't match")
      channel = getChannelOr404(cookie.channel_id ?? '')
      integration = cookie.integration
      type = cookie.type ?? ''
      dataSource = cookie.data_source ?? ''
      retain = cookie.retain_props ?? {}
      remove = cookie.remove_props ?? []
      rootPostId = cookie.root_post_id ?? ''
    } else {
      channel = requireChannel(post.channel_id)
      const action = findAction(post.props, actionId)
      if (action?.integration === undefined) {
        throw new AppError(404, 'api.post.do_action.action_id.app_error', 'Invalid action id.', action === undefined ? 'action=<nil>' : `action=&{Id:${action.id ?? ''}}`)
      }
      integration = action.integration
      type = action.type ?? ''
      dataSource = action.data_source ?? ''
      ;({ retain, remove } = retainedProps(post.props))
      rootPostId = post.root_id === '' ? post.id : post.root_id
    }
    const user = users.get(session.id)
    if (user === undefined) throw new AppError(404, 'app.user.missing_account.const', 'Unable to find the user.', `user_id=${session.id}`)
    const team = channel.team_id === '' ? undefined : teams.get(channel.team_id)

    let context = integration.context === undefined ? undefined : structuredClone(integration.context)
    let requestDataSource = ''
    if (type === 'select' && selectedOption !== '') {
      context = { ...context, selected_option: selectedOption }
      requestDataSource = dataSource
    }

    // PostActionIntegrationRequest.GenerateTriggerId: "clientTriggerId:userId:millis:" signed with ECDSA P-256.
    const clientTriggerId = newId()
    const triggerData = `${clientTriggerId}:${session.id}:${now()}:`
    const signature = sign('sha256', Buffer.from(triggerData), signingKey).toString('base64')
    const triggerId = Buffer.from(triggerData + signature).toString('base64')

    const fields: [string, unknown][] = [
      ['user_id', session.id],
      ['user_name', user.username],
      ['channel_id', channel.id],
      ['channel_name', channel.name],
      ['team_id', channel.team_id],
      ['team_domain', team?.name ?? ''],
      ['post_id', postId],
      ['trigger_id', triggerId],
      ['type', type],
      ['data_source', requestDataSource]
    ]
    if (context !== undefined && Object.keys(context).length > 0) fields.push(['context', context])
    const rawBody = goStructJson(fields)
    const url = integration.url ?? ''
    const call: IntegrationCall = {
      url,
      postId,
      actionId,
      userId: session.id,
      headers: {},
      body: JSON.parse(rawBody) as Record<string, unknown>,
      rawBody,
      status: 0,
      responseBody: '',
      error: undefined
    }
    integrationLog.push(call)
    trace.call = call

    const controller = new AbortController()
    inflight.add(controller)
    const timer = setTimeout(() => controller.abort('context deadline exceeded'), outgoingTimeoutMs)
    timers.add(timer)
    let answer: IntegrationAnswer
    try {
      answer = await requestIntegration(url, call, rawBody, controller.signal)
    } catch (error) {
      call.error = error instanceof Error ? error.message : String(error)
      throw actionIntegrationError(`Post ${JSON.stringify(url)}: ${call.error}`)
    } finally {
      clearTimeout(timer)
      timers.delete(timer)
      inflight.delete(controller)
    }
    call.status = answer.status
    call.responseBody = answer.body.toString('utf8')
    if (answer.status !== 200) throw actionIntegrationError(`status=${answer.status}`)

    let response: GoActionResponse = {}
    let gotoLocation = ''
    if (answer.body.length > 0) {
      try {
        const parsed: unknown = JSON.parse(call.responseBody)
        response = goDecode<GoActionResponse>(goActionResponse, parsed)
        // Only newer servers know goto_location (and return it); older ones ignore the field.
        const location = isRecord(parsed) ? goGet(parsed, 'goto_location') : undefined
        if (typeof location === 'string') gotoLocation = location
      } catch (error) {
        throw actionIntegrationError(String(error))
      }
    }

    if (response.update !== undefined) {
      let props = response.update.props
      if (props === undefined) {
        props = post?.props
      } else {
        for (const [key, value] of Object.entries(retain)) props[key] = value
        for (const key of remove) delete props[key]
      }
      updatePostFromAction(postId, response.update, props)
    }

    if ((response.ephemeral_text ?? '') !== '') {
      const text = response.ephemeral_text ?? ''
      trace.ephemeral = sendEphemeral(session.id, {
        channel_id: channel.id,
        root_id: rootPostId,
        user_id: session.id,
        message: response.skip_slack_parsing === true ? text : parseSlackLinks(text),
        props: structuredClone(retain)
      })
    }

    return { status: 200, body: { status: 'OK', trigger_id: clientTriggerId, ...(gotoLocation === '' ? {} : { goto_location: gotoLocation }) } }
  }

  /** App.UpdatePost(update, SafeUpdate false), for an integration's update: only message, props (and metadata) apply. */
  function updatePostFromAction (postId: string, update: GoPost, props: Record<string, unknown> | undefined): void {
    const newProps = structuredClone(props ?? {})
    // Post.SanitizeProps
    delete newProps.add_channel_member
    delete newProps.force_notification
    const old = posts.get(postId)
    if (old === undefined) throw new AppError(404, 'app.post.get.app_error', 'Unable to get post.', `id=${postId}`)
    if (old.delete_at !== 0) throw new AppError(400, 'api.post.update_post.permissions_details.app_error', `Already deleted id=${postId}.`)
    if (old.type.startsWith('system_')) throw new AppError(400, 'api.post.update_post.system_message.app_error', 'Unable to update system message.', `id=${postId}`)
    const channel = getChannelOr404(old.channel_id)
    if (channel.delete_at !== 0) throw new AppError(400, 'api.post.update_post.can_not_update_post_in_deleted.error', 'Can not update a post in a deleted channel.')
    const message = update.message ?? ''
    generateActionIds(newProps)
    validatePost({ message, props: newProps })
    const t = now()
    let editAt = old.edit_at
    if (message !== old.message) editAt = t
    if (editAt === old.edit_at && !attachmentsEqual(old.props, newProps)) editAt = t
    old.message = message
    old.props = newProps
    old.edit_at = editAt
    old.update_at = t
    if (update.metadata !== undefined) {
      const { embeds: _embeds, ...metadata } = update.metadata
      old.metadata = structuredClone(metadata)
    }
  }

  /**
   * api4 doPostAction for a session: the checks before DoPostActionWithCookie. Without a cookie the clicker needs
   * read_channel_content through the post (SessionHasPermissionToChannelByPost: channel members, system admins), so an
   * unknown post is a 403 for everyone but admins; with one, read access to the cookie's channel.
   */
  async function doPostAction (session: FakeUser, postId: string, actionId: string, request: { selectedOption: string, cookie: string }, trace: { call?: IntegrationCall, ephemeral?: FakeEphemeralPost }): Promise<Reply> {
    if (!isValidId(postId)) throw invalidUrlParam('post_id')
    let cookie: GoCookie | undefined
    if (request.cookie !== '') {
      try {
        cookie = goDecode<GoCookie>(goCookie, JSON.parse(decryptCookie(request.cookie)))
      } catch (error) {
        throw actionIntegrationError(String(error))
      }
      const channel = getChannelOr404(cookie.channel_id ?? '')
      if (!canReadChannel(session, channel)) throw permissionError(session.id, 'read_channel_content')
    } else {
      const post = posts.get(postId)
      const allowed = post === undefined ? isAdmin(session) : hasChannelPermission(session, post.channel_id)
      if (!allowed) throw permissionError(session.id, 'read_channel_content')
    }
    return await doPostActionWithCookie(session, postId, actionId, request.selectedOption, cookie, trace)
  }

  /** DoPostActionRequest: decoding errors are only logged, so a bad body is an empty one; wrong types are ignored. */
  function actionRequest (text: string | undefined): { selectedOption: string, cookie: string } {
    let body: unknown
    try {
      body = JSON.parse(text ?? '')
    } catch {
      body = undefined
    }
    const field = (name: string): string => {
      const value = isRecord(body) ? goGet(body, name) : undefined
      return typeof value === 'string' ? value : ''
    }
    return { selectedOption: field('selected_option'), cookie: field('cookie') }
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

  function postParam (ctx: Context): string {
    const id = ctx.params.post_id ?? ''
    if (!isValidId(id)) throw invalidUrlParam('post_id')
    return id
  }

  function getChannelOr404 (id: string): FakeChannel {
    const channel = channels.get(id)
    if (channel === undefined) throw new AppError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.', `id=${id}`)
    return channel
  }

  function getPostOr404 (id: string): FakePost {
    const post = posts.get(id)
    if (post === undefined || post.delete_at !== 0) throw new AppError(404, 'app.post.get.app_error', 'Unable to get post.', `id=${id}`)
    return post
  }

  function validatePost (post: { message: string, props: Record<string, unknown> }): void {
    if (runes(post.message) > POST_MESSAGE_MAX_RUNES) {
      throw new AppError(400, 'model.post.is_valid.message_length.app_error', 'Post Message property is longer than the maximum permitted length.')
    }
    if (runes(JSON.stringify(post.props)) > POST_PROPS_MAX_RUNES) {
      throw new AppError(400, 'model.post.is_valid.props.app_error', 'Invalid props.')
    }
  }

  /** Who may edit this post: its author with edit_post in the channel, else edit_others_posts (admins). */
  function editablePost (ctx: Context, postId: string): FakePost {
    const original = posts.get(postId)
    if (original === undefined || original.delete_at !== 0) throw permissionError(ctx.session.id, 'edit_post')
    const own = original.user_id === ctx.session.id
    if (own ? !hasChannelPermission(ctx.session, original.channel_id) : !isAdmin(ctx.session)) {
      throw permissionError(ctx.session.id, own ? 'edit_post' : 'edit_others_posts')
    }
    return original
  }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/users\/(?<user_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const id = userParam(ctx)
        const user = users.get(id)
        if (user === undefined) throw new AppError(404, 'app.user.missing_account.const', 'Unable to find the user.', `user_id=${id}`)
        return { status: 200, body: userJson(user) }
      }
    },
    {
      method: 'POST',
      pattern: /^\/users\/ids$/,
      handle (ctx) {
        const ids = stringArray(ctx.json('user_ids'))
        if (ids === undefined || ids.length === 0) throw invalidBodyParam('user_ids')
        const found = [...new Set(ids)].flatMap((id) => users.get(id) ?? [])
        return { status: 200, body: found.map(userJson) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/users\/username\/(?<username>[A-Za-z0-9_\-.]+)$/,
      handle (ctx) {
        const username = ctx.params.username ?? ''
        if (!isValidUsername(username)) throw invalidUrlParam('username')
        const user = [...users.values()].find((u) => u.username === username)
        if (user === undefined) {
          throw new AppError(404, 'app.user.get_by_username.app_error', 'Unable to find an existing account matching your username for this team. This team may require an invite from the team owner to join.')
        }
        return { status: 200, body: userJson(user) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/users$/,
      handle (ctx) {
        const { page, perPage } = pageParams(ctx.query)
        let list = [...users.values()]
        const inChannel = ctx.query.get('in_channel')
        if (inChannel !== null && inChannel !== '') {
          if (!hasChannelPermission(ctx.session, inChannel)) throw permissionError(ctx.session.id, 'read_channel')
          list = list.filter((u) => isMember(inChannel, u.id))
        }
        list.sort((a, b) => a.username < b.username ? -1 : a.username > b.username ? 1 : 0)
        return { status: 200, body: list.slice(page * perPage, page * perPage + perPage).map(userJson) }
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
        const name = directChannelName(a, b)
        let channel = [...channels.values()].find((c) => c.type === 'D' && c.name === name)
        if (channel === undefined) {
          channel = saveChannel({ team_id: '', type: 'D', name, display_name: '', creator_id: '' })
          for (const id of new Set([a, b])) members.get(channel.id)?.set(id, { channel_id: channel.id, user_id: id, scheme_admin: false, last_update_at: now() })
        }
        return { status: 201, body: channelJson(channel) }
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
        const refused = options.rejectDeactivatedGroupMembers === true && found.some((u) => u.delete_at !== 0)
        if (found.length !== ids.length || refused) {
          throw new AppError(400, 'api.channel.create_group.bad_user.app_error', 'One of the provided users does not exist.', `user_ids=${JSON.stringify(ids)}`)
        }
        const name = groupChannelName(ids)
        let channel = [...channels.values()].find((c) => c.type === 'G' && c.name === name)
        if (channel === undefined) {
          let displayName = found.map((u) => u.username).sort().join(', ')
          if (runes(displayName) > CHANNEL_DISPLAY_NAME_MAX_RUNES) displayName = [...displayName].slice(0, CHANNEL_DISPLAY_NAME_MAX_RUNES - 3).join('') + '...'
          channel = saveChannel({ team_id: '', type: 'G', name, display_name: displayName, creator_id: '' })
          for (const user of found) members.get(channel.id)?.set(user.id, { channel_id: channel.id, user_id: user.id, scheme_admin: false, last_update_at: now() })
        }
        return { status: 201, body: channelJson(channel) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(?<channel_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const channel = getChannelOr404(channelParam(ctx))
        if (!canReadChannel(ctx.session, channel)) throw permissionError(ctx.session.id, channel.type === 'O' ? 'read_public_channel' : 'read_channel')
        return { status: 200, body: channelJson(channel) }
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
        const newestFirst = (postsByChannel.get(channel.id) ?? []).filter((p) => p.delete_at === 0).reverse()
        const slice = newestFirst.slice(page * perPage, page * perPage + perPage)
        return {
          status: 200,
          body: {
            order: slice.map((p) => p.id),
            posts: Object.fromEntries(slice.map((p) => [p.id, clientPost(p)])),
            next_post_id: '',
            prev_post_id: newestFirst[page * perPage + perPage]?.id ?? '',
            has_next: newestFirst.length > page * perPage + perPage,
            first_inaccessible_post_time: 0
          }
        }
      }
    },
    {
      method: 'POST',
      pattern: /^\/posts$/,
      handle (ctx) {
        const input = decodeFields(ctx.json('post'), 'post', { channel_id: 'string', message: 'string', root_id: 'string', props: 'object', file_ids: 'array', type: 'string' })
        const channelId = typeof input.channel_id === 'string' ? input.channel_id : ''
        if (!hasChannelPermission(ctx.session, channelId)) throw permissionError(ctx.session.id, 'create_post')
        const channel = getChannelOr404(channelId)
        if (channel.delete_at !== 0) throw new AppError(400, 'api.post.create_post.can_not_post_to_deleted.error', 'Can not post to deleted channel.')
        const rootId = typeof input.root_id === 'string' ? input.root_id : ''
        if (rootId !== '') {
          const root = posts.get(rootId)
          if (root === undefined || root.channel_id !== channelId || root.root_id !== '') {
            throw new AppError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.')
          }
        }
        const props = isRecord(input.props) ? structuredClone(input.props) : {}
        if (ctx.session.is_bot) props.from_bot = 'true'
        generateActionIds(props)
        const message = typeof input.message === 'string' ? input.message : ''
        validatePost({ message, props })
        const post = savePost({ channel_id: channelId, user_id: ctx.session.id, message, props, root_id: rootId })
        return { status: 201, body: clientPost(post) }
      }
    },
    {
      method: 'POST',
      pattern: /^\/posts\/ephemeral$/,
      handle (ctx) {
        const input = decodeFields(ctx.json('body'), 'body', { user_id: 'string', post: 'object' })
        if (typeof input.user_id !== 'string' || input.user_id === '') throw invalidBodyParam('user_id')
        if (!isRecord(input.post)) throw invalidBodyParam('post')
        if (!isAdmin(ctx.session)) throw permissionError(ctx.session.id, 'create_post_ephemeral')
        const inner = decodeFields(input.post, 'body', { channel_id: 'string', message: 'string', props: 'object' })
        const post = sendEphemeral(input.user_id, {
          channel_id: typeof inner.channel_id === 'string' ? inner.channel_id : '',
          root_id: '',
          user_id: ctx.session.id,
          message: typeof inner.message === 'string' ? inner.message : '',
          props: isRecord(inner.props) ? structuredClone(inner.props) : {}
        })
        const { to_user_id: _shownTo, ...shown } = post
        return { status: 201, body: clientPost(shown) }
      }
    },
    {
      method: 'GET',
      pattern: /^\/posts\/(?<post_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const post = getPostOr404(postParam(ctx))
        const channel = channels.get(post.channel_id)
        if (channel === undefined || !canReadChannel(ctx.session, channel)) throw permissionError(ctx.session.id, 'read_channel_content')
        return { status: 200, body: clientPost(post) }
      }
    },
    {
      method: 'PUT',
      pattern: /^\/posts\/(?<post_id>[A-Za-z0-9]+)$/,
      handle (ctx) {
        const postId = postParam(ctx)
        const input = decodeFields(ctx.json('post'), 'post', { id: 'string', message: 'string', props: 'object', is_pinned: 'boolean' })
        if (input.id !== postId) throw invalidBodyParam('id')
        const original = editablePost(ctx, postId)
        // A PUT is the whole post: props absent means props cleared (UpdatePost with SafeUpdate false).
        const message = typeof input.message === 'string' ? input.message : ''
        const props = isRecord(input.props) ? structuredClone(input.props) : {}
        generateActionIds(props)
        validatePost({ message, props })
        const t = now()
        original.message = message
        original.props = props
        original.is_pinned = input.is_pinned === true
        original.edit_at = t
        original.update_at = t
        return { status: 200, body: clientPost(original) }
      }
    },
    {
      method: 'PUT',
      pattern: /^\/posts\/(?<post_id>[A-Za-z0-9]+)\/patch$/,
      handle (ctx) {
        const postId = postParam(ctx)
        const patch = decodeFields(ctx.json('post'), 'post', { message: 'string', props: 'object', is_pinned: 'boolean', file_ids: 'array' })
        const original = editablePost(ctx, postId)
        const message = typeof patch.message === 'string' ? patch.message : original.message
        const props = isRecord(patch.props) ? structuredClone(patch.props) : original.props
        generateActionIds(props)
        validatePost({ message, props })
        const t = now()
        if (message !== original.message) original.edit_at = t
        original.message = message
        original.props = props
        if (typeof patch.is_pinned === 'boolean') original.is_pinned = patch.is_pinned
        original.update_at = t
        return { status: 200, body: clientPost(original) }
      }
    },
    {
      // api4 InitAction: both ids alphanumeric, or no route at all (a 404 before any session check).
      method: 'POST',
      pattern: /^\/posts\/(?<post_id>[A-Za-z0-9]+)\/actions\/(?<action_id>[A-Za-z0-9]+)$/,
      async handle (ctx) {
        return await doPostAction(ctx.session, ctx.params.post_id ?? '', ctx.params.action_id ?? '', actionRequest(ctx.text), {})
      }
    }
  ]

  // ---- the HTTP layer -----------------------------------------------------------------------------------------------

  function matchesFault (active: ActiveFault, method: string, path: string): boolean {
    const { method: m, path: p } = active.match
    if (m !== undefined && m.toUpperCase() !== method) return false
    if (p === undefined) return true
    return typeof p === 'string' ? p === path : p.test(path)
  }

  function takeFault (method: string, path: string): Fault | undefined {
    const active = faults.find((f) => f.remaining > 0 && matchesFault(f, method, path))
    if (active === undefined) return undefined
    active.remaining -= 1
    faults = faults.filter((f) => f.remaining > 0)
    return active.fault
  }

  /** GCRA, as github.com/throttled/throttled (which Mattermost uses): burst+1 requests, then PerSec. */
  function rateLimitCheck (settings: RateLimitSettings, key: string): { limited: boolean, headers: Record<string, string> } {
    const t = now()
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

  function authenticate (req: http.IncomingMessage, query: URLSearchParams): FakeUser {
    // app.ParseAuthTokenFromRequest: "Bearer <token>" (any case) or "Token <token>"; a query-string token is refused.
    const header = req.headers.authorization ?? ''
    let token = ''
    if (header.length > 6 && header.slice(0, 6).toUpperCase() === 'BEARER') token = header.slice(7)
    else if (header.length > 5 && header.slice(0, 5).toLowerCase() === 'token') token = header.slice(6)
    if (token === '') {
      const queryToken = query.get('access_token')
      if (queryToken !== null && queryToken !== '') {
        throw new AppError(401, 'api.context.token_provided.app_error', 'Session is not OAuth but token was provided in the query string.', `token=${queryToken}`)
      }
      throw new AppError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.', 'UserRequired')
    }
    const user = users.get(tokens.get(token) ?? '')
    if (user === undefined || user.delete_at !== 0) {
      throw new AppError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.', `token=${token}`)
    }
    return user
  }

  async function readBody (req: http.IncomingMessage): Promise<{ raw: Buffer, tooLarge: boolean }> {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    for await (const chunk of req) {
      const buffer = chunk as Buffer
      size += buffer.length
      if (size > maxPayloadBytes) tooLarge = true
      else chunks.push(buffer)
    }
    return { raw: Buffer.concat(chunks), tooLarge }
  }

  function parseLoggedBody (raw: Buffer): unknown {
    const text = raw.toString('utf8')
    try {
      return text === '' ? '' : JSON.parse(text)
    } catch {
      return text
    }
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

  async function serve (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://fake.invalid')
    const path = url.pathname
    const { raw, tooLarge } = await readBody(req)
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      body: tooLarge ? '<too large>' : parseLoggedBody(raw),
      authorization: req.headers.authorization,
      userId: undefined,
      fault: undefined
    }
    log.push(record)

    const fault = takeFault(method, path)
    record.fault = fault?.type
    if (fault?.type === 'delay') await wait(fault.ms)
    if (fault?.type === 'reset' && fault.after !== true) {
      req.socket.destroy()
      return
    }
    const requestId = newId()
    const headers: Record<string, string> = { 'X-Request-Id': requestId, 'X-Version-Id': VERSION_ID }
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
      reply = errorReply(new AppError(fault.status ?? 500, fault.id ?? 'fake.injected.app_error', fault.message ?? 'Injected failure.'), requestId)
    } else if (path !== API_ROOT && !path.startsWith(`${API_ROOT}/`)) {
      // Everything outside /api is the web app: a 200 HTML page, whatever the path.
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><html><head><title>Mattermost</title></head><body><div id="root"></div></body></html>')
      record.status = 200
      return
    } else {
      reply = await handleApi(req, method, path.slice(API_ROOT.length), url.searchParams, raw, tooLarge, requestId, record)
      if (fault?.type === 'reset') {
        req.socket.destroy()
        return
      }
      if (fault?.type === 'status') {
        reply = errorReply(new AppError(fault.status ?? 500, fault.id ?? 'fake.injected.app_error', fault.message ?? 'Injected failure.'), requestId)
      }
    }
    record.status = reply.status
    if (res.destroyed) return
    res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json' })
    res.end(JSON.stringify(reply.body))
  }

  async function handleApi (req: http.IncomingMessage, method: string, apiPath: string, query: URLSearchParams, raw: Buffer, tooLarge: boolean, requestId: string, record: RecordedRequest): Promise<Reply> {
    try {
      let route: Route | undefined
      let params: Record<string, string> = {}
      for (const candidate of routes) {
        if (candidate.method !== method) continue
        const match = candidate.pattern.exec(apiPath)
        if (match !== null) {
          route = candidate
          params = { ...match.groups }
          break
        }
      }
      if (route === undefined) throw pageNotFound()
      const session = authenticate(req, query)
      record.userId = session.id
      const ctx: Context = {
        session,
        params,
        query,
        text: tooLarge ? undefined : raw.toString('utf8'),
        json (name) {
          if (tooLarge) throw invalidBodyParam(name, 'http: request body too large')
          try {
            return JSON.parse(raw.toString('utf8'))
          } catch (error) {
            throw invalidBodyParam(name, String(error))
          }
        }
      }
      return await route.handle(ctx)
    } catch (error) {
      if (error instanceof AppError) return errorReply(error, requestId)
      return errorReply(new AppError(500, 'fake.bug.app_error', 'The fake Mattermost failed.', String(error)), requestId)
    }
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

  function inject (fault: Fault, { times = 1, method, path }: FaultMatch & { times?: number } = {}): FaultHandle {
    const active: ActiveFault = { fault, match: { method, path }, remaining: times }
    faults.push(active)
    return {
      get remaining () { return active.remaining },
      cancel () {
        active.remaining = 0
        faults = faults.filter((f) => f !== active)
      }
    }
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
      const { description, ...rest } = input
      const user = addUser(rest, true, description)
      return { user, token: createToken(user.id) }
    },
    createToken,
    revokeToken (token) { tokens.delete(token) },
    deactivate (userId) {
      const user = requireUser(userId)
      const t = now()
      user.delete_at = t
      user.update_at = t
    },
    addTeam,
    addTeamMember,
    addChannel,
    addMember,
    removeMember,
    addPost (input) {
      requireUser(input.user_id)
      const props = structuredClone(input.props ?? {})
      generateActionIds(props)
      return postJson(savePost({ channel_id: input.channel_id, user_id: input.user_id, message: input.message ?? '', props, root_id: input.root_id ?? '' }))
    },

    user: (id) => users.get(id),
    userByUsername: (username) => [...users.values()].find((u) => u.username === username),
    channel: (id) => channels.get(id),
    memberIds: (channelId) => [...(members.get(channelId)?.keys() ?? [])],
    membership: (channelId, userId) => members.get(channelId)?.get(userId),
    directChannel: (a, b) => [...channels.values()].find((c) => c.type === 'D' && c.name === directChannelName(a, b)),
    groupChannel: (userIds) => [...channels.values()].find((c) => c.type === 'G' && c.name === groupChannelName(userIds)),
    channelsOfType: (type) => [...channels.values()].filter((c) => c.type === type),
    posts: (channelId) => (postsByChannel.get(channelId) ?? []).map(postJson),
    post: (id) => {
      const post = posts.get(id)
      return post === undefined ? undefined : postJson(post)
    },
    ephemeralPosts: () => structuredClone(ephemerals),

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

    async click (postId, actionId, userId, options = {}) {
      const user = requireUser(userId)
      const trace: { call?: IntegrationCall, ephemeral?: FakeEphemeralPost } = {}
      let reply: Reply
      try {
        if (!ACTION_ID_PATTERN.test(postId) || !ACTION_ID_PATTERN.test(actionId)) throw pageNotFound()
        if (user.delete_at !== 0) throw new AppError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.')
        const cookie = options.cookie ?? ephemeralCookie(postId, actionId, userId)
        reply = await doPostAction(user, postId, actionId, { selectedOption: options.selectedOption ?? '', cookie }, trace)
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        reply = errorReply(error, newId())
      }
      const post = posts.get(postId)
      return {
        status: reply.status,
        body: structuredClone(reply.body) as Record<string, unknown>,
        integration: trace.call === undefined ? undefined : structuredClone(trace.call),
        ephemeral: trace.ephemeral,
        post: post === undefined ? undefined : postJson(post)
      }
    },
    integrationCalls: () => structuredClone(integrationLog),
    clearIntegrationCalls () { integrationLog.length = 0 }
  }
}
