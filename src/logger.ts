import type { LoggerOptions } from 'pino'
import type { LogLevel } from './config.js'

/** Paths pino must never print: tokens arrive in headers, form fields and JSON bodies. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'adminToken',
  '*.adminToken',
  'actionsSecret',
  '*.actionsSecret',
  'databaseUrl',
  '*.databaseUrl'
]

/** Slash commands sent by GET carry their token in the query string: keep it out of logged URLs. */
export function redactQuery (url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]')
}

interface LoggedRequest { method?: string, url?: string, hostname?: string, ip?: string, socket?: { remotePort?: number } }

export function loggerOptions (level: LogLevel, { pretty = process.stdout.isTTY }: { pretty?: boolean } = {}): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: redactQuery(req.url ?? ''), host: req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort })
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {})
  }
}
