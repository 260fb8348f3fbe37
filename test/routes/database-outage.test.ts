// A database that stops answering without closing the connection (a network partition), through a TCP proxy in
// front of a real Postgres: a person's /coffee still gets an answer before Mattermost gives up on the command.
import t, { type Test } from 'tap'
import { createDatabaseBehindProxy, NEEDS_POSTGRES } from '../helpers/database.js'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/app.js'
import { say } from '../helpers/slash.js'

async function appBehindProxy (t: Test) {
  const { db, proxy } = await createDatabaseBehindProxy(t)
  const app = await buildApp({ config: testConfig({ COMMAND_TIMEOUT_MS: '3000' }), db })
  t.teardown(() => app.close())
  return { app, proxy, db }
}

t.test('a stalled database: /coffee answers with a friendly text while the stall lasts, and works once it is over', { skip: NEEDS_POSTGRES }, async (t) => {
  const { app, proxy, db } = await appBehindProxy(t)
  await db.prisma.$queryRaw`SELECT 1` // connected and warm: the first query of a cold start is not the point here
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
