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

export function loggerOptions (level: LogLevel, { pretty = process.stdout.isTTY }: { pretty?: boolean } = {}): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {})
  }
}
