// GET /health: words for strangers (ok / unreachable, and Mattermost's state), details only in the log; the status
// code follows the database alone.
import t from 'tap'
import { Writable } from 'node:stream'
import pino from 'pino'
import { createTestApp } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { createDatabaseBehindProxy, NEEDS_POSTGRES } from '../helpers/database.js'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/app.js'
import { createGateway } from '../../src/mattermost/gateway.js'

type App = Awaited<ReturnType<typeof createTestApp>>['app']

async function health (app: App) {
  const response = await app.inject({ method: 'GET', url: '/health' })
  return { status: response.statusCode, body: response.json() as Record<string, unknown> }
}

t.test('a healthy service says ok for the database and for Mattermost', async (t) => {
  const world = await createMattermostWorld(t)
  const { app, db } = await createTestApp(t, { gateway: world.gateway, env: world.env })
  await db.prisma.$queryRaw`SELECT 1` // the first query loads Prisma's engine: not what this test measures
  t.same(await health(app), { status: 200, body: { status: 'ok', database: 'ok', mattermost: 'ok' } })
})

t.test('without Mattermost settings: ok, and Mattermost not configured', async (t) => {
  const { app, db } = await createTestApp(t)
  await db.prisma.$queryRaw`SELECT 1`
  t.same(await health(app), { status: 200, body: { status: 'ok', database: 'ok', mattermost: 'not_configured' } })
})

t.test("Mattermost's state is told apart, and does not fail the check", async (t) => {
  const world = await createMattermostWorld(t)
  const wrongToken = createGateway({ url: world.mm.url, token: 'x'.repeat(26), timeoutMs: 2000 })
  const rejected = await createTestApp(t, { gateway: wrongToken, env: { ...world.env, MATTERMOST_BOT_TOKEN: 'x'.repeat(26) } })
  await rejected.db.prisma.$queryRaw`SELECT 1`
  t.same(await health(rejected.app), { status: 200, body: { status: 'ok', database: 'ok', mattermost: 'token_rejected' } })

  const { app, db } = await createTestApp(t, { gateway: world.gateway, env: world.env })
  await db.prisma.$queryRaw`SELECT 1`
  t.same((await health(app)).body.mattermost, 'ok')
  world.mm.failNext(1, 500)
  t.same((await health(app)).body.mattermost, 'failing')
  world.mm.resetNext(2) // a reset is tried once more: a kept-alive connection the server closed looks the same
  t.same((await health(app)).body.mattermost, 'unreachable')
  t.same((await health(app)).body.mattermost, 'ok', 'and ok again once it answers')
})

t.test('an unreachable database is a 503 that names nothing of how it is reached; the log has the details', { skip: NEEDS_POSTGRES }, async (t) => {
  const { db, proxy } = await createDatabaseBehindProxy(t, { poolMax: 2 })
  const lines: string[] = []
  const logger = pino({ level: 'info' }, new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } }))
  const app = await buildApp({ config: testConfig(), db, logger })
  t.teardown(() => app.close())

  t.equal((await health(app)).status, 200, 'through the proxy')
  proxy.setMode('refuse')
  proxy.resetAll()
  const down = await app.inject({ method: 'GET', url: '/health' })
  t.equal(down.statusCode, 503)
  t.same(down.json(), { status: 'unavailable', database: 'unreachable', mattermost: 'not_configured' })
  t.notMatch(down.body, /127\.0\.0\.1|localhost|prisma|invocation|\d{4,5}/i, 'no host, port or ORM text')
  t.match(lines.join(''), /health check: the database is not answering/, 'the operator finds the reason in the log')

  proxy.setMode('pass')
  let back = 0
  for (let i = 0; i < 20 && back !== 200; i++) back = (await app.inject({ method: 'GET', url: '/health' })).statusCode
  t.equal(back, 200, 'ok again once the database answers')
})
