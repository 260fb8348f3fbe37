// Getting into the dashboard without passwords: /coffee dashboard makes a one-time link (a random token, kept only
// as its hash), opening it sets a session cookie signed with HMAC, and every form carries a CSRF token bound to
// that session. The key is derived from the buttons' key (ACTIONS_SECRET or the bot token), so there is no new secret.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** How long a link works: long enough to click it, short enough that a leaked chat log is harmless. */
export const LINK_TTL_MS = 10 * 60 * 1000
/** How long a session lasts. */
export const SESSION_TTL_MS = 4 * 60 * 60 * 1000
export const SESSION_COOKIE = 'coffee_dashboard'

export interface DashboardSession {
  channelId: string
  userId: string
  /** A system admin may look at every channel. */
  systemAdmin: boolean
  expiresAt: Date
}

/** The dashboard's signing key, derived from the buttons' key so each key signs one kind of thing. */
export function dashboardKey (actionsKey: string): Buffer {
  return createHmac('sha256', actionsKey).update('coffee-dashboard-v1').digest()
}

export function newLinkToken (): string {
  return randomBytes(32).toString('base64url')
}

/** What the database keeps of a link token: a leaked table opens nothing. */
export function hashLinkToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function mac (key: Buffer, purpose: string, text: string): string {
  return createHmac('sha256', key).update(`${purpose}:${text}`).digest('base64url')
}

function sameText (given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** `body.mac` for a cookie: the fields as base64url JSON, signed for one purpose so that one kind cannot pass for another. */
function signFields (key: Buffer, purpose: string, fields: Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify(fields)).toString('base64url')
  return `${body}.${mac(key, purpose, body)}`
}

/** The fields of a value signFields made for this purpose; null for anything forged, tampered or malformed. */
function readSigned (key: Buffer, purpose: string, value: string | undefined): Record<string, unknown> | null {
  if (value === undefined) return null
  const [body, sig, ...rest] = value.split('.')
  if (body === undefined || sig === undefined || rest.length > 0 || !sameText(sig, mac(key, purpose, body))) return null
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
    return typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : null
  } catch {
    return null
  }
}

/** A dashboard cookie's Set-Cookie value: HttpOnly, SameSite=Lax, Secure behind https, only for the dashboard's paths. */
function dashboardCookie (name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${name}=${value}`, 'Path=/dashboard', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ')
}

export function signSession (key: Buffer, session: DashboardSession): string {
  return signFields(key, 'session', { v: 1, c: session.channelId, u: session.userId, a: session.systemAdmin ? 1 : 0, e: session.expiresAt.getTime() })
}

/** The session in a cookie value; null for anything expired, forged, tampered or malformed. */
export function verifySession (key: Buffer, value: string | undefined, now: Date): DashboardSession | null {
  const fields = readSigned(key, 'session', value)
  if (fields === null) return null
  const { v, c, u, a, e } = fields
  if (v !== 1 || typeof c !== 'string' || typeof u !== 'string' || (a !== 0 && a !== 1) || typeof e !== 'number') return null
  if (e <= now.getTime()) return null
  return { channelId: c, userId: u, systemAdmin: a === 1, expiresAt: new Date(e) }
}

/** The CSRF token of a session: forms carry it, and only a page of that session can know it. */
export function csrfToken (key: Buffer, cookieValue: string): string {
  return mac(key, 'csrf', cookieValue)
}

export function checkCsrf (key: Buffer, cookieValue: string, given: unknown): boolean {
  return typeof given === 'string' && sameText(given, csrfToken(key, cookieValue))
}

/** One cookie's value from a Cookie header (the dashboard sets one cookie; no parser library needed for that). */
export function readCookie (header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** The session's Set-Cookie value. */
export function sessionCookie (value: string, { secure, maxAgeMs }: { secure: boolean, maxAgeMs: number }): string {
  return dashboardCookie(SESSION_COOKIE, value, Math.floor(maxAgeMs / 1000), secure)
}

/** What a saved settings form says, carried across its redirect (POST, then 303 to the page) and shown once. */
export const FLASH_COOKIE = 'coffee_flash'
/** Long enough for the redirect; a flash that was never shown goes stale rather than surprising a later visit. */
export const FLASH_TTL_MS = 60 * 1000

export function signFlash (key: Buffer, flash: { channelId: string, lines: readonly string[], expiresAt: Date }): string {
  return signFields(key, 'flash', { c: flash.channelId, l: flash.lines, e: flash.expiresAt.getTime() })
}

/** The flash's lines for this channel's page; null for anything expired, for another channel, forged or malformed. */
export function verifyFlash (key: Buffer, value: string | undefined, channelId: string, now: Date): string[] | null {
  const fields = readSigned(key, 'flash', value)
  if (fields === null) return null
  const { c, l, e } = fields
  if (c !== channelId || typeof e !== 'number' || e <= now.getTime() || !Array.isArray(l) || !l.every((line) => typeof line === 'string')) return null
  return l as string[]
}

/** The flash's Set-Cookie value; an empty value with no age clears it once shown. */
export function flashCookie (value: string, { secure }: { secure: boolean }): string {
  return dashboardCookie(FLASH_COOKIE, value, value === '' ? 0 : Math.floor(FLASH_TTL_MS / 1000), secure)
}
