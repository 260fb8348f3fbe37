// Messages between bench/http.ts (the load generator) and bench/lib/http-server.ts (the server under test, a child
// process so that autocannon and the server do not share an event loop).

/** Parent -> child. */
export type ParentMessage =
  | { type: 'users' } // which users have joined (for /coffee status), and how many baseline rows exist
  | { type: 'cpu' } // the server process's CPU time so far
  | { type: 'close' } // close the servers and the database, then exit

/** Child -> parent. */
export type ChildMessage =
  | { type: 'ready', coffeePort: number, baselinePort: number, database: 'postgres' | 'pglite' }
  | { type: 'users', userIds: string[], baselineRows: number }
  | { type: 'cpu', micros: number } // user + system, from process.cpuUsage()
  | { type: 'closed' }
  | { type: 'error', message: string }

/** Where the child's database is: a Postgres URL, or empty for an in-memory PGlite. */
export const DATABASE_URL_ENV = 'BENCH_SERVER_DATABASE_URL'

/** The scratch table the baseline route inserts into (one row per request, like a join). */
export const BASELINE_TABLE = 'bench_baseline'
