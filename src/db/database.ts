// Opens Coffee's database: Postgres through a pg.Pool when a URL is configured, otherwise an embedded Postgres
// (PGlite) stored under the data directory. Either way the rest of the service gets the same Prisma client plus a
// tiny raw-SQL port (SqlExecutor) used by the migrator.
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from '../generated/prisma/client.js'
import { DEFAULT_DATABASE_TIMEOUT_MS } from '../config.js'
import { lockDataDir } from './data-dir-lock.js'
import { startPglite } from './pglite.js'
import { withPreparedStatements } from './pglite-prepared.js'
import { preparedStatementNames } from './prepared.js'

/** The part of a pino (or Fastify) logger the database layer uses. */
export interface DbLog {
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
}

/** Raw SQL on one connection (or on whichever connection a pool hands out). */
export interface SqlSession {
  /** One statement, with $1… placeholders; returns the rows. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>
  /** A script of one or more statements, without parameters. */
  exec (script: string): Promise<void>
}

export interface SqlExecutor extends SqlSession {
  /**
   * Runs fn on one dedicated connection, so session state (advisory locks, an open transaction) stays with it.
   * If fn throws, the session is reset before the connection is reused (an open transaction rolled back, advisory
   * locks released, temp tables dropped), or the connection is closed if that fails.
   */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>
}

export type DatabaseKind = 'postgres' | 'pglite'

export interface Database {
  kind: DatabaseKind
  prisma: PrismaClient
  sql: SqlExecutor
  /** Disconnects Prisma and closes the pool or PGlite. Safe to call more than once. */
  close (): Promise<void>
}

/** Pass as dataDir to keep an embedded database in memory only (tests, scratch work). */
export const IN_MEMORY = ':memory:'

export interface OpenDatabaseOptions {
  /** postgres://… ; when absent, an embedded PGlite is used. */
  databaseUrl?: string | undefined
  /** Where the embedded database lives (in <dataDir>/pglite), or IN_MEMORY. Unused with databaseUrl. */
  dataDir: string
  log: DbLog
  /** Maximum pool size for Postgres (pg's default is 10). */
  poolMax?: number
  /** Postgres: how long the service waits to connect, or for one statement, before giving up on it. */
  timeoutMs?: number
  /** Where a new embedded database starts from (default: the one `npm run build` makes, see pglite.ts). */
  pgliteTemplate?: string
}

export async function openDatabase (options: OpenDatabaseOptions): Promise<Database> {
  const { databaseUrl, dataDir, log, timeoutMs = DEFAULT_DATABASE_TIMEOUT_MS } = options
  if (databaseUrl !== undefined && databaseUrl !== '') return openPostgres(databaseUrl, log, options.poolMax, timeoutMs)
  // PGlite runs in this process: no line to stall, so nothing to time out.
  return openPglite(dataDir, log, options.pgliteTemplate)
}

async function openPostgres (connectionString: string, log: DbLog, max: number | undefined, timeoutMs: number): Promise<Database> {
  // The service's statements are bounded, so a stalled line (a partition) fails a request instead of hanging it.
  // query_timeout is pg's own clock, not Postgres's statement_timeout: a silent server sends no error, and
  // statement_timeout as a startup parameter is refused by PgBouncer unless it is told to ignore it.
  const { pool, end } = createPool({
    connectionString,
    connectionTimeoutMillis: timeoutMs, // connecting, and waiting for a free connection when all are busy
    query_timeout: timeoutMs,
    ...(max === undefined ? {} : { max })
  }, log)
  // The migrator's statements are not: one waits, under Prisma's advisory lock, for another instance's migration.
  const { pool: unbounded, end: endUnbounded } = createPool({ connectionString, connectionTimeoutMillis: timeoutMs, max: 2 }, log)
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: preparedStatementNames() }) })
  return {
    kind: 'postgres',
    prisma,
    sql: poolExecutor(unbounded),
    close: once(async () => {
      try {
        await prisma.$disconnect()
      } finally {
        await Promise.all([end(), endUnbounded()])
      }
    })
  }
}

/**
 * A pg.Pool that logs (rather than crashes on) errors of idle connections, and an end() that resolves only once
 * every connection is closed: pg's own pool.end() resolves while the sockets are still closing.
 */
export function createPool (config: pg.PoolConfig, log: DbLog): { pool: pg.Pool, end: () => Promise<void> } {
  const pool = new pg.Pool(config)
  pool.on('error', (err) => { log.warn({ err }, 'idle Postgres connection failed') })
  // A statement that outlived query_timeout is still on the wire: pg rejects it but keeps the connection, and a
  // transaction's end hands that connection back as if it were healthy. Close it instead, or it stays wedged.
  pool.on('release', (error: Error | undefined, client) => {
    if (error === undefined && statementInFlight(client)) client.end().catch(() => {}) // it is going anyway
  })
  const open = new Map<pg.PoolClient, Promise<void>>()
  pool.on('connect', (client) => {
    open.set(client, new Promise((resolve) => {
      client.once('end', () => {
        open.delete(client)
        resolve()
      })
    }))
  })
  return {
    pool,
    end: once(async () => {
      await pool.end()
      await Promise.all(open.values())
    })
  }
}

/** pg has no public word for it: the connection still waits for a statement's answer. */
function statementInFlight (client: pg.PoolClient): boolean {
  return Reflect.get(client, '_activeQuery') != null
}

async function openPglite (dataDir: string, log: DbLog, template: string | undefined): Promise<Database> {
  if (dataDir === IN_MEMORY) return databaseFromPglite(await startPglite({ template, log }))
  const dir = path.resolve(dataDir, 'pglite')
  const lock = await lockDataDir(dataDir, log) // one process per data directory: a second one would corrupt it
  log.info({ dir }, 'using the embedded database (PGlite)')
  const pglite = await startPglite({ dir, template, log }).catch((error: unknown) => { lock.release(); throw error })
  return databaseFromPglite(pglite, lock.release)
}

/**
 * Wraps an open PGlite (which the returned close() will close), e.g. one restored from a snapshot in tests.
 * afterClose runs once PGlite has closed (openPglite releases the data directory's lock there).
 */
export function databaseFromPglite (pglite: PGlite, afterClose?: () => void): Database {
  // Prisma's statements run prepared, as they do on Postgres (pglite-prepared.ts).
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(withPreparedStatements(pglite)) })
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteExecutor(pglite),
    close: once(async () => {
      try {
        await prisma.$disconnect()
      } finally {
        if (!pglite.closed) await pglite.close()
        afterClose?.() // not if close failed: the lock is then released when the process exits
      }
    })
  }
}

/** A SqlExecutor over a pg.Pool: query/exec use any pooled connection, withSession checks one out. */
export function poolExecutor (pool: pg.Pool): SqlExecutor {
  return {
    ...clientSession(pool),
    async withSession (fn) {
      const client = await pool.connect()
      try {
        const result = await fn(clientSession(client))
        client.release()
        return result
      } catch (error) {
        try {
          // DISCARD ALL also releases session advisory locks and drops temp tables; it cannot run in a transaction.
          await client.query('ROLLBACK')
          await client.query('DISCARD ALL')
          client.release()
        } catch {
          client.release(true) // broken: close it instead
        }
        throw error
      }
    }
  }
}

function clientSession (client: pg.Pool | pg.PoolClient): SqlSession {
  return {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const result = await client.query(text, [...params])
      return result.rows as T[]
    },
    async exec (script) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await client.query(script)
    }
  }
}

/**
 * A SqlExecutor over PGlite. PGlite is a single connection, so every call already shares one session and
 * withSession just runs fn on it.
 */
export function pgliteExecutor (pglite: PGlite): SqlExecutor {
  const session: SqlSession = {
    async query<T>(text: string, params: readonly unknown[] = []) {
      const result = await pglite.query<T>(text, [...params])
      return result.rows
    },
    async exec (script) {
      await pglite.exec(script)
    }
  }
  return { ...session, withSession: (fn) => fn(session) }
}

function once (fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= fn())
}
