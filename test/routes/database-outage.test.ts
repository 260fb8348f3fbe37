// A database that stops answering without closing the connection (a network partition), through a TCP proxy in
// front of a real Postgres: a person's /coffee still gets an answer before Mattermost gives up on the command.
import t, { type Test } from 'tap'
import { createTestDatabase, testServerUrl, silentLog } from '../helpers/database.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { openDatabase, IN_MEMORY } from '../../src/db/database.js'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/app.js'
import { say } from '../helpers/slash.js'

const needsPostgres = testServerUrl() === undefined ? 'needs Postgres (TEST_DATABASE_URL) behind a TCP proxy' : false

async function appBehindProxy (t: Test) {
  const { url } = await createTestDatabase(t)
  const target = new URL(url!)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  t.teardown(() => proxy.close())
  const db = await openDatabase({ databaseUrl: proxy.urlFor(url!), dataDir: IN_MEMORY, log: silentLog, poolMax: 3 })
  t.teardown(() => db.close())
  const app = await buildApp({ config: testConfig(), db })
  t.teardown(() => app.close())
  return { app, proxy, db }
}

t.test('a stalled database: /coffee answers with a friendly text while the stall lasts, and works once it is over', { skip: needsPostgres }, async (t) => {
  const { app, proxy } = await appBehindProxy(t)
  t.match(await say(app, 'join'), /You're in/)

  // The stall lasts until the test lifts it, so any answer now came while the database was silent.
  proxy.setMode('stall')
  const answer = await say(app, 'status')
  t.match(answer, /my database did not answer in time, so I could not finish that/)
  t.match(answer, /try again in a minute/)

  proxy.setMode('pass')
  let after = ''
  for (let i = 0; i < 10 && !/You're \*\*in\*\*/.test(after); i++) after = await say(app, 'status')
  t.match(after, /You're \*\*in\*\*/, 'and once the line is back, commands work again')
})
