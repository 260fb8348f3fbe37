import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createPool, poolExecutor, type DbLog, type SqlExecutor } from '../../src/db/database.js'
import { applyMigrations, checksumMatches, defaultMigrationsDir, MigrationError, PRISMA_MIGRATE_LOCK_KEY, readMigrations, type MigrationRow } from '../../src/db/migrate.js'
import { migrationsList, readSchema, withSchemaEngine } from '../../scripts/schema-engine.js'
import { createRawTestDatabase, silentLog, testServerUrl } from '../helpers/database.js'

const needsPostgres = testServerUrl() === undefined ? 'set TEST_DATABASE_URL to run the Postgres-only cases' : false
const repoMigrations = path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations')
const filters = { externalTables: [], externalEnums: [] }

type Row = MigrationRow

const rows = (sql: SqlExecutor): Promise<Row[]> => sql.query<Row>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name')
const tableExists = async (sql: SqlExecutor, name: string): Promise<boolean> =>
  (await sql.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [`"${name}"`]))[0]?.found !== null

function capturingLog (): DbLog & { messages: string[] } {
  const messages: string[] = []
  return { messages, info (_obj, msg) { messages.push(msg ?? '') }, warn (_obj, msg) { messages.push(msg ?? '') } }
}

/** A migrations directory from { name: sql } (one per test: t.testdir() is per test). */
function migrationsDir (t: Test, migrations: Record<string, string>): string {
  const dir = t.testdir()
  for (const [name, sql] of Object.entries(migrations)) addMigration(dir, name, sql)
  return dir
}

function addMigration (dir: string, name: string, sql: string): void {
  mkdirSync(path.join(dir, name), { recursive: true })
  writeFileSync(path.join(dir, name, 'migration.sql'), sql)
}

t.test('the default migrations directory is the repository\'s prisma/migrations', async (t) => {
  t.equal(defaultMigrationsDir(), repoMigrations)
  const migrations = await readMigrations(repoMigrations)
  t.ok(migrations.length > 0)
  t.match(migrations[0]?.name, /^\d{14}_init$/)
})

t.test('a fresh database gets every migration once, booked exactly as Prisma books them', async (t) => {
  const { sql } = await createRawTestDatabase(t)
  const log = capturingLog()
  const names = (await readMigrations(repoMigrations)).map((migration) => migration.name)

  t.same(await applyMigrations(sql, { log }), names)
  t.ok(await tableExists(sql, 'Program'), 'the schema exists')
  t.ok(log.messages.includes('applied database migration'))
  t.same(await applyMigrations(sql, { log }), [], 'a second run applies nothing')

  const columns = await sql.query(`
    SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
    FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`)
  t.same(columns, [
    { column_name: 'id', data_type: 'character varying', length: 36, is_nullable: 'NO', column_default: null },
    { column_name: 'checksum', data_type: 'character varying', length: 64, is_nullable: 'NO', column_default: null },
    { column_name: 'finished_at', data_type: 'timestamp with time zone', length: null, is_nullable: 'YES', column_default: null },
    { column_name: 'migration_name', data_type: 'character varying', length: 255, is_nullable: 'NO', column_default: null },
    { column_name: 'logs', data_type: 'text', length: null, is_nullable: 'YES', column_default: null },
    { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', length: null, is_nullable: 'YES', column_default: null },
    { column_name: 'started_at', data_type: 'timestamp with time zone', length: null, is_nullable: 'NO', column_default: 'now()' },
    { column_name: 'applied_steps_count', data_type: 'integer', length: null, is_nullable: 'NO', column_default: '0' }
  ])
  // (contype n: Postgres 18, inside PGlite, lists NOT NULL constraints too)
  const constraints = await sql.query('SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype <> $2',
    ['_prisma_migrations', 'n'])
  t.same(constraints, [{ conname: '_prisma_migrations_pkey', def: 'PRIMARY KEY (id)' }])

  const booked = await rows(sql)
  t.same(booked.map((row) => row.migration_name), names)
  for (const row of booked) {
    const file = readFileSync(path.join(repoMigrations, row.migration_name, 'migration.sql'))
    t.equal(row.checksum, createHash('sha256').update(file).digest('hex'), `${row.migration_name}: checksum is sha256 of the file`)
    t.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    t.ok(row.finished_at instanceof Date && row.finished_at >= row.started_at, 'finished after it started')
    t.equal(row.logs, null)
    t.equal(row.rolled_back_at, null)
    t.equal(row.applied_steps_count, 1)
  }
})

t.test('Prisma Migrate (its schema engine) and the service agree, in either order', async (t) => {
  t.test('service first, then Prisma', async (t) => {
    const { sql, adapter } = await createRawTestDatabase(t)
    await applyMigrations(sql, { log: silentLog })
    await withSchemaEngine(adapter, readSchema(), async (engine) => {
      const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList: migrationsList(repoMigrations), optInToShadowDatabase: false, filters })
      t.same(diagnosis, { editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null })
      t.same(await engine.applyMigrations({ migrationsList: migrationsList(repoMigrations), filters }), { appliedMigrationNames: [] },
        '`prisma migrate deploy` finds nothing to do')
    })
  })

  t.test('Prisma first, then the service', async (t) => {
    const { sql, adapter } = await createRawTestDatabase(t)
    const names = (await readMigrations(repoMigrations)).map((migration) => migration.name)
    const deployed = await withSchemaEngine(adapter, readSchema(), (engine) => engine.applyMigrations({ migrationsList: migrationsList(repoMigrations), filters }))
    t.same(deployed.appliedMigrationNames, names)
    t.same(await applyMigrations(sql, { log: silentLog }), [], 'the service finds nothing to do and accepts Prisma\'s checksums')
  })
})

t.test('an applied migration whose file changed stops the start, naming it', async (t) => {
  const { sql } = await createRawTestDatabase(t)
  const dir = migrationsDir(t, {
    '20260101000000_one': 'CREATE TABLE one (id int);\nCREATE TABLE one_more (id int);\n',
    '20260102000000_two': 'CREATE TABLE two (id int);\n'
  })
  t.same(await applyMigrations(sql, { migrationsDir: dir, log: silentLog }), ['20260101000000_one', '20260102000000_two'])

  writeFileSync(path.join(dir, '20260101000000_one', 'migration.sql'), 'CREATE TABLE one (id int);\r\nCREATE TABLE one_more (id int);\r\n')
  t.same(await applyMigrations(sql, { migrationsDir: dir, log: silentLog }), [], 'converted line endings are not a change (as in Prisma)')

  writeFileSync(path.join(dir, '20260101000000_one', 'migration.sql'), 'CREATE TABLE one (id bigint);\n')
  addMigration(dir, '20260103000000_three', 'CREATE TABLE three (id int);\n')
  const error = await applyMigrations(sql, { migrationsDir: dir, log: silentLog }).catch((error: unknown) => error)
  t.type(error, MigrationError)
  t.match(error, { kind: 'edited', migrations: ['20260101000000_one'], message: /20260101000000_one: applied with checksum [0-9a-f]{64}, the file now has [0-9a-f]{64}/ })
  t.notOk(await tableExists(sql, 'three'), 'nothing else was applied')
})

t.test('a failing migration is rolled back, booked as rolled back, and retried once fixed', async (t) => {
  const { sql, adapter } = await createRawTestDatabase(t)
  const dir = migrationsDir(t, {
    '20260101000000_good': 'CREATE TABLE good (id int);\n',
    '20260102000000_bad': 'CREATE TABLE half (id int);\nSELECT * FROM no_such_table;\n',
    '20260103000000_later': 'CREATE TABLE later (id int);\n'
  })
  const error = await applyMigrations(sql, { migrationsDir: dir, log: silentLog }).catch((error: unknown) => error)
  t.type(error, MigrationError)
  t.match(error, { kind: 'apply', migrations: ['20260102000000_bad'], message: /^migration 20260102000000_bad failed and was rolled back: .*no_such_table.*42P01/ })
  t.ok(await tableExists(sql, 'good'), 'the migration before it stays applied')
  t.notOk(await tableExists(sql, 'half'), 'the failed migration left nothing behind')
  t.notOk(await tableExists(sql, 'later'), 'later migrations were not attempted')
  t.match(await rows(sql), [
    { migration_name: '20260101000000_good', rolled_back_at: null, applied_steps_count: 1 },
    { migration_name: '20260102000000_bad', finished_at: null, rolled_back_at: Date, logs: /no_such_table/, applied_steps_count: 0 }
  ])

  const diagnosis = await withSchemaEngine(adapter, readSchema(), (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList: migrationsList(dir), optInToShadowDatabase: false, filters }))
  t.same(diagnosis.failedMigrationNames, [], 'Prisma does not see an unresolved failure either')

  writeFileSync(path.join(dir, '20260102000000_bad', 'migration.sql'), 'CREATE TABLE half (id int);\n')
  t.same(await applyMigrations(sql, { migrationsDir: dir, log: silentLog }), ['20260102000000_bad', '20260103000000_later'])
  t.ok(await tableExists(sql, 'half'))
})

t.test('a migration that failed under Prisma and was never resolved stops the start', async (t) => {
  const { sql } = await createRawTestDatabase(t)
  const dir = migrationsDir(t, { '20260101000000_good': 'CREATE TABLE good (id int);\n' })
  t.same(await applyMigrations(sql, { migrationsDir: dir, log: silentLog }), ['20260101000000_good'])
  addMigration(dir, '20260102000000_broken', 'CREATE TABLE broken (id int);\n')
  addMigration(dir, '20260103000000_later', 'CREATE TABLE later (id int);\n')
  // What `prisma migrate deploy` leaves behind when a script fails half-way.
  await sql.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
    VALUES ('00000000-0000-4000-8000-000000000000', $1, '20260102000000_broken', 'Database error code: 42601', now(), 0)`,
  [createHash('sha256').update('CREATE TABLE broken (id int);\n').digest('hex')])

  const error = await applyMigrations(sql, { migrationsDir: dir, log: silentLog }).catch((error: unknown) => error)
  t.type(error, MigrationError)
  t.match(error, {
    kind: 'failed',
    migrations: ['20260102000000_broken'],
    message: /20260102000000_broken \(started [^)]+\): Database error code: 42601[\s\S]*prisma migrate resolve --rolled-back/
  })
  t.notOk(await tableExists(sql, 'later'), 'nothing was applied')

  await sql.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1', ['20260102000000_broken']) // migrate resolve --rolled-back
  t.same(await applyMigrations(sql, { migrationsDir: dir, log: silentLog }), ['20260102000000_broken', '20260103000000_later'])
})

t.test('a migrations directory that is missing or malformed is reported', async (t) => {
  const { sql } = await createRawTestDatabase(t)
  const root = t.testdir({ empty: { '20260101000000_empty': {} }, sqlite: { 'migration_lock.toml': 'provider = "sqlite"\n' } })
  const attempt = (dir: string): Promise<string[]> => applyMigrations(sql, { migrationsDir: path.join(root, dir), log: silentLog })
  await t.rejects(attempt('nope'), { kind: 'layout', message: /migrations directory not found/ })
  await t.rejects(attempt('empty'), { kind: 'layout', message: /20260101000000_empty has no migration.sql/ })
  await t.rejects(attempt('sqlite'), { kind: 'layout', message: /provider = "sqlite"/ })
})

t.test('checksums are compared the way Prisma compares them', async (t) => {
  const script = 'CREATE TABLE x (id int);\nCREATE TABLE y (id int);\n'
  const hex = (text: string): string => createHash('sha256').update(text).digest('hex')
  t.ok(checksumMatches(script, hex(script)))
  t.ok(checksumMatches(script, hex(script.replaceAll('\n', '\r\n'))), 'CRLF on one side')
  t.ok(checksumMatches(script.replaceAll('\n', '\r\n'), hex(script)), 'CRLF on the other side')
  t.notOk(checksumMatches(script, hex(script.trim())), 'a missing final newline is a change')
  const unpadded = [...createHash('sha256').update(script).digest()].map((byte) => byte.toString(16)).join('')
  t.ok(unpadded.length < 64, 'this digest has bytes below 0x10')
  t.ok(checksumMatches(script, unpadded), 'old Prisma checksums without zero padding')
})

t.test('Postgres: two instances starting at once apply each migration once', { skip: needsPostgres }, async (t) => {
  const { sql, url } = await createRawTestDatabase(t)
  const { pool, end } = createPool({ connectionString: url, max: 2 }, silentLog) // a second instance
  const dir = migrationsDir(t, {
    '20260101000000_slow': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(0.4);\n',
    '20260102000000_next': 'CREATE TABLE next (id int);\n'
  })
  const logs = [capturingLog(), capturingLog()]
  try {
    const results = await Promise.all([
      applyMigrations(sql, { migrationsDir: dir, log: logs[0]! }),
      applyMigrations(poolExecutor(pool), { migrationsDir: dir, log: logs[1]! })
    ])
    t.same([...results].sort((a, b) => b.length - a.length), [['20260101000000_slow', '20260102000000_next'], []])
  } finally {
    await end()
  }
  t.equal(logs.filter((log) => log.messages.includes('waiting for another process to finish migrating the database')).length, 1, 'one of them waited')
  t.same((await rows(sql)).map((row) => row.migration_name), ['20260101000000_slow', '20260102000000_next'])
})

t.test('Postgres: the service waits for Prisma Migrate\'s advisory lock', { skip: needsPostgres }, async (t) => {
  const { sql, url } = await createRawTestDatabase(t)
  const cli = new pg.Client({ connectionString: url }) // closed in the body: the database is dropped at teardown
  await cli.connect()
  const dir = migrationsDir(t, { '20260101000000_one': 'CREATE TABLE one (id int);\n' })
  try {
    await cli.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})`) // as `prisma migrate deploy` does
    await t.rejects(applyMigrations(sql, { migrationsDir: dir, log: silentLog, lockTimeoutMs: 300 }), { kind: 'lock', message: /72707369/ })
    t.notOk(await tableExists(sql, 'one'))

    let released = 0
    const release = new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
      released = Date.now()
      await cli.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK_KEY})`)
    })
    t.same(await applyMigrations(sql, { migrationsDir: dir, log: silentLog, lockTimeoutMs: 10_000 }), ['20260101000000_one'])
    t.ok(released > 0, 'applied only after the lock was released')
    await release
  } finally {
    await cli.end()
  }
})

t.test('group_outcome: groups already asked and answered keep their numbers', async (t) => {
  const { sql } = await createRawTestDatabase(t)
  const all = await readMigrations(repoMigrations)
  const at = all.findIndex((m) => m.name.endsWith('_group_outcome'))
  t.ok(at > 0, 'the migration exists')
  const before = t.testdir()
  for (const migration of all.slice(0, at)) addMigration(before, migration.name, readFileSync(path.join(repoMigrations, migration.name, 'migration.sql'), 'utf8'))
  await applyMigrations(sql, { log: silentLog, migrationsDir: before })

  await sql.query('INSERT INTO "Program" (id, "channelId", "teamId", "updatedAt") VALUES (1, \'c\', \'t\', now())')
  await sql.query('INSERT INTO "Round" (id, "programId", number, "startedAt", "followupAt", "groupSize", "eligibleCount") VALUES (1, 1, 1, now(), now(), 2, 8)')
  await sql.query('INSERT INTO "Group" (id, "roundId", index) VALUES (1, 1, 0), (2, 1, 1), (3, 1, 2), (4, 1, 3)')
  // 1: asked, one "not yet" and one "we met"; 2: asked, "not yet"; 3: asked, no answer; 4: follow-up failed, never asked.
  await sql.query(`INSERT INTO "Delivery" ("dedupeKey", kind, "roundId", "groupId", state, "nextAttemptAt", "sentAt") VALUES
    ('followup:1', 'followup', 1, 1, 'sent', now(), '2026-01-05T10:00:00Z'), ('followup:2', 'followup', 1, 2, 'sent', now(), '2026-01-05T10:00:00Z'),
    ('followup:3', 'followup', 1, 3, 'sent', now(), '2026-01-05T11:00:00Z'), ('followup:4', 'followup', 1, 4, 'failed', now(), NULL)`)
  await sql.query('INSERT INTO "Outcome" ("groupId", "userId", answer, "answeredAt") VALUES (1, \'u1\', \'not_yet\', now()), (1, \'u2\', \'met\', now()), (2, \'u1\', \'not_yet\', now())')

  await applyMigrations(sql, { log: silentLog })
  const groups = await sql.query<{ id: number, askedAt: Date | null, outcome: string }>('SELECT id, "askedAt", outcome::text AS outcome FROM "Group" ORDER BY id')
  t.same(groups.map((g) => [g.id, g.askedAt?.toISOString() ?? null, g.outcome]), [
    [1, '2026-01-05T10:00:00.000Z', 'met'],
    [2, '2026-01-05T10:00:00.000Z', 'not_yet'],
    [3, '2026-01-05T11:00:00.000Z', 'no_answer'],
    [4, null, 'no_answer']
  ])
})
