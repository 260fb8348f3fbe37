// Prepared statements on Postgres: names derived from the SQL text, a cap on how many, and Prisma's statements
// really kept prepared on the connection.
import t from 'tap'
import { IN_MEMORY, openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrate.js'
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
