import { existsSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../../src/db/migrate.js'
import { createTestDatabase, silentLog, testServerUrl } from '../helpers/database.js'

const serverUrl = testServerUrl()
const needsPostgres = serverUrl === undefined ? 'set TEST_DATABASE_URL to run the Postgres-only cases' : false

t.test('embedded PGlite on disk keeps its data across close and reopen', async (t) => {
  const dataDir = path.join(t.testdir(), 'nested', 'data')
  const allMigrations = (await readMigrations(defaultMigrationsDir())).map((migration) => migration.name)

  const first = await openDatabase({ dataDir, log: silentLog })
  t.equal(first.kind, 'pglite')
  t.ok(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION')), 'the cluster lives in <dataDir>/pglite')
  t.same(await applyMigrations(first.sql, { log: silentLog }), allMigrations)
  await first.prisma.program.create({ data: { teamId: 'team1', channelId: 'chan1', channelName: 'coffee' } })
  await first.close()

  const second = await openDatabase({ dataDir, log: silentLog })
  t.teardown(() => second.close())
  t.same(await applyMigrations(second.sql, { log: silentLog }), [], 'migrations were kept too')
  t.match(await second.prisma.program.findMany(), [{ teamId: 'team1', channelId: 'chan1', channelName: 'coffee', mode: 'optin' }])
})

t.test('close is idempotent and really closes', async (t) => {
  const { db } = await createTestDatabase(t, { migrate: false })
  t.same(await db.sql.query('SELECT 1 AS one'), [{ one: 1 }])
  await Promise.all([db.close(), db.close()])
  await db.close()
  await t.rejects(db.sql.query('SELECT 1'), 'no queries after close')
})

t.test('the SQL port: parameters, multi-statement scripts, sessions', async (t) => {
  const { db, kind } = await createTestDatabase(t, { migrate: false })
  t.equal(kind, serverUrl === undefined ? 'pglite' : 'postgres')
  t.equal(db.kind, kind)

  await db.sql.exec('CREATE TABLE t (n int NOT NULL, s text); INSERT INTO t VALUES (1, \'a\'), (2, \'b\');')
  t.same(await db.sql.query('SELECT n, s FROM t WHERE n > $1 ORDER BY n', [1]), [{ n: 2, s: 'b' }])
  t.same(await db.sql.query('SELECT count(*)::int AS c FROM t'), [{ c: 2 }])
  await t.rejects(db.sql.exec('INSERT INTO t VALUES (3, \'c\'); INSERT INTO t VALUES (NULL, \'d\');'), /null value/)
  t.same(await db.sql.query('SELECT count(*)::int AS c FROM t'), [{ c: 2 }], 'a failing script is one implicit transaction')

  const pids = await db.sql.withSession(async (session) => {
    await session.exec('CREATE TEMP TABLE mine (x int); INSERT INTO mine VALUES (7);')
    const [a] = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    const rows = await session.query<{ x: number }>('SELECT x FROM mine')
    const [b] = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    t.same(rows, [{ x: 7 }], 'a temp table stays visible within the session')
    return [a?.pid, b?.pid]
  })
  t.equal(pids[0], pids[1], 'one connection for the whole session')

  t.same(await db.prisma.$queryRaw`SELECT 41 + 1 AS answer`, [{ answer: 42 }], 'Prisma shares the database')
})

t.test('Postgres: withSession holds one connection, and resets it when fn throws', { skip: needsPostgres }, async (t) => {
  const { db, url } = await createTestDatabase(t, { migrate: false })
  // Extra connections are closed in the test body: the database is dropped WITH (FORCE) at teardown.
  const other = new pg.Client({ connectionString: url })
  await other.connect()
  const tryLock = async (): Promise<boolean> => {
    const { rows } = await other.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(4242) AS locked')
    if (rows[0]?.locked === true) await other.query('SELECT pg_advisory_unlock(4242)')
    return rows[0]?.locked === true
  }
  try {
    await db.sql.withSession(async (session) => {
      await session.query('SELECT pg_advisory_lock(4242)')
      t.equal(await tryLock(), false, 'the session lock is held while fn runs')
      await session.query('SELECT pg_advisory_unlock(4242)')
    })
    t.equal(await tryLock(), true)

    await t.rejects(db.sql.withSession(async (session) => {
      await session.query('SELECT pg_advisory_lock(4242)')
      await session.exec('BEGIN; CREATE TEMP TABLE scratch (x int); CREATE TABLE half_done (x int);')
      throw new Error('boom')
    }), /boom/)
    // Had the connection gone back to the pool as it was, it would still hold the lock and the transaction.
    t.equal(await tryLock(), true, 'the failed session released its lock')
    t.same(await db.sql.query('SELECT to_regclass($1)::text AS found', ['half_done']), [{ found: null }], 'and rolled back its transaction')
    const advisoryLocks = 'SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = $1 AND d.datname = current_database()'
    t.same(await db.sql.query(advisoryLocks, ['advisory']), [{ n: 0 }], 'no connection holds an advisory lock on this database')
  } finally {
    await other.end()
  }
})

t.test('Postgres: two instances on one database', { skip: needsPostgres }, async (t) => {
  const { db, url } = await createTestDatabase(t)
  const second = await openDatabase({ databaseUrl: url, dataDir: 'unused', log: silentLog })
  try {
    t.equal(second.kind, 'postgres')
    await db.prisma.program.create({ data: { teamId: 'team1', channelId: 'chan2' } })
    t.equal(await second.prisma.program.count(), 1)
    t.ok(!existsSync('unused'), 'dataDir is not touched with a database URL')
  } finally {
    await second.close()
  }
})
