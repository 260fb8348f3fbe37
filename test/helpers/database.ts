// A fresh database per tap test: in-memory PGlite by default, or a throwaway database on the Postgres server named
// by TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test), dropped when the test ends.
//
// Starting PGlite from scratch (initdb) takes a couple of seconds; restoring a snapshot of its data directory takes
// a few hundred milliseconds. So PGlite databases are restored from snapshots (empty, or with the migrations applied)
// cached in this process and in the OS temp dir, keyed by the PGlite version and the migrations' checksums.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import type { Test } from 'tap'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'
import { createPool, databaseFromPglite, IN_MEMORY, openDatabase, pgliteExecutor, poolExecutor, type Database, type DatabaseKind, type DbLog, type SqlExecutor } from '../../src/db/database.js'
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../../src/db/migrate.js'

export const silentLog: DbLog = { info () {}, warn () {} }

/** The Postgres server tests should use, or undefined for PGlite. */
export function testServerUrl (): string | undefined {
  const url = process.env.TEST_DATABASE_URL
  return url === undefined || url === '' ? undefined : url
}

export interface TestDatabase {
  db: Database
  /** Postgres only: the database's URL, to open a second instance on it. */
  url?: string
  kind: DatabaseKind
}

export interface TestDatabaseOptions {
  /** Apply prisma/migrations (default true). */
  migrate?: boolean
}

/**
 * A fresh database, migrated unless migrate: false, closed (and on Postgres dropped WITH (FORCE)) at teardown.
 * Close extra connections you open to it (a second openDatabase on url, a pg.Client) before that: in the test body,
 * or in a t.teardown registered after this call (tap runs teardowns last in, first out).
 */
export async function createTestDatabase (t: Test, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const { migrate = true } = options
  const serverUrl = testServerUrl()
  if (serverUrl === undefined) {
    const db = databaseFromPglite(await PGlite.create({ loadDataDir: await pgliteSnapshot(migrate) }))
    t.teardown(() => db.close())
    return { db, kind: 'pglite' }
  }
  const { url, drop } = await createServerDatabase(serverUrl)
  const db = await openDatabase({ databaseUrl: url, dataDir: IN_MEMORY, log: silentLog, poolMax: 5 })
  t.teardown(async () => {
    try {
      await db.close()
    } finally {
      await drop()
    }
  })
  if (migrate) await applyMigrations(db.sql, { log: silentLog })
  return { db, url, kind: 'postgres' }
}

/**
 * Fills `dataDir` with a migrated PGlite database (restored from the cached snapshot, so no initdb), laid out as the
 * service expects it (<DATA_DIR>/pglite): for tests that start the service as a process with DATA_DIR=dataDir.
 */
export async function createPgliteDataDir (dataDir: string): Promise<void> {
  const pglite = await PGlite.create({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: await pgliteSnapshot(true) })
  await pglite.close()
}

export interface RawTestDatabase {
  kind: DatabaseKind
  sql: SqlExecutor
  /** A driver adapter on the same database, for Prisma's schema engine (scripts/schema-engine.ts). */
  adapter: SqlMigrationAwareDriverAdapterFactory
  url?: string
}

/**
 * An empty database without Prisma Client and without migrations, for migrator and schema-engine tests.
 * pglite: true gives PGlite even with TEST_DATABASE_URL (the schema engine cannot introspect through
 * @prisma/adapter-pg 7.10: "Column type 'char' could not be deserialized").
 */
export async function createRawTestDatabase (t: Test, options: { pglite?: boolean } = {}): Promise<RawTestDatabase> {
  const serverUrl = options.pglite === true ? undefined : testServerUrl()
  if (serverUrl === undefined) {
    const pglite = await PGlite.create({ loadDataDir: await pgliteSnapshot(false) })
    t.teardown(() => pglite.close())
    return { kind: 'pglite', sql: pgliteExecutor(pglite), adapter: new PrismaPGlite(pglite) }
  }
  const { url, drop } = await createServerDatabase(serverUrl)
  const { pool, end } = createPool({ connectionString: url, max: 5 }, silentLog)
  t.teardown(async () => {
    try {
      await end()
    } finally {
      await drop()
    }
  })
  return { kind: 'postgres', sql: poolExecutor(pool), adapter: wholeScripts(new PrismaPg(pool)), url }
}

/**
 * @prisma/adapter-pg 7.10 runs a migration script by splitting it at every ";", which cuts dollar-quoted function
 * bodies apart. Prisma's schema engine binary, which `prisma migrate deploy` runs, sends a script whole (one simple
 * query), and so does Coffee's migrator: this factory makes the adapter's connections do the same.
 */
function wholeScripts (factory: PrismaPg): SqlMigrationAwareDriverAdapterFactory {
  const patch = <A extends SqlDriverAdapter>(adapter: A): A => {
    const client = (adapter as unknown as { client: pg.Pool | pg.Client }).client
    adapter.executeScript = async (script) => { await client.query(script) }
    return adapter
  }
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb())
  }
}

export async function createServerDatabase (serverUrl: string): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `coffee_t_${randomBytes(6).toString('hex')}`
  await admin(serverUrl, `CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

async function admin (serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

const snapshots = new Map<boolean, Promise<Blob>>()

/** A dump of a PGlite data directory, empty or with all migrations applied. */
function pgliteSnapshot (migrated: boolean): Promise<Blob> {
  let snapshot = snapshots.get(migrated)
  if (snapshot === undefined) {
    snapshot = loadOrMakeSnapshot(migrated)
    snapshots.set(migrated, snapshot)
  }
  return snapshot
}

async function loadOrMakeSnapshot (migrated: boolean): Promise<Blob> {
  const migrations = migrated ? await readMigrations(defaultMigrationsDir()) : []
  const key = createHash('sha256').update(JSON.stringify([pgliteVersion(), migrations.map((m) => [m.name, m.checksum])])).digest('hex').slice(0, 16)
  const prefix = migrated ? 'migrated-' : 'empty-'
  const dir = path.join(os.tmpdir(), 'coffee-test-pglite')
  const file = path.join(dir, `${prefix}${key}.tar`)
  try {
    if (existsSync(file)) return new Blob([readFileSync(file)])
  } catch {} // a concurrent cleanup; make a new one

  const pglite = await PGlite.create()
  try {
    if (migrated) await applyMigrations(pgliteExecutor(pglite), { log: silentLog })
    const snapshot = await pglite.dumpDataDir('none')
    try {
      mkdirSync(dir, { recursive: true })
      for (const old of readdirSync(dir)) if (old.startsWith(prefix)) rmSync(path.join(dir, old), { force: true })
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, Buffer.from(await snapshot.arrayBuffer()))
      renameSync(temporary, file) // atomic: readers never see half a file
    } catch {} // the cache is only an optimisation
    return snapshot
  } finally {
    await pglite.close()
  }
}

function pgliteVersion (): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}

/** Why a test that cuts the line to Postgres is skipped on PGlite (which runs in-process: there is no line). */
export const NEEDS_POSTGRES = testServerUrl() === undefined ? 'needs Postgres (TEST_DATABASE_URL) behind a TCP proxy' : false

/** A fresh Postgres test database reached through a TCP proxy the test can cut (Postgres runs only). */
export async function createDatabaseBehindProxy (t: Test, { poolMax = 3, timeoutMs }: { poolMax?: number, timeoutMs?: number } = {}): Promise<{ db: Database, proxy: TcpProxy }> {
  const { url } = await createTestDatabase(t)
  if (url === undefined) throw new Error('createDatabaseBehindProxy needs TEST_DATABASE_URL')
  const target = new URL(url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  t.teardown(() => proxy.close())
  const db = await openDatabase({ databaseUrl: proxy.urlFor(url), dataDir: IN_MEMORY, log: silentLog, poolMax, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
  t.teardown(() => db.close())
  return { db, proxy }
}
