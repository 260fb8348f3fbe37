// Prepared statements on Postgres and on PGlite: names derived from the SQL text, a cap on how many, and Prisma's
// statements really kept prepared on the connection.
import t from 'tap'
import { IN_MEMORY, openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrate.js'
import { withPreparedStatements } from '../../src/db/pglite-prepared.js'
import { startPglite } from '../../src/db/pglite.js'
import { preparedStatementNames } from '../../src/db/prepared.js'
import { createRawTestDatabase, silentLog, testServerUrl } from '../helpers/database.js'

t.test('the same text always gets the same name, another text another name', async (t) => {
  const first = preparedStatementNames()
  const second = preparedStatementNames()
  const a = first({ sql: 'SELECT 1' })
  t.match(a, /^coffee_[A-Za-z0-9_-]{24}$/)
  t.equal(first({ sql: 'SELECT 1' }), a, 'stable within a process')
  t.equal(second({ sql: 'SELECT 1' }), a, 'and across generators (every pool connection agrees)')
  t.not(first({ sql: 'SELECT 2' }), a)
})

t.test('past the limit, new texts stay unnamed and known ones keep their names', async (t) => {
  const names = preparedStatementNames(3)
  const named = ['SELECT 1', 'SELECT 2', 'SELECT 3'].map((sql) => names({ sql }))
  t.equal(new Set(named).size, 3)
  t.equal(names({ sql: 'SELECT 4' }), '', 'unnamed: pg prepares it anew each time and keeps nothing')
  t.equal(names({ sql: 'SELECT 2' }), named[1])
})

const serverUrl = testServerUrl()
t.test('Postgres keeps Prisma\'s statements prepared on the connection', { skip: serverUrl === undefined ? 'set TEST_DATABASE_URL to run the Postgres-only cases' : false }, async (t) => {
  const raw = await createRawTestDatabase(t)
  const db = await openDatabase({ databaseUrl: raw.url!, dataDir: IN_MEMORY, log: silentLog, poolMax: 1 })
  t.teardown(() => db.close())
  await applyMigrations(db.sql, { log: silentLog })
  await db.prisma.program.create({ data: { teamId: 'team1', channelId: 'chan1', channelName: 'coffee' } })
  for (let i = 0; i < 3; i++) t.equal((await db.prisma.program.findUnique({ where: { channelId: 'chan1' } }))?.teamId, 'team1')
  const rows = await db.prisma.$queryRaw<{ name: string, statement: string }[]>`SELECT name, statement FROM pg_prepared_statements`
  const ours = rows.filter((row) => row.name.startsWith('coffee_'))
  t.ok(ours.some((row) => /SELECT .*FROM "public"\."Program"( AS "\w+")? WHERE/s.test(row.statement)), 'the findUnique is prepared once and reused')
  t.equal(new Set(ours.map((row) => row.statement)).size, ours.length, 'one prepared statement per distinct text')
})

// The embedded database gets the same from src/db/pglite-prepared.ts (PGlite's own query() sends every statement
// unnamed). These cases always run on PGlite, whatever TEST_DATABASE_URL says.
t.test('PGlite keeps Prisma\'s statements prepared', async (t) => {
  const db = await openDatabase({ dataDir: IN_MEMORY, log: silentLog })
  t.teardown(() => db.close())
  await applyMigrations(db.sql, { log: silentLog })
  const program = await db.prisma.program.create({ data: { teamId: 'team1', channelId: 'chan1', channelName: 'coffee' } })
  await db.prisma.participant.create({ data: { programId: program.id, userId: 'user1', username: 'ann', joinedAt: new Date(0) } })
  for (let i = 0; i < 7; i++) { // past the five runs after which Postgres may switch to a cached plan
    const found = await db.prisma.program.findUnique({ where: { channelId: 'chan1' }, include: { participants: { where: { userId: 'user1' } } } })
    t.equal(found?.participants[0]?.username, 'ann')
  }
  const rows = await db.sql.query<{ name: string, statement: string }>('SELECT name, statement FROM pg_prepared_statements')
  const ours = rows.filter((row) => row.name.startsWith('coffee_'))
  t.ok(ours.some((row) => /FROM "public"\."Program" AS "t0" LEFT JOIN LATERAL/.test(row.statement)), 'the findUnique is prepared once and reused')
  t.equal(new Set(ours.map((row) => row.statement)).size, ours.length, 'one prepared statement per distinct text')
  await t.rejects(db.prisma.program.create({ data: { teamId: 'team1', channelId: 'chan1', channelName: 'again' } }), { code: 'P2002' }, 'a unique violation is still Prisma\'s P2002')
})

t.test('prepared on PGlite: the same results and errors as PGlite\'s own query()', async (t) => {
  const pglite = await startPglite({ log: silentLog })
  t.teardown(() => pglite.close())
  const prepared = withPreparedStatements(pglite)
  const sql = 'SELECT $1::int[] AS ids, $2::bytea AS raw, $3::boolean AS flag, $4::timestamptz AS at, $5::jsonb AS doc, $6::text AS nothing'
  const params = [[1, 2, 3], new Uint8Array([0, 255]), true, new Date('2026-11-30T12:00:00Z'), { a: [1, 'b'] }, null]
  for (const options of [undefined, { rowMode: 'array' as const }]) {
    const own = await pglite.query(sql, params, options)
    t.same(await prepared.query(sql, params, options), own, `rowMode ${options?.rowMode ?? 'object'}`)
    t.same(await prepared.query(sql, params, options), own, 'and again, prepared')
  }
  await pglite.exec('CREATE TABLE t (id int PRIMARY KEY, note text)')
  t.equal((await prepared.query('INSERT INTO t VALUES ($1, $2), ($1 + 1, $2)', [1, 'x'])).affectedRows, 2)
  t.same(await prepared.query('UPDATE t SET note = $1 RETURNING id', ['y']), await pglite.query('SELECT id FROM t ORDER BY id').then((r) => ({ ...r, command: 'UPDATE', affectedRows: 2 })))

  await t.rejects(prepared.query('INSERT INTO t VALUES ($1, $2)', [1, 'dup']), { code: '23505' }, 'a unique violation, as a DatabaseError')
  await t.rejects(prepared.query('SELEC 1'), { code: '42601' }, 'a syntax error')
  await t.rejects(prepared.query('SELEC 1'), { code: '42601' }, 'the same again: nothing was kept of it')

  // A statement first prepared in a transaction that rolls back stays prepared (Postgres's prepared statements are
  // not transactional), so it runs afterwards too.
  await t.rejects(prepared.transaction(async (tx) => {
    await tx.query('INSERT INTO t VALUES ($1, $2) RETURNING id', [10, 'z'])
    throw new Error('changed my mind')
  }), /changed my mind/)
  t.same((await prepared.query('SELECT count(*)::int AS n FROM t WHERE id = $1', [10])).rows, [{ n: 0 }], 'rolled back')
  t.same((await prepared.query('INSERT INTO t VALUES ($1, $2) RETURNING id', [10, 'z'])).rows, [{ id: 10 }])
  await t.rejects(prepared.transaction(async (tx) => {
    await tx.rollback()
    await tx.query('SELECT 1')
  }), /Transaction is closed/)

  // Past the limit of distinct texts, statements run unnamed.
  const capped = withPreparedStatements(pglite, preparedStatementNames(0))
  t.same((await capped.query('SELECT $1::int + 1 AS n', [1])).rows, [{ n: 2 }])
  t.same((await pglite.query('SELECT name FROM pg_prepared_statements WHERE statement LIKE $1', ['%+ 1 AS n'])).rows, [], 'nothing prepared past the limit')
})
