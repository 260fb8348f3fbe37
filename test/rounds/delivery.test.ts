// Exactly-once delivery under faults, crashes and concurrency.
import t, { type Test } from 'tap'
import { testConfig } from '../helpers/app.js'
import { createMattermostWorld, createJoinedWorld } from '../helpers/mattermost.js'
import { createTestDatabase } from '../helpers/database.js'
import { say } from '../helpers/slash.js'
import { pass, rounds, startNow } from '../helpers/rounds.js'
import { buildApp } from '../../src/app.js'
import { openDatabase } from '../../src/db/database.js'
import { createManualClock } from '../../src/clock.js'
import { createRandom } from '../../src/core/matching/index.js'
import { createRoundsStore } from '../../src/store/rounds.js'
import { createFollowupsStore } from '../../src/store/followups.js'
import { startDueRounds } from '../../src/rounds/start-rounds.js'

const fast = { retryDelaysMs: [1, 1], maxInlineWaitMs: 3000 }
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']

async function setup (t: Test, names: readonly string[] = NAMES) {
  return createJoinedWorld(t, names, { seed: 3, maxInlineWaitMs: 3000 })
}

type World = Awaited<ReturnType<typeof setup>>

/** Posts per group channel: exactly-once means every list has length 1. */
function introCounts (world: World): number[] {
  return world.mm.channelsOfType('G').map((c) => world.mm.posts(c.id).filter((p) => String(p.props?.coffee_delivery ?? '').startsWith('intro:')).length)
}

t.test('a 500 is retried within the pass; one post per group', async (t) => {
  const world = await setup(t)
  world.mm.failNext(2, 500, { method: 'POST', path: '/api/v4/posts' })
  const summary = await pass(world.app)
  t.same(summary.deliveries, { sent: 3, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
  t.same(introCounts(world), [1, 1, 1])
})

t.test('a 429 honours Retry-After for every worker', async (t) => {
  const world = await setup(t)
  world.mm.rateLimitNext(1, 1, { method: 'POST', path: '/api/v4/posts' })
  const started = Date.now()
  const summary = await pass(world.app)
  t.ok(Date.now() - started >= 900, 'waited for Retry-After (1 s)')
  t.equal(summary.deliveries.sent, 3)
  t.same(introCounts(world), [1, 1, 1])
})

t.test('a run of 429s is Mattermost pacing the bot, not failed tries: the pass waits and sends everything', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  // More 429s in a row than the tries a delivery gets per pass (retryDelaysMs + 1).
  world.mm.rateLimitNext(fast.retryDelaysMs.length + 3, '0.05', { method: 'POST', path: '/api/v4/posts' })
  const summary = await pass(world.app)
  t.same(summary.deliveries, { sent: 1, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
  t.equal(world.mm.requestsTo('POST', '/api/v4/posts').filter((r) => r.status === 429).length, fast.retryDelaysMs.length + 3)
  t.same(introCounts(world), [1])
})

t.test('a long Retry-After leaves the delivery for a later pass, which sends it', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  world.mm.rateLimitNext(1, 120, { method: 'POST', path: '/api/v4/posts' })
  const first = await pass(world.app)
  t.same(first.deliveries, { sent: 0, retried: 1, failed: 0, pending: 1, superseded: 0, expired: 0 })
  const delivery = await world.db.prisma.delivery.findFirstOrThrow()
  t.equal(delivery.state, 'pending')
  t.same(delivery.nextAttemptAt, new Date(world.clock.now().getTime() + 120_000), 'next attempt after Retry-After')
  t.match(delivery.lastError, /429|rate|limit/i)
  t.same((await pass(world.app)).deliveries, { sent: 0, retried: 0, failed: 0, pending: 1, superseded: 0, expired: 0 }, 'not before its time')
  world.clock.advance(121_000)
  t.same((await pass(world.app)).deliveries, { sent: 1, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
  t.same(introCounts(world), [1])
})

t.test('Mattermost down for a whole pass: everything stays pending, then goes out once', async (t) => {
  const world = await setup(t)
  world.mm.failNext(1000, 503)
  world.mm.failNext(0)
  const first = await pass(world.app, { force: true })
  t.equal(first.rounds.length, 0, 'no round: eligibility could not be checked')
  t.match(first.errors, [{ message: /503|unavailable/i }])
  world.mm.clearFaults()
  await pass(world.app)
  world.mm.failNext(1000, 502, { method: 'POST', path: '/api/v4/posts' })
  await pass(world.app, { force: true })
  const stuck = await world.db.prisma.delivery.count({ where: { state: 'pending', round: { number: 2 } } })
  t.equal(stuck, 3, 'round 2 planned and committed, its intros pending')
  world.mm.clearFaults()
  world.clock.advance(60 * 60_000)
  const later = await pass(world.app)
  t.equal(later.deliveries.sent, 6, "round 2's intros and round 1's follow-ups")
  t.equal(later.deliveries.pending, 0)
  const posts = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id))
  const keys = posts.map((p) => String(p.props?.coffee_delivery))
  t.equal(keys.filter((k) => k.startsWith('intro:')).length, 6, 'six intros over two rounds')
  t.equal(new Set(keys).size, keys.length, 'nothing posted twice')
})

t.test('a post that went through but whose answer was lost is not posted again', async (t) => {
  const world = await setup(t)
  world.mm.inject({ type: 'reset', after: true }, { times: 1, method: 'POST', path: '/api/v4/posts' })
  const summary = await pass(world.app)
  t.equal(summary.deliveries.sent, 3)
  t.same(introCounts(world), [1, 1, 1], 'reconciled from the channel instead of posting twice')
  t.ok(world.mm.requestsTo('GET', /\/api\/v4\/channels\/\w+\/posts/).length >= 1, 'looked in the channel')
})

t.test('a permanent refusal fails that delivery only and says why', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  world.mm.failNext(1, 403, { method: 'POST', path: '/api/v4/posts' })
  const summary = await pass(world.app)
  t.same(summary.deliveries, { sent: 1, retried: 0, failed: 1, pending: 0, superseded: 0, expired: 0 })
  const failed = await world.db.prisma.delivery.findFirstOrThrow({ where: { state: 'failed' } })
  t.match(failed.lastError, /403|permission/i)
})

t.test('a crash between plan and delivery: a restarted instance sends every intro once', async (t) => {
  const world = await setup(t)
  // The plan is committed, then the process dies before sending anything.
  const store = createRoundsStore(world.db.prisma)
  const silent = { info () {}, warn () {}, error () {}, debug () {}, child () { return this } } as never
  const planned = await startDueRounds({ store, followups: createFollowupsStore(world.db.prisma), gateway: world.gateway, clock: world.clock, random: createRandom(1), log: silent })
  t.equal(planned.started.length, 1)
  // It had also claimed (leased) the intros when it died.
  await store.claimDeliveries(world.clock.now(), new Date(world.clock.now().getTime() + 5 * 60_000), 100)
  t.equal(world.mm.requestsTo('POST', '/api/v4/posts').length, 0)
  t.same((await pass(world.app)).deliveries, { sent: 0, retried: 0, failed: 0, pending: 3, superseded: 0, expired: 0 }, 'leased work is not stolen')
  world.clock.advance(5 * 60_000 + 1)
  const summary = await pass(world.app)
  t.same(summary.rounds, [], 'no second round')
  t.same(summary.deliveries, { sent: 3, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
  t.same(introCounts(world), [1, 1, 1])
})

t.test('parallel passes on two instances sharing one database start one round and post each intro once', async (t) => {
  const world = await createMattermostWorld(t)
  const { db, url } = await createTestDatabase(t)
  const clock = createManualClock('2026-11-23T09:00:00Z')
  const config = testConfig(world.env)
  const first = await buildApp({ config, db, gateway: world.gateway, clock, random: createRandom(1), delivery: fast })
  t.teardown(() => first.close())
  // On Postgres the second instance has its own connection pool, as a second process would.
  const db2 = url === undefined ? db : await openDatabase({ databaseUrl: url, dataDir: '', log: { info () {}, warn () {} } })
  if (db2 !== db) t.teardown(() => db2.close())
  const second = await buildApp({ config, db: db2, gateway: world.gateway, clock, random: createRandom(2), delivery: fast })
  t.teardown(() => second.close())
  const names = Array.from({ length: 40 }, (_, i) => `person${i}`)
  for (const name of names) {
    world.person(name)
    await say(first, 'join', { userName: name })
  }
  await startNow(db.prisma, clock.now())
  world.mm.delayNext(40, 5, { method: 'POST', path: '/api/v4/posts' })
  const responses = await Promise.all([rounds(first), rounds(second), rounds(first), rounds(second)])
  t.same(responses.map((r) => r.status).sort(), [200, 200, 409, 409], 'a second call on a busy instance is refused, not queued')
  const results = responses.filter((r) => r.status === 200).map((r) => r.body)
  t.equal(results.reduce((n, r) => n + r.rounds.length, 0), 1, 'exactly one round started')
  t.equal(await db.prisma.round.count(), 1)
  t.equal(results.reduce((n, r) => n + r.deliveries.sent, 0), 20, 'twenty intros sent in all')
  t.same(introCounts({ ...world } as unknown as World).sort(), Array(20).fill(1), 'each group got exactly one intro')
  t.equal(new Set(world.mm.channelsOfType('G').flatMap((c) => world.mm.memberIds(c.id))).size, 41, 'forty people and the bot')
})

t.test('a pass that starts a round refreshes the planner\'s statistics before delivering (the claim query is planned from them)', async (t) => {
  const world = await setup(t)
  const estimate = async () => {
    const [row] = await world.db.prisma.$queryRaw<{ rows: number }[]>`SELECT reltuples::int AS rows FROM pg_class WHERE oid = '"GroupMember"'::regclass`
    return row!.rows
  }
  // Never analyzed yet (-1): the embedded database has no autovacuum, and a server's runs a minute later at best.
  t.equal(await estimate(), -1)
  const summary = await pass(world.app)
  t.equal(summary.rounds[0]?.groups, 3)
  t.equal(await estimate(), NAMES.length, 'the planner knows the round\'s group members')
})
