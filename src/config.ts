// The only place the environment becomes configuration. Validated once, frozen, typed; every problem is reported
// at once so an admin fixes the whole .env in one go.
import path from 'node:path'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

export interface MattermostConfig {
  /** Base URL of the Mattermost server, without a trailing slash. */
  url: string
  botToken: string
}

export interface Config {
  port: number
  host: string
  /** Postgres connection string; undefined means embedded PGlite in dataDir. */
  databaseUrl: string | undefined
  dataDir: string
  /** Bot access to the REST API, or undefined when MATTERMOST_URL or MATTERMOST_BOT_TOKEN is missing. */
  mattermost: MattermostConfig | undefined
  /** Accepted slash command tokens (one per /coffee command, e.g. one per team). Empty: commands are refused. */
  slashTokens: readonly string[]
  /** How Mattermost reaches this service (button callbacks). Without a trailing slash. */
  publicUrl: string | undefined
  /** Bearer token for /rounds and the admin API. Undefined: those endpoints are closed. */
  adminToken: string | undefined
  /** HMAC key for button contexts. */
  actionsSecret: string | undefined
  logLevel: LogLevel
  /** Trust X-Forwarded-* headers (behind a load balancer). */
  trustProxy: boolean
  /** Parallel Mattermost requests while delivering a round. */
  deliveryConcurrency: number
  /** Requests per minute per person (per address when no person is named) on /coffee and /actions; 0: no limit. */
  rateLimitPerMinute: number
  /** How long a slash command may take before the person is told to try again (a stalled database). */
  commandTimeoutMs: number
  /** Postgres: how long connecting, or one statement, may take before Coffee gives up on it (a stalled line). */
  databaseTimeoutMs: number
}

/** DATABASE_TIMEOUT_MS's default: far above a healthy statement, and a scheduler or an admin script waits no longer. */
export const DEFAULT_DATABASE_TIMEOUT_MS = 5000

export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor (problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

type Env = Readonly<Record<string, string | undefined>>

export function loadConfig (env: Env, { cwd = process.cwd() }: { cwd?: string } = {}): Config {
  const problems: string[] = []
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`)
      return fallback
    }
    return value
  }
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = str(name)
    if (raw === undefined) return undefined
    try {
      const parsed = new URL(raw)
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redactUrl(raw)}")`)
        return undefined
      }
      return raw.replace(/\/+$/, '')
    } catch {
      problems.push(`${name} is not a valid URL (got "${redactUrl(raw)}")`)
      return undefined
    }
  }
  const bool = (name: string): boolean => {
    const raw = str(name)?.toLowerCase()
    if (raw === undefined) return false
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true
    if (['0', 'false', 'no', 'off'].includes(raw)) return false
    problems.push(`${name} must be true or false (got "${raw}")`)
    return false
  }

  const port = int('PORT', 3000, 0, 65535)
  const host = str('HOST') ?? '0.0.0.0'
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'])
  const dataDir = path.resolve(cwd, str('DATA_DIR') ?? 'data')
  const mattermostUrl = url('MATTERMOST_URL', ['http:', 'https:'])
  const botToken = str('MATTERMOST_BOT_TOKEN')
  const slashTokens = (str('MATTERMOST_SLASH_TOKEN') ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '')
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:'])
  const adminToken = str('ADMIN_TOKEN')
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters (try: openssl rand -hex 32)')
  }
  const actionsSecret = str('ACTIONS_SECRET')
  if (actionsSecret !== undefined && actionsSecret.length < 16) {
    problems.push('ACTIONS_SECRET must be at least 16 characters (try: openssl rand -hex 32)')
  }
  const logLevelRaw = (str('LOG_LEVEL') ?? 'info').toLowerCase()
  let logLevel: LogLevel = 'info'
  if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as LogLevel
  else problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevelRaw}")`)
  const trustProxy = bool('TRUST_PROXY')
  const deliveryConcurrency = int('DELIVERY_CONCURRENCY', 8, 1, 64)
  const rateLimitPerMinute = int('RATE_LIMIT_PER_MINUTE', 120, 0, 1_000_000)
  const commandTimeoutMs = int('COMMAND_TIMEOUT_MS', 3000, 500, 60_000)
  const databaseTimeoutMs = int('DATABASE_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUT_MS, 500, 600_000)

  if (problems.length > 0) throw new ConfigError(problems)

  return Object.freeze({
    port,
    host,
    databaseUrl,
    dataDir,
    mattermost: mattermostUrl !== undefined && botToken !== undefined ? Object.freeze({ url: mattermostUrl, botToken }) : undefined,
    slashTokens: Object.freeze(slashTokens),
    publicUrl,
    adminToken,
    actionsSecret,
    logLevel,
    trustProxy,
    deliveryConcurrency,
    rateLimitPerMinute,
    commandTimeoutMs,
    databaseTimeoutMs
  })
}

/** What is missing for each feature, in words an admin can act on. Empty when everything is set. */
export function missingSettings (config: Config): string[] {
  const missing: string[] = []
  if (config.mattermost === undefined) missing.push('MATTERMOST_URL and MATTERMOST_BOT_TOKEN (the bot that posts introductions)')
  if (config.slashTokens.length === 0) missing.push('MATTERMOST_SLASH_TOKEN (the token of the /coffee slash command)')
  if (config.publicUrl === undefined) missing.push('PUBLIC_URL (how Mattermost reaches Coffee, for the follow-up buttons)')
  if (config.adminToken === undefined) missing.push('ADMIN_TOKEN (protects POST /rounds and the admin API)')
  return missing
}

function redactUrl (raw: string): string {
  return raw.replace(/\/\/([^@/]*)@/, '//***@')
}
