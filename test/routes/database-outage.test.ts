// A database that stops answering (a network partition), refuses, or drops mid-pass, through a TCP proxy in front of a
// real Postgres: every request path answers within a bound, says what happened, and works again once the line is back.
import t, { type Test } from 'tap'
import { createDatabaseBehindProxy, NEEDS_POSTGRES } from '../helpers/database.js'
import { buildApp, type AppDeps } from '../../src/app.js'
import { testConfig, ADMIN_TOKEN } from '../helpers/app.js'
import { say, CHANNEL_ID, mmId } from '../helpers/slash.js'
import { rounds, pass, startNow } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { createManualClock } from '../../src/clock.js'
import { createRandom } from '../../src/core/matching/index.js'
import { actionsKey, signContext } from '../../src/core/buttons.js'
import { within, LATE } from '../../src/deadline.js'

/** DATABASE_TIMEOUT_MS in these tests: short, so that a stall fails a call quickly. */
const DB_TIMEOUT_MS = 1000

async function appBehindProxy (t: Test, { timeoutMs, poolMax, env = {}, ...deps }: { timeoutMs?: number, poolMax?: number, env?: Record<string, string> } & Partial<Omit<AppDeps, 'db' | 'config'>> = {}) {
  const { db, proxy } = await createDatabaseBehindProxy(t, { ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(poolMax === undefined ? {} : { poolMax }) })
  const app = await buildApp({ config: testConfig({ COMMAND_TIMEOUT_MS: '3000', ...env }), db, ...deps })
  t.teardown(() => app.close())
  return { app, proxy, db }
}

/** Waits at most ms for work; if it is late, lifts every fault so that the test can end, and says so. */
async function bounded<T> (t: Test, proxy: { resetAll (): void, setMode (mode: 'pass'): void }, work: Promise<T>, ms: number, what: string): Promise<{ value: T, ms: number } | undefined> {
  const started = Date.now()
  const value = await within(work, ms)
  const took = Date.now() - started
  if (value !== LATE) return { value, ms: took }
  t.fail(`${what}: no answer within ${ms} ms`)
  proxy.setMode('pass')
  proxy.resetAll()
  await work.catch(() => {})
  return undefined
}

/** A fake Mattermost, the app on a database behind the proxy, and these people joined. */
async function worldBehindProxy (t: Test, names: readonly string[], options: { createPost?: (post: unknown) => void, commitDelayMs?: number } = {}) {
  const world = await createMattermostWorld(t)
  const clock = createManualClock('2026-11-23T09:00:00Z')
  const gateway = options.createPost === undefined
    ? world.gateway
    : { ...world.gateway, createPost: async (post: Parameters<typeof world.gateway.createPost>[0]) => { options.createPost?.(post); return await world.gateway.createPost(post) } }
  const ctx = await appBehindProxy(t, {
    timeoutMs: DB_TIMEOUT_MS,
    env: { ...world.env, DELIVERY_CONCURRENCY: '1' },
    gateway,
    clock,
    random: createRandom(7),
    delivery: { retryDelaysMs: [1, 1], ...(options.commitDelayMs === undefined ? {} : { commitDelayMs: options.commitDelayMs }) }
  })
  for (const name of names) {
    world.person(name)
    t.match(await say(ctx.app, 'join', { userName: name }), /You're in/)
  }
  await startNow(ctx.db.prisma, clock.now())
  // These tests cut the database between the intros' posts; the channel's announcement is tested on its own.
  await ctx.db.prisma.program.updateMany({ data: { announce: false } })
  return { ...world, ...ctx, clock }
}

t.test('a stalled database: /coffee answers with a friendly text while the stall lasts, and works once it is over', { skip: NEEDS_POSTGRES }, async (t) => {
  const { app, proxy, db } = await appBehindProxy(t)
  await db.prisma.$queryRaw`SELECT 1` // connected and warm: the first query of a cold start is not the point here
  t.match(await say(app, 'join'), /You're in/)

  // The stall lasts until the test lifts it, so any answer now came while the database was silent.
  proxy.setMode('stall')
  const answered = await bounded(t, proxy, say(app, 'status'), 4500, '/coffee status')
  t.match(answered?.value, /my database did not answer in time, so I could not finish that/)
  t.match(answered?.value, /try again in a minute/)
  t.comment(`/coffee status answered a stall in ${answered?.ms} ms (COMMAND_TIMEOUT_MS 3000)`)

  proxy.setMode('pass')
  let after = ''
  for (let i = 0; i < 10 && !/You're \*\*in\*\*/.test(after); i++) after = await say(app, 'status')
  t.match(after, /You're \*\*in\*\*/, 'and once the line is back, commands work again')
})

t.test('connections lost to a partition do not wedge the pool: statements time out and the pool opens new ones', { skip: NEEDS_POSTGRES }, async (t) => {
  const { app, proxy, db } = await appBehindProxy(t, { timeoutMs: DB_TIMEOUT_MS, poolMax: 2 })
  t.match(await say(app, 'join'), /You're in/)
  await Promise.all([db.prisma.$queryRaw`SELECT 1 FROM pg_sleep(0.05)`, db.prisma.$queryRaw`SELECT 1 FROM pg_sleep(0.05)`]) // two open connections

  proxy.setMode('stall')
  const during = await bounded(t, proxy, Promise.all([say(app, 'status'), say(app, 'status')]), 4500, 'two commands during a stall')
  for (const answer of during?.value ?? []) t.match(answer, /Sorry, (my database did not answer in time|something went wrong on my side and nothing was changed)/)
  // The partition outlived Postgres's patience: it closed its side, and Coffee's connections wait for nothing.
  proxy.abandonAll()
  proxy.setMode('pass')
  const after = await bounded(t, proxy, say(app, 'status'), 3 * DB_TIMEOUT_MS + 1500, '/coffee status after the stall')
  t.match(after?.value, /You're \*\*in\*\*/, 'the next command works')
})

t.test('a transaction cut by a stall does not hand a wedged connection back to the pool', { skip: NEEDS_POSTGRES }, async (t) => {
  const { db, proxy } = await createDatabaseBehindProxy(t, { timeoutMs: DB_TIMEOUT_MS, poolMax: 1 })
  await db.prisma.$queryRaw`SELECT 1`
  const cut = db.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1`
    proxy.setMode('stall')
    await tx.$queryRaw`SELECT 2`
  })
  const failed = await bounded(t, proxy, cut.then(() => 'committed', (error: unknown) => (error as Error).message), 4 * DB_TIMEOUT_MS + 1000, 'the cut transaction')
  t.match(failed?.value, /timeout|terminated/i, 'the transaction fails')
  proxy.abandonAll()
  proxy.setMode('pass')
  const next = await bounded(t, proxy, db.prisma.$queryRaw<{ n: number }[]>`SELECT 3 AS n`.then((rows) => rows[0]?.n, (error: unknown) => (error as Error).message), 3 * DB_TIMEOUT_MS, 'the next statement')
  t.equal(next?.value, 3, 'the next statement gets a fresh connection at once')
})

t.test('/rounds on a stalled database: a JSON 503 within the bound, no lock kept, and the next call does the work', { skip: NEEDS_POSTGRES }, async (t) => {
  const world = await worldBehindProxy(t, ['alice', 'bob', 'carol', 'dave'])
  world.proxy.setMode('stall')
  const answered = await bounded(t, world.proxy, rounds(world.app), 3 * DB_TIMEOUT_MS + 2000, '/rounds during a stall')
  t.comment(`/rounds answered a stall in ${answered?.ms} ms (database timeout ${DB_TIMEOUT_MS} ms)`)
  t.equal(answered?.value.status, 503)
  t.match(answered?.value.body, { statusCode: 503, code: 'COFFEE_DATABASE_UNAVAILABLE', message: /database did not answer in time/ })
  t.notMatch(JSON.stringify(answered?.value.body), /127\.0\.0\.1|prisma|invocation|read timeout|\d{4,5}/i, 'nothing of how the database is reached')
  world.proxy.setMode('pass')
  const summary = await pass(world.app)
  t.match(summary.rounds, [{ channel_id: CHANNEL_ID, round: 1, groups: 2 }], 'the next call starts the round')
  t.same(summary.deliveries, { sent: 2, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
})

t.test('the database drops during a pass: the answer is the summary of what was done, and the next call finishes it', { skip: NEEDS_POSTGRES }, async (t) => {
  let posts = 0
  let cut = (): void => {}
  // A result is written by the time its worker posts twice more (or after the delay, here longer than the test), with
  // whatever else is waiting: the third post waits for the first intro's record, which takes the second's along.
  const world = await worldBehindProxy(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'], { createPost: () => { if (++posts === 3) cut() }, commitDelayMs: 60_000 })
  cut = () => { world.proxy.setMode('refuse'); world.proxy.resetAll() } // at the third intro's post

  const answered = await bounded(t, world.proxy, rounds(world.app), 4 * DB_TIMEOUT_MS + 2000, '/rounds when the database drops')
  t.equal(answered?.value.status, 200, 'not a 500')
  const summary = answered?.value.body
  t.match(summary?.rounds, [{ round: 1, groups: 3 }], 'the round was started')
  t.equal(summary?.deliveries.pending, null, 'what is pending could not be counted')
  t.equal(summary?.deliveries.sent, 2, 'two intros went out and were recorded')
  t.match(summary?.errors, [{ message: /delivering failed/ }, { message: /the pass stopped early, the rest is left for the next call/ }])

  world.proxy.setMode('pass')
  world.clock.advance(6 * 60_000) // the cut delivery's lease (5 minutes) runs out
  const next = await pass(world.app)
  t.same(next.rounds, [])
  t.same(next.deliveries, { sent: 1, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 }, 'the next call records the third intro')
  const groups = world.mm.channelsOfType('G')
  t.equal(groups.length, 3)
  for (const group of groups) t.equal(world.mm.posts(group.id).length, 1, 'one intro per group: the unrecorded one was found, not posted again')
})

t.test('a button click and the admin API on a stalled database answer within the bound, in words', { skip: NEEDS_POSTGRES }, async (t) => {
  const world = await worldBehindProxy(t, ['alice', 'bob'])
  const { app, proxy } = world
  proxy.setMode('stall')
  const context = signContext(actionsKey(undefined, world.botToken), 1, 'met')
  const clicked = await bounded(t, proxy, click(app, { userId: mmId('alice'), postId: 'p'.repeat(26), channelId: 'g'.repeat(26), context }), 4500, 'a click')
  t.equal(clicked?.value.status, 200, 'Mattermost shows the text of a 200 only')
  t.match(clicked?.value.body.ephemeral_text, /Sorry, (my database did not answer in time|something went wrong on my side)/)

  const api = await bounded(t, proxy, app.inject({ method: 'GET', url: `/api/channels/${CHANNEL_ID}/stats`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 2 * DB_TIMEOUT_MS + 2000, 'the stats API')
  t.equal(api?.value.statusCode, 503)
  t.match(api?.value.json(), { code: 'COFFEE_DATABASE_UNAVAILABLE' })
  t.comment(`stats answered a stall in ${api?.ms} ms`)
  proxy.setMode('pass')
})
