// Telling an outage from a bug: a database that did not answer is reported as such (a 503, a "try again"), while a
// statement that was wrong stays a 500 that is looked into.

// pg's own words for a line that failed (it has no codes for these), and Prisma's codes for the same.
const PG_LINE_FAILURES = /^(Query read timeout|Connection terminated|timeout exceeded when trying to connect)/
const NODE_LINE_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
// P1001 cannot reach, P1002/P1008 timed out, P1017 connection closed, P2024 no free connection, P2028 transaction expired
const PRISMA_LINE_FAILURES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028'])

/**
 * Whether an error says the database did not answer (refused, reset, stalled past its timeout), rather than that a
 * statement was wrong: the first is an outage to report as such, the second a bug.
 */
export function isDatabaseUnreachable (error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = Reflect.get(cause, 'code')
    if (typeof code === 'string' && (NODE_LINE_FAILURES.has(code) || PRISMA_LINE_FAILURES.has(code))) return true
    if (cause.name === 'PrismaClientInitializationError' || PG_LINE_FAILURES.test(cause.message)) return true
  }
  return false
}
