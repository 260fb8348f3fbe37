// Issue #12: a round's intros that could not go out in time are never sent late. A newer round supersedes them, half a
// cadence expires them; a follow-up never goes to a group whose intro did not go out; retries after an outage do not
// wait long once Mattermost answers; a failed pass gives back what it had claimed.
import t, { type Test } from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { ADMIN_TOKEN } from '../helpers/app.js'
import { CHANNEL_ID, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { DELIVERY_PROP, deliverPending, MAX_BACKOFF_MS, DEFAULT_DELIVERY_OPTIONS } from '../../src/rounds/deliver.js'
import { createRoundsStore } from '../../src/store/rounds.js'

const NAMES = ['alice', 'bob', 'carol', 'dave']
const WRITES = /^\/api\/v4\/(posts|channels\/(group|direct))$/

async function setup (t: Test) {
  return createJoinedWorld(t, NAMES, { seed: 5 })
}
type World = Awaited<ReturnType<typeof setup>>

/** Mattermost reads work, its writes fail (a 503 on every post and group message) until told otherwise. */
function writesFail (world: World) {
  world.mm.failNext(100_000, 503, { method: 'POST', path: WRITES })
}

/** The intro posts each person received, by username. */
function introsPerPerson (world: World): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(NAMES.map((n) => [n, 0]))
  for (const channel of world.mm.channelsOfType('G')) {
    const intros = world.mm.posts(channel.id).filter((p) => String(p.props?.[DELIVERY_PROP] ?? '').startsWith('intro:')).length
    for (const id of world.mm.memberIds(channel.id)) {
      const name = NAMES.find((n) => mmId(n) === id)
      if (name !== undefined) counts[name]! += intros
    }
  }
  return counts
}

async function roundsApi (world: World) {
  const response = await world.app.inject({ method: 'GET', url: `/api/channels/${CHANNEL_ID}/rounds`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  return response.json() as { rounds: { number: number, groups: { deliveries: { intro: { state: string } | null, followup: { state: string } | null } }[] }[] }
}

t.test('a round superseded while its intros were pending is never sent: nobody gets two intros in one week', async (t) => {
  const world = await setup(t)
  writesFail(world)
  const first = await pass(world.app, { force: true })
  t.equal(first.rounds.length, 1, 'round 1 committed while Mattermost refuses writes')
  t.match(first.deliveries, { sent: 0, retried: 2, pending: 2 })

  world.mm.clearFaults()
  world.clock.advance(30_000) // an admin forces round 2 before round 1's backoff is over
  const second = await pass(world.app, { force: true })
  t.equal(second.rounds[0]?.round, 2)
  t.same(second.deliveries, { sent: 2, retried: 0, failed: 0, pending: 0, superseded: 2, expired: 0 }, "round 2 sent, round 1's intros retired")
  t.same(introsPerPerson(world), { alice: 1, bob: 1, carol: 1, dave: 1 })

  for (const minutes of [5, 60, 4 * 24 * 60]) {
    world.clock.advance(minutes * 60_000)
    await pass(world.app)
  }
  t.same(introsPerPerson(world), { alice: 1, bob: 1, carol: 1, dave: 1 }, 'still one intro each, after any backoff and past round 1\'s follow-up time')
  const api = await roundsApi(world)
  const round1 = api.rounds.find((r) => r.number === 1)!
  t.same(round1.groups.map((g) => [g.deliveries.intro?.state, g.deliveries.followup]), [['superseded', null], ['superseded', null]], 'the rounds API says so')
  const followups = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).filter((p) => String(p.props?.[DELIVERY_PROP] ?? '').startsWith('followup:'))
  t.equal(followups.length, 2, "round 2's groups were asked; round 1's never were")
})

t.test('intros older than half the cadence expire instead of going out late', async (t) => {
  const world = await setup(t)
  writesFail(world)
  await pass(world.app, { force: true })
  world.mm.clearFaults()
  world.clock.advance(4 * 24 * 60 * 60_000) // a weekly round, four days on: Mattermost was down that long
  const late = await pass(world.app)
  t.same(late.rounds, [], 'round 2 is not due yet')
  t.same(late.deliveries, { sent: 0, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 2 })
  t.same(introsPerPerson(world), { alice: 0, bob: 0, carol: 0, dave: 0 })
  const states = await world.db.prisma.delivery.findMany({ select: { state: true, lastError: true } })
  t.match(states, [{ state: 'expired', lastError: /too late/ }, { state: 'expired', lastError: /too late/ }])
})

t.test('a follow-up for a group whose intro never went out is never sent', async (t) => {
  const world = await setup(t)
  writesFail(world)
  await pass(world.app, { force: true })
  world.mm.clearFaults()
  world.clock.advance(60_000)
  await pass(world.app, { force: true })
  // A follow-up queued for one of round 1's groups (by an older instance, say) all the same.
  const group = await world.db.prisma.group.findFirstOrThrow({ where: { round: { number: 1 } } })
  await world.db.prisma.delivery.create({ data: { dedupeKey: `followup:${group.id}`, kind: 'followup', roundId: group.roundId, groupId: group.id, nextAttemptAt: world.clock.now(), createdAt: world.clock.now() } })
  world.clock.advance(3 * 24 * 60 * 60_000)
  const summary = await pass(world.app)
  t.equal(summary.deliveries.superseded, 1, 'it goes the way of its intro')
  const followup = await world.db.prisma.delivery.findUniqueOrThrow({ where: { dedupeKey: `followup:${group.id}` } })
  t.equal(followup.state, 'superseded')
  t.equal(world.mm.requestsTo('POST', '/api/v4/posts').filter((r) => String((r.body as { props?: Record<string, unknown> }).props?.[DELIVERY_PROP]) === `followup:${group.id}`).length, 0, 'never posted')
})

t.test('backoff after failures is capped, and a call that finds Mattermost back retries at once', async (t) => {
  const world = await setup(t)
  writesFail(world)
  await pass(world.app, { force: true })
  for (let i = 0; i < 5; i++) {
    world.clock.advance(MAX_BACKOFF_MS)
    await pass(world.app)
  }
  const waiting = await world.db.prisma.delivery.findMany({ where: { kind: 'intro' } })
  t.ok(waiting.every((d) => d.attempts >= 18), 'many failed attempts')
  for (const d of waiting) t.ok(d.nextAttemptAt.getTime() - world.clock.now().getTime() <= MAX_BACKOFF_MS, 'the next attempt at most the cap away')

  world.mm.clearFaults()
  world.clock.advance(1000) // well before the backoff is over
  const back = await pass(world.app)
  t.match(back.deliveries, { sent: 2, pending: 0 }, 'sent in the first call after Mattermost came back')
  t.same(introsPerPerson(world), { alice: 1, bob: 1, carol: 1, dave: 1 })
})

t.test('a pass that fails gives back the deliveries it had claimed', async (t) => {
  const world = await setup(t)
  const store = createRoundsStore(world.db.prisma)
  writesFail(world)
  await pass(world.app, { force: true }) // round 1 committed; its intros backing off
  world.mm.clearFaults()
  world.clock.advance(MAX_BACKOFF_MS)
  const silent = { info () {}, warn () {}, error () {}, debug () {}, child () { return this } } as never
  // The database breaks while results are written: the pass fails holding its claimed intros.
  const broken = { ...store, recordResults: async () => { throw new Error('the database went away') } }
  const abandonedLeases = new Set<number>()
  const deps = { store: broken, gateway: world.gateway, clock: world.clock, log: silent, publicUrl: 'http://coffee.test', actionsKey: 'k'.repeat(32), abandonedLeases }
  await t.rejects(deliverPending(deps, { ...DEFAULT_DELIVERY_OPTIONS, retryDelaysMs: [1] }), /went away/)
  const leased = await world.db.prisma.delivery.count({ where: { leaseUntil: { not: null } } })
  t.equal(leased, 0, 'no lease left behind')
  // The posts went through without being recorded: the next pass finds them instead of posting again.
  const summary = await pass(world.app)
  t.match(summary.deliveries, { sent: 2, pending: 0 })
  t.same(introsPerPerson(world), { alice: 1, bob: 1, carol: 1, dave: 1 })
})

t.test('a lease a failed pass could not give back (the database was gone) is given back by the next', async (t) => {
  const world = await setup(t)
  const store = createRoundsStore(world.db.prisma)
  writesFail(world)
  await pass(world.app, { force: true })
  world.mm.clearFaults()
  world.clock.advance(MAX_BACKOFF_MS)
  const silent = { info () {}, warn () {}, error () {}, debug () {}, child () { return this } } as never
  const gone = async () => { throw new Error('the database went away') }
  const broken = { ...store, recordResults: gone, releaseLeases: gone }
  const abandonedLeases = new Set<number>()
  const base = { gateway: world.gateway, clock: world.clock, log: silent, publicUrl: 'http://coffee.test', actionsKey: 'k'.repeat(32), abandonedLeases }
  await t.rejects(deliverPending({ ...base, store: broken }), /went away/)
  t.equal(abandonedLeases.size, 2, 'remembered')
  t.equal(await world.db.prisma.delivery.count({ where: { leaseUntil: { not: null } } }), 2, 'still leased')
  const counts = await deliverPending({ ...base, store }) // the database is back: well inside the lease
  t.match(counts, { sent: 2 })
  t.equal(abandonedLeases.size, 0)
  t.same(introsPerPerson(world), { alice: 1, bob: 1, carol: 1, dave: 1 }, 'found, not posted twice')
})
