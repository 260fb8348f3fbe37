// Messages between bench/http.ts (the load generator) and bench/lib/http-server.ts (the server under test, a child
// process so that autocannon and the server do not share an event loop).

/** Parent -> child. */
export type ParentMessage =
  | { type: 'users' } // which users have joined (for /coffee status)
  | { type: 'close' } // close the server and the database, then exit

/** Child -> parent. */
export type ChildMessage =
  | { type: 'ready', port: number, database: 'postgres' | 'pglite' }
  | { type: 'users', userIds: string[] }
  | { type: 'closed' }
  | { type: 'error', message: string }

/** Where the child's database is: a Postgres URL, or empty for an in-memory PGlite. */
export const DATABASE_URL_ENV = 'BENCH_SERVER_DATABASE_URL'
