// Applies prisma/migrations/<timestamp>_<name>/migration.sql at start, keeping the books in Prisma's own
// _prisma_migrations table so that `prisma migrate deploy` and the service agree on what is applied, in either
// order. Concurrent starts are serialised with the advisory lock Prisma Migrate itself takes.
import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DbLog, SqlExecutor, SqlSession } from './database.js'
import { packageRoot } from './paths.js'

/** The key of the session advisory lock Prisma Migrate holds while it works ("72707369 … identifies Migrate"). */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369

/** Prisma's DDL for its bookkeeping table on PostgreSQL, column for column. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`

export type MigrationErrorKind =
  | 'layout' // the migrations directory is missing or malformed
  | 'lock' // another process held the migration lock for too long
  | 'failed' // a migration failed earlier and was never resolved
  | 'edited' // an applied migration's file has changed
  | 'apply' // a migration failed now (and was rolled back)

export class MigrationError extends Error {
  override name = 'MigrationError'
  constructor (
    readonly kind: MigrationErrorKind,
    message: string,
    /** The migrations concerned, if any. */
    readonly migrations: readonly string[] = [],
    options?: ErrorOptions
  ) {
    super(message, options)
  }
}

export interface ApplyMigrationsOptions {
  /** Defaults to <package root>/prisma/migrations. */
  migrationsDir?: string
  log: DbLog
  /** How long to wait for another process holding the migration lock. Default 5 minutes. */
  lockTimeoutMs?: number
}

export interface MigrationFile {
  /** The directory name, e.g. 20261122180000_init. */
  name: string
  script: string
  /** sha256 of migration.sql, hex, as Prisma stores it. */
  checksum: string
}

/** A row of Prisma's _prisma_migrations table. */
export interface MigrationRow {
  id: string
  checksum: string
  finished_at: Date | null
  migration_name: string
  logs: string | null
  rolled_back_at: Date | null
  started_at: Date
  applied_steps_count: number
}

/**
 * Applies the pending migrations in name order, each in its own transaction, and returns the names applied
 * (empty when the database was up to date). Throws a MigrationError, without applying anything, when a migration
 * failed earlier and was not resolved, or when an applied migration's file no longer matches its checksum.
 */
export async function applyMigrations (sql: SqlExecutor, options: ApplyMigrationsOptions): Promise<string[]> {
  const { log, lockTimeoutMs = 5 * 60_000 } = options
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir()
  const migrations = await readMigrations(migrationsDir)

  return sql.withSession(async (session) => {
    await acquireLock(session, lockTimeoutMs, log)
    try {
      await session.exec(CREATE_MIGRATIONS_TABLE)
      const rows = await session.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name')
      checkHistory(rows, migrations)

      const applied = new Set(rows.filter((row) => row.rolled_back_at === null).map((row) => row.migration_name))
      const known = new Set(migrations.map((migration) => migration.name))
      const unknown = [...applied].filter((name) => !known.has(name))
      if (unknown.length > 0) {
        log.warn({ migrations: unknown, migrationsDir }, 'the database has migrations this version of Coffee does not know (is a newer version running?)')
      }

      const done: string[] = []
      for (const migration of migrations) {
        if (applied.has(migration.name)) continue
        await applyOne(session, migration, log)
        done.push(migration.name)
      }
      return done
    } finally {
      // If this fails the connection is discarded (withSession), which releases the lock as well.
      await session.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK_KEY})`)
    }
  })
}

/** Reads <dir>/*\/migration.sql in name order. */
export async function readMigrations (dir: string): Promise<MigrationFile[]> {
  if (!existsSync(dir)) throw new MigrationError('layout', `migrations directory not found: ${dir}`)
  const lockfile = path.join(dir, 'migration_lock.toml')
  if (existsSync(lockfile)) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(await readFile(lockfile, 'utf8'))?.[1]
    if (provider !== 'postgresql') {
      throw new MigrationError('layout', `${lockfile} says provider = "${provider ?? '?'}"; Coffee's migrations must be for "postgresql"`)
    }
  }
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
  const migrations: MigrationFile[] = []
  for (const name of names) {
    const file = path.join(dir, name, 'migration.sql')
    if (!existsSync(file)) throw new MigrationError('layout', `migration directory ${name} has no migration.sql (in ${dir})`, [name])
    const bytes = await readFile(file)
    migrations.push({ name, script: bytes.toString('utf8'), checksum: sha256(bytes).toString('hex') })
  }
  return migrations
}

/**
 * Whether a script matches a checksum stored by Prisma, with Prisma's leniency: line endings may have been
 * converted (git on Windows), and very old Prisma versions stored hex bytes without zero padding.
 */
export function checksumMatches (script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')]
  return variants.some((variant) => {
    const digest = sha256(Buffer.from(variant, 'utf8'))
    const rendered = checksum.length === 64 ? digest.toString('hex') : [...digest].map((byte) => byte.toString(16)).join('')
    return rendered === checksum
  })
}

/** <package root>/prisma/migrations, found from this file whether it runs from src/ (tsx) or dist/ (tsc). */
export function defaultMigrationsDir (): string {
  const root = packageRoot()
  if (root === undefined) throw new MigrationError('layout', `no package.json above ${fileURLToPath(import.meta.url)}; pass migrationsDir`)
  return path.join(root, 'prisma', 'migrations')
}

async function acquireLock (session: SqlSession, timeoutMs: number, log: DbLog): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let announced = false
  for (;;) {
    const [row] = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY}) AS locked`)
    if (row?.locked === true) return
    if (Date.now() >= deadline) {
      throw new MigrationError('lock', `could not take the migration lock (Postgres advisory lock ${PRISMA_MIGRATE_LOCK_KEY}) within ${timeoutMs} ms: ` +
        'another Coffee instance or `prisma migrate` is holding it; if that process is gone, end its session (pg_stat_activity)')
    }
    if (!announced) {
      log.info({ lockKey: PRISMA_MIGRATE_LOCK_KEY }, 'waiting for another process to finish migrating the database')
      announced = true
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))))
  }
}

function checkHistory (rows: readonly MigrationRow[], migrations: readonly MigrationFile[]): void {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null)
  if (failed.length > 0) {
    const details = failed.map((row) => `  - ${row.migration_name} (started ${row.started_at.toISOString()})` +
      (row.logs === null || row.logs === '' ? '' : `: ${firstLine(row.logs)}`)).join('\n')
    throw new MigrationError('failed',
      `the database has ${failed.length === 1 ? 'a migration that' : 'migrations that'} failed and ${failed.length === 1 ? 'was' : 'were'} never resolved; ` +
      `no migrations will be applied until it is:\n${details}\n` +
      'Inspect the database, then undo the partial changes and run `npx prisma migrate resolve --rolled-back <name>`, ' +
      'or finish them by hand and run `npx prisma migrate resolve --applied <name>`.',
      failed.map((row) => row.migration_name))
  }

  const files = new Map(migrations.map((migration) => [migration.name, migration]))
  const edited = rows.filter((row) => {
    if (row.rolled_back_at !== null) return false
    const file = files.get(row.migration_name)
    return file !== undefined && !checksumMatches(file.script, row.checksum)
  })
  if (edited.length > 0) {
    const details = edited.map((row) => `  - ${row.migration_name}: applied with checksum ${row.checksum}, ` +
      `the file now has ${files.get(row.migration_name)?.checksum ?? '?'}`).join('\n')
    throw new MigrationError('edited',
      `migration.sql of ${edited.length === 1 ? 'a migration' : 'migrations'} already applied to this database changed afterwards:\n${details}\n` +
      'Restore the original file(s) (see git history); put schema changes in a new migration (npm run db:migration -- <name>).',
      edited.map((row) => row.migration_name))
  }
}

async function applyOne (session: SqlSession, migration: MigrationFile, log: DbLog): Promise<void> {
  const started = Date.now()
  const id = randomUUID()
  log.info({ migration: migration.name }, 'applying database migration')
  try {
    await session.exec('BEGIN')
    await session.query(
      'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name])
    await session.exec(migration.script)
    await session.query('UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1', [id])
    await session.exec('COMMIT')
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => {})
    const reason = describeError(error)
    // Keep an audit row, marked rolled back: the transaction undid everything, so Prisma (and we) may retry it.
    await session.query(
      'INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, rolled_back_at, applied_steps_count) ' +
      'VALUES ($1, $2, $3, $4, now(), now(), 0)',
      [id, migration.checksum, migration.name, reason]).catch(() => {})
    throw new MigrationError('apply', `migration ${migration.name} failed and was rolled back: ${reason}`, [migration.name], { cause: error })
  }
  log.info({ migration: migration.name, ms: Date.now() - started }, 'applied database migration')
}

function describeError (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const extra = error as Error & { code?: unknown, detail?: unknown, hint?: unknown, position?: unknown }
  const parts = [error.message]
  if (typeof extra.code === 'string') parts.push(`(SQLSTATE ${extra.code})`)
  if (typeof extra.detail === 'string' && extra.detail !== '') parts.push(`detail: ${extra.detail}`)
  if (typeof extra.hint === 'string' && extra.hint !== '') parts.push(`hint: ${extra.hint}`)
  if (extra.position !== undefined && extra.position !== null && extra.position !== '') parts.push(`at character ${String(extra.position)}`)
  return parts.join(' ')
}

function firstLine (text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

function sha256 (data: Buffer): Buffer {
  return createHash('sha256').update(data).digest()
}
