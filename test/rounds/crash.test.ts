// A real crash between plan and delivery (issue #3): the service runs as its own process against the fake Mattermost,
// is killed with SIGKILL in the middle of a round's intros, and is started again on the same database. The round
// must not be planned twice, and every group must get its intro exactly once — including the intros the dead
// process had posted without recording it — with Coffee's records matching what Mattermost holds.
//
// Timeline of the first test: the first process commits the round and leases every intro (one batch:
// DELIVERY_CONCURRENCY × 8 > the number of groups); each post takes POST_LATENCY_MS at the fake, so the intros take
// seconds. It is killed once the fake has KILL_AFTER posts and is holding at least one more (a post it will still
// make: the fake handles a request even when its client is gone). A second process, started at once, must leave the
// leased intros alone. A third, whose clock runs past the lease (test/helpers/shift-clock.ts; the lease is five
// minutes and not configurable), finishes them: it finds the posts the first process made but did not record, and
// posts only the missing ones. The second test (Postgres only) kills the service inside one particular window.
import t, { type Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { createPgliteDataDir, createRawTestDatabase, testServerUrl } from '../helpers/database.js'
import { ADMIN_TOKEN } from '../helpers/app.js'
import { startService as start, stopService, type RunningService } from '../helpers/service.js'
import { CHANNEL_ID, SLASH_TOKEN, slashFields, slashHeaders } from '../helpers/slash.js'
import { DEFAULT_DELIVERY_OPTIONS, DELIVERY_PROP } from '../../src/rounds/deliver.js'
import type { PassSummary } from '../../src/rounds/pass.js'

const PEOPLE = 24
const GROUPS = PEOPLE / 2
const CONCURRENCY = 2
const POST_LATENCY_MS = 250
const KILL_AFTER = 4

async function startService (t: Test, env: Record<string, string>, options: { clockShiftMs?: number } = {}): Promise<RunningService> {
  const service = await start(env, { ...options, timeoutMs: 30_000 })
  t.teardown(() => { if (service.proc.exitCode === null && service.proc.signalCode === null) service.proc.kill('SIGKILL') })
  return service
}

function admin (service: RunningService, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${service.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
}

async function pass (service: RunningService, body: Record<string, unknown> = {}): Promise<PassSummary> {
  const response = await admin(service, 'POST', '/rounds', body)
  const text = await response.text()
  if (response.status !== 200) throw new Error(`/rounds answered ${response.status}: ${text}\n${service.output()}`)
  return JSON.parse(text) as PassSummary
}

interface RoundsPage {
  total: number
  rounds: { number: number, eligible: number, groups: { channel_id: string | null, members: { username: string }[], deliveries: { intro: { state: string, post_id: string | null } | null } }[] }[]
}

async function roundsPage (service: RunningService): Promise<RoundsPage> {
  const response = await admin(service, 'GET', `/api/channels/${CHANNEL_ID}/rounds?per_page=10`)
  if (response.status !== 200) throw new Error(`/api/…/rounds answered ${response.status}: ${await response.text()}`)
  return response.json() as Promise<RoundsPage>
}

async function until (what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

/**
 * The fake Mattermost with `people` in the channel, a database every process of the test shares (a throwaway
 * Postgres database, or PGlite in a directory on disk), and the service's environment.
 */
async function setup (t: Test, people: number, concurrency: number) {
  const world = await createMattermostWorld(t)
  const names = Array.from({ length: people }, (_, i) => `person${i}`)
  for (const name of names) world.person(name)
  let database: Record<string, string>
  let raw: Awaited<ReturnType<typeof createRawTestDatabase>> | undefined
  if (testServerUrl() === undefined) {
    // From the suite's migrated snapshot: an initdb in the child would add seconds, and is not the point.
    const dataDir = t.testdir()
    await createPgliteDataDir(dataDir)
    database = { DATA_DIR: dataDir }
  } else {
    raw = await createRawTestDatabase(t)
    database = { DATABASE_URL: raw.url! }
  }
  const env = { ...world.env, ...database, MATTERMOST_SLASH_TOKEN: SLASH_TOKEN, ADMIN_TOKEN, DELIVERY_CONCURRENCY: String(concurrency) }
  const { mm } = world
  return {
    mm,
    env,
    /** The Postgres database, for the test that holds a lock in it. */
    raw,
    postRequests: () => mm.requestsTo('POST', '/api/v4/posts'),
    introPosts: () => mm.channelsOfType('G').flatMap((c) => mm.posts(c.id)).filter((p) => String(p.props?.[DELIVERY_PROP] ?? '').startsWith('intro:')),
    /** Everyone joins with /coffee join, as people do. */
    async join (t: Test, service: RunningService) {
      const answers = await Promise.all(names.map(async (name) => {
        const response = await fetch(`${service.url}/coffee`, { method: 'POST', headers: slashHeaders(), body: slashFields({ text: 'join', userName: name }).toString() })
        return ((await response.json()) as { text?: string }).text
      }))
      t.same(answers.filter((text) => !/You're in/.test(text ?? '')), [], `all ${people} joined with /coffee join`)
      // These tests count intros; the channel's announcement has its own (test/rounds/announce.test.ts).
      world.person('chanadmin', { admin: true })
      const off = await fetch(`${service.url}/coffee`, { method: 'POST', headers: slashHeaders(), body: slashFields({ text: 'config announce off', userName: 'chanadmin' }).toString() })
      t.match(((await off.json()) as { text?: string }).text, /no more posts in this channel/)
    }
  }
}

/** What Mattermost and Coffee hold once the round is done: one round, one intro per group, recorded where it is. */
async function checkOutcome (t: Test, service: RunningService, world: Awaited<ReturnType<typeof setup>>, people: number) {
  const { mm } = world
  const groups = people / 2
  const intros = world.introPosts()
  t.equal(intros.length, groups, 'one intro per group, none lost')
  const keys = intros.map((p) => String(p.props?.[DELIVERY_PROP]))
  t.equal(new Set(keys).size, keys.length, 'no intro posted twice')
  const groupChannels = mm.channelsOfType('G')
  t.equal(groupChannels.length, groups, 'one group message per group')
  t.same(groupChannels.map((c) => mm.posts(c.id).length), Array(groups).fill(1), 'each group message holds exactly one post')
  t.equal(new Set(groupChannels.flatMap((c) => mm.memberIds(c.id))).size, people + 1, 'everyone (and the bot) in exactly one group')

  const final = await roundsPage(service)
  t.equal(final.total, 1, 'exactly one round')
  t.match(final.rounds[0], { number: 1, eligible: people })
  t.same(introStates(final), Array(groups).fill('sent'), 'every intro recorded as sent')
  for (const group of final.rounds[0]!.groups) {
    const posts = group.channel_id === null ? [] : mm.posts(group.channel_id)
    t.same(posts.map((p) => p.id), [group.deliveries.intro?.post_id], `group ${group.members.map((m) => m.username).join(' + ')}: its channel and post are recorded, and are the ones at Mattermost`)
  }
  t.same((await pass(service)).deliveries, { sent: 0, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 }, 'nothing left to do')
}

function introStates (page: RoundsPage) {
  return page.rounds[0]!.groups.map((g) => g.deliveries.intro?.state)
}

t.test('SIGKILL in the middle of a round, then restarts: one round, every intro exactly once', async (t) => {
  const world = await setup(t, PEOPLE, CONCURRENCY)
  const { mm, env, postRequests, introPosts } = world

  // ---- the first process: people join through /coffee, a forced round starts, and the process dies mid-way ----
  const first = await startService(t, env)
  await world.join(t, first)
  mm.delayNext(1000, POST_LATENCY_MS, { method: 'POST', path: '/api/v4/posts' })
  const interrupted = pass(first, { force: true }).then(() => 'completed', (error: unknown) => `failed: ${(error as Error).message}`)
  await until(`${KILL_AFTER} intros posted and another one in flight`, () => introPosts().length >= KILL_AFTER && postRequests().some((r) => r.status === 0), 20_000)
  // Synchronously after the check: the fake runs in this process, so nothing has moved in between.
  const postedAtKill = introPosts().length
  const inFlightAtKill = postRequests().filter((r) => r.status === 0).length
  const killed = await stopService(first, 'SIGKILL')
  t.same(killed, { code: null, signal: 'SIGKILL' }, 'the first process was killed')
  t.match(await interrupted, /^failed: /, 'its /rounds pass never answered')
  t.ok(postedAtKill >= KILL_AFTER && postedAtKill < GROUPS, `killed mid-round: ${postedAtKill} of ${GROUPS} intros posted`)
  t.ok(inFlightAtKill >= 1, `${inFlightAtKill} intro(s) in flight at the kill`)
  // The fake finishes what it had received: posts the dead process will never hear of. (A request the process wrote
  // just before it died may still be read after the check above, hence the pause and the >=.)
  await sleep(100)
  await until('the in-flight posts to land', () => postRequests().every((r) => r.status !== 0), 5_000)
  const postedBeforeRestart = introPosts().length
  t.ok(postedBeforeRestart >= postedAtKill + inFlightAtKill, `the posts in flight went through after the kill (${postedBeforeRestart} in all)`)
  t.ok(postedBeforeRestart < GROUPS, 'some intros were never posted')

  // ---- a second process at once: the round is there, its intros are leased by the dead process ----
  const second = await startService(t, env)
  const afterCrash = await roundsPage(second)
  t.equal(afterCrash.total, 1, 'the round was committed before the crash')
  const planned = afterCrash.rounds[0]!
  t.equal(planned.groups.length, GROUPS)
  const recorded = introStates(afterCrash).filter((s) => s === 'sent').length
  // A worker's result is recorded before it posts twice more, so every post request but each worker's last two is recorded.
  t.ok(recorded >= postedAtKill + inFlightAtKill - 2 * CONCURRENCY, `${recorded} intros recorded as sent before the kill`)
  t.ok(recorded < postedBeforeRestart, 'some posts were made but never recorded')
  t.equal(introStates(afterCrash).filter((s) => s === 'pending').length, GROUPS - recorded, 'the others are pending')

  const requestsBefore = postRequests().length
  const leased = await pass(second)
  t.same(leased.rounds, [], 'no second round')
  t.same(leased.deliveries, { sent: 0, retried: 0, failed: 0, pending: GROUPS - recorded, superseded: 0, expired: 0 }, 'leased intros are not taken over')
  t.same(leased.errors, [])
  t.equal(postRequests().length, requestsBefore, 'nothing posted while the lease holds')
  t.same(await stopService(second, 'SIGTERM'), { code: 0, signal: null }, 'the second process stops cleanly')

  // ---- a third process once the lease has run out: it finishes the round ----
  const third = await startService(t, env, { clockShiftMs: DEFAULT_DELIVERY_OPTIONS.leaseMs + 60_000 })
  mm.clearRequests()
  const finished = await pass(third)
  t.same(finished.rounds, [], 'still no second round')
  t.same(finished.deliveries, { sent: GROUPS - recorded, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 }, 'every pending intro accounted for')
  t.same(finished.errors, [])
  t.equal(postRequests().length, GROUPS - postedBeforeRestart, 'only the intros never posted were posted')
  t.ok(mm.requestsTo('GET', /^\/api\/v4\/channels\/\w+\/posts$/).length >= GROUPS - recorded, 'each unfinished intro first looked for an earlier post')

  await checkOutcome(t, third, world, PEOPLE)
  t.same(await stopService(third, 'SIGTERM'), { code: 0, signal: null })
})

// The narrowest window: the process dies while it records intros that went out, so nothing holds the groups' new
// channels. On Postgres the test can hold that moment open: it locks the round's group rows from its own connection
// while Mattermost is still answering the first channel request, waits until the service's write of the results (which
// gives each group its channel) is blocked on that lock and both intros are posted (the second does not wait for the
// first to be recorded), and kills the process there. A statement already at the server would still run (and commit)
// once the lock goes, although its client is dead; so the test also ends that statement's backend, as if the process
// had died just before sending it. The retry opens the same group messages (Mattermost keeps one per set of people)
// and finds the posts there.
t.test('SIGKILL while the intros\' results are being recorded: the retry finds them in the same group messages', {
  skip: testServerUrl() === undefined ? 'needs Postgres (TEST_DATABASE_URL): the test holds a row lock from its own connection' : false
}, async (t) => {
  const people = 4
  const world = await setup(t, people, 1)
  const { mm, env } = world
  const sql = world.raw!.sql
  const first = await startService(t, env)
  await world.join(t, first)
  const openRequests = () => mm.requestsTo('POST', '/api/v4/channels/group')
  mm.delayNext(1, 3000, { method: 'POST', path: '/api/v4/channels/group' })
  const interrupted = pass(first, { force: true }).then(() => 'completed', (error: unknown) => `failed: ${(error as Error).message}`)
  await until('the first group message to be requested', () => openRequests().length === 1, 20_000)

  // The statement that records results (pg_stat_activity shows only its first 1,024 characters: the update of
  // "Delivery" is in them, the update of "Group" that waits is not).
  const blockedOnGroup = async () => (await sql.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%UPDATE "Delivery" d%SET state%'`)).map((r) => r.pid)
  await sql.withSession(async (locker) => {
    await locker.exec('BEGIN')
    // The round and its groups are committed: the intros are being delivered.
    const locked = await locker.query('SELECT id FROM "Group" FOR UPDATE')
    t.equal(locked.length, people / 2, 'the groups are locked')
    t.equal(openRequests()[0]!.status, 0, 'before Mattermost answered the channel request')
    const deadline = Date.now() + 20_000
    let blocked: number[] = []
    while ((blocked = await blockedOnGroup()).length === 0) {
      if (Date.now() > deadline) throw new Error(`the service never blocked on "Group":\n${first.output()}`)
      await sleep(10)
    }
    t.equal(blocked.length, 1, 'the service is recording the first intro')
    await until('the second intro to be posted meanwhile', () => world.introPosts().length === 2, 20_000)
    t.same(await stopService(first, 'SIGKILL'), { code: null, signal: 'SIGKILL' }, 'killed there')
    t.same(await locker.query('SELECT pg_terminate_backend($1) AS ended', [blocked[0]]), [{ ended: true }], 'its statement never runs')
    await locker.exec('ROLLBACK')
  })
  t.match(await interrupted, /^failed: /, 'its /rounds pass never answered')
  t.equal(world.introPosts().length, 2, 'both intros were posted')

  const second = await startService(t, env, { clockShiftMs: DEFAULT_DELIVERY_OPTIONS.leaseMs + 60_000 })
  const unrecorded = await roundsPage(second)
  t.same(introStates(unrecorded), ['pending', 'pending'], 'neither intro recorded')
  t.same(unrecorded.rounds[0]!.groups.map((g) => g.channel_id), [null, null], 'no group holds a channel yet')
  const finished = await pass(second)
  t.same(finished.rounds, [], 'no second round')
  t.same(finished.deliveries, { sent: people / 2, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
  await checkOutcome(t, second, world, people)
  t.same(await stopService(second, 'SIGTERM'), { code: 0, signal: null })
})
