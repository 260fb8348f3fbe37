// Names for server-side prepared statements on Postgres.
//
// Without a name, every statement Prisma sends through pg is parsed and planned again by Postgres; for Coffee's
// small hot statements (a slash command is one or two of them) planning costs more than running. pg keeps a named
// statement prepared on each connection of the pool, and Postgres switches to a cached plan after a few runs.
// The name is derived from the SQL text, so the same text always gets the same name on every connection.
//
// The number of distinct names is capped: statements whose text varies with their input (a multi-row VALUES list)
// would otherwise fill every connection with statements that run once. Past the cap, statements stay unnamed.
import { createHash } from 'node:crypto'

/** Distinct statements kept prepared per process (each connection prepares those it runs). */
export const PREPARED_STATEMENT_LIMIT = 200

/**
 * A statementNameGenerator for @prisma/adapter-pg: `coffee_<hash of the text>`, or '' (pg's unnamed statement)
 * once `limit` distinct texts have been named.
 */
export function preparedStatementNames (limit = PREPARED_STATEMENT_LIMIT): (query: { sql: string }) => string {
  const names = new Map<string, string>()
  return ({ sql }) => {
    const known = names.get(sql)
    if (known !== undefined) return known
    if (names.size >= limit) return ''
    const name = `coffee_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`
    names.set(sql, name)
    return name
  }
}
