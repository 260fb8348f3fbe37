// The embedded database starts from a pre-initialised data directory rather than running initdb in the service,
// with small shared buffers. The template here is made by the real createPgliteTemplate, with a table in it, so that
// a database can be seen to come from it.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { IN_MEMORY, openDatabase, type DbLog } from '../../src/db/database.js'
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../../src/db/migrate.js'
import { defaultPgliteTemplate, pgliteVersion } from '../../src/db/paths.js'
import { createPgliteTemplate } from '../../src/db/pglite.js'
import { silentLog } from '../helpers/database.js'

function recordingLog (): DbLog & { lines: string[] } {
  const lines: string[] = []
  return { lines, info (_obj, msg) { lines.push(`info ${msg ?? ''}`) }, warn (_obj, msg) { lines.push(`warn ${msg ?? ''}`) } }
}

const templateDir = t.testdir()
const template = path.join(templateDir, 'pgdata.tar.gz')
const bytes = await createPgliteTemplate(template, async (pglite) => {
  await pglite.exec("CREATE TABLE from_template (note text); INSERT INTO from_template VALUES ('made by the template')")
})

t.test('the template is a gzipped tarball, named after the PGlite version in dist/pglite', async (t) => {
  t.ok(bytes > 1_000_000 && bytes < 20_000_000, `a few MB (${bytes} bytes)`)
  t.equal(defaultPgliteTemplate(), path.resolve(import.meta.dirname, '../../dist/pglite', `pgdata-${pgliteVersion()}.tar.gz`))
  t.match(pgliteVersion(), /^\d+\.\d+\.\d+/)
})

t.test('a new data directory starts from the template, is migrated, and keeps its data', async (t) => {
  const dataDir = path.join(t.testdir(), 'data')
  const allMigrations = (await readMigrations(defaultMigrationsDir())).map((migration) => migration.name)
  const log = recordingLog()

  const first = await openDatabase({ dataDir, log, pgliteTemplate: template })
  t.same(await first.sql.query('SELECT note FROM from_template'), [{ note: 'made by the template' }], 'the template was loaded')
  t.same(await first.sql.query("SELECT current_setting('shared_buffers') AS value"), [{ value: '16MB' }])
  t.same(await applyMigrations(first.sql, { log: silentLog }), allMigrations, 'then every migration applies')
  await first.prisma.program.create({ data: { teamId: 'team1', channelId: 'chan1' } })
  await first.sql.exec('DELETE FROM from_template')
  await first.close()
  t.same(log.lines, ['info using the embedded database (PGlite)', 'info creating the embedded database from the pre-initialised one'])

  const second = await openDatabase({ dataDir, log: silentLog, pgliteTemplate: template })
  t.teardown(() => second.close())
  t.same(await second.sql.query('SELECT note FROM from_template'), [], 'an existing database is not refilled from the template')
  t.same(await applyMigrations(second.sql, { log: silentLog }), [])
  t.equal(await second.prisma.program.count(), 1)
  t.same(await second.sql.query("SELECT current_setting('shared_buffers') AS value"), [{ value: '16MB' }], 'the settings apply to existing databases too')
})

t.test('an in-memory database starts from the template too', async (t) => {
  const db = await openDatabase({ dataDir: IN_MEMORY, log: silentLog, pgliteTemplate: template })
  t.teardown(() => db.close())
  t.same(await db.sql.query('SELECT note FROM from_template'), [{ note: 'made by the template' }])
  t.same(await db.sql.query("SELECT current_setting('shared_buffers') AS value"), [{ value: '16MB' }])
})

t.test('what a first start that died half-way left is cleared away', async (t) => {
  // An empty pglite/ too, as an older Coffee that died before initdb leaves it.
  const dataDir = t.testdir({ pglite: {}, 'pglite.creating': { PG_VERSION: '18\n', base: { 1: { 112: 'half a file' } } } })
  const db = await openDatabase({ dataDir, log: silentLog, pgliteTemplate: template })
  t.teardown(() => db.close())
  t.same(await db.sql.query('SELECT note FROM from_template'), [{ note: 'made by the template' }])
  t.notOk(existsSync(path.join(dataDir, 'pglite.creating')))
})

t.test('a template that cannot be unpacked stops the start, says why, and releases the data directory', async (t) => {
  const scratch = t.testdir({ 'not-a-tarball.tar.gz': 'hello' })
  const dataDir = path.join(scratch, 'data')
  const notATarball = path.join(scratch, 'not-a-tarball.tar.gz')
  await t.rejects(openDatabase({ dataDir, log: silentLog, pgliteTemplate: notATarball }), { message: `could not unpack the pre-initialised database ${notATarball}: ` })
  t.notOk(existsSync(path.join(dataDir, 'pglite')), 'no half-made database')
  const db = await openDatabase({ dataDir, log: silentLog, pgliteTemplate: template })
  t.teardown(() => db.close())
  t.same(await db.sql.query('SELECT note FROM from_template'), [{ note: 'made by the template' }], 'the next start takes the lock and starts over')
})

t.test('files without a database in the way are left alone, with a clear error', async (t) => {
  const dataDir = t.testdir({ pglite: { 'notes.txt': 'mine' } })
  await t.rejects(openDatabase({ dataDir, log: silentLog, pgliteTemplate: template }), { message: `${path.join(dataDir, 'pglite')} holds files but no database (no PG_VERSION): move it out of the way and start again` })
  t.equal(readFileSync(path.join(dataDir, 'pglite', 'notes.txt'), 'utf8'), 'mine')
})

t.test('without a template, initdb runs in the process, with a warning', async (t) => {
  const scratch = t.testdir()
  const dataDir = path.join(scratch, 'data')
  const missing = path.join(scratch, 'missing.tar.gz')
  const log = recordingLog()
  const db = await openDatabase({ dataDir, log, pgliteTemplate: missing })
  t.teardown(() => db.close())
  t.same(await db.sql.query("SELECT to_regclass('from_template') AS found"), [{ found: null }], 'a plain initdb cluster')
  t.same(await db.sql.query("SELECT current_setting('shared_buffers') AS value"), [{ value: '16MB' }])
  t.match(log.lines, ['info using the embedded database (PGlite)', /^warn no pre-initialised database for this PGlite version \(`npm run build` makes it\)/])
  t.ok(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION')))
})
