// Child process: the service itself (the real app on a real database) starting one big round, and a baseline of
// the same Mattermost calls made directly through the gateway, with the same concurrency, in the same process.
import { performance } from 'node:perf_hooks'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrate.js'
import { createGateway } from '../../src/mattermost/gateway.js'
import { createRandom } from '../../src/core/matching/index.js'
import { renderIntro, DELIVERY_PROP } from '../../src/rounds/render.js'
import { followupPost } from '../../src/core/followup-post.js'
import { actionsKey } from '../../src/core/buttons.js'
import { ICEBREAKERS } from '../../src/core/icebreakers.js'
import { deliveryKeys } from '../../src/core/plan-round.js'
import { benchUserId, BENCH_CHANNEL_ID, BENCH_TEAM_ID } from './ids.js'

const [url, token, peopleArg, databaseUrl, mode] = process.argv.slice(2)
const people = Number(peopleArg)
const quiet = { info () {}, warn () {} }
const concurrency = 8
const ADMIN = 'bench-admin-token-0123456789'
const SERVICE_URL = 'http://coffee.bench'

const gateway = createGateway({ url: url!, token: token!, timeoutMs: 30_000 })

if (mode === 'baseline') {
  // The Mattermost work of each round and nothing else, in a process of its own so that it does not weigh on the
  // service's memory. Round 1: a group channel and an intro per pair. Round 2: a follow-up in each of round 1's
  // channels, then a new group channel and an intro per new pair, as the service's second round makes them. Each post
  // is what the service posts (the same text, buttons and props; rendered before the clock starts, since rendering is
  // Coffee's work), so that Mattermost parses, stores and answers the same bytes.
  const pairs = people / 2
  const render = { actionsUrl: `${SERVICE_URL}/actions`, actionsKey: actionsKey(undefined, token!) }
  const intro = (round: number, i: number, members: [string, string]) => {
    const { message, props } = renderIntro({
      program: { channelName: 'everyone', followupHours: 72 },
      roundNumber: round,
      group: { id: i + 1 + (round - 1) * pairs, icebreakers: ICEBREAKERS.slice(i % 20, i % 20 + 2), meetingWindow: '', members: members.map((id) => ({ userId: id, username: `baseline${id.slice(1, 9).replace(/^0+(?=.)/, '')}`, fullName: '', position: '' })) },
      acquainted: []
    }, render)
    return { message, props: { ...props, [DELIVERY_PROP]: `baseline-${deliveryKeys.intro(1, round, i)}` } }
  }
  const firstPairs = Array.from({ length: pairs }, (_, i): [string, string] => [benchUserId('b', 2 * i), benchUserId('b', 2 * i + 1)])
  const secondPairs = Array.from({ length: pairs }, (_, i): [string, string] => [benchUserId('b', 2 * i + 1), benchUserId('b', (2 * i + 2) % people)])
  const firstIntros = firstPairs.map((pair, i) => intro(1, i, pair))
  const secondIntros = secondPairs.map((pair, i) => intro(2, i, pair))
  const followups = firstPairs.map((pair, i) => {
    const post = followupPost({ kind: 'followup', groupId: i + 1, members: pair, answers: [], buttons: { actionsUrl: render.actionsUrl, key: render.actionsKey }, reminded: false })
    return { message: post.message, props: { attachments: post.attachments, [DELIVERY_PROP]: `baseline-${deliveryKeys.followup(i + 1)}` } }
  })
  const inParallel = async (count: number, work: (i: number) => Promise<void>) => {
    let next = 0
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++)
    }))
  }
  const firstStart = performance.now()
  const firstChannels: string[] = []
  await inParallel(pairs, async (i) => {
    const channelId = await gateway.createGroupChannel(firstPairs[i]!)
    firstChannels[i] = channelId
    await gateway.createPost({ channelId, ...firstIntros[i]! })
  })
  const firstMs = performance.now() - firstStart
  const secondStart = performance.now()
  await inParallel(pairs, async (i) => { await gateway.createPost({ channelId: firstChannels[i]!, ...followups[i]! }) })
  await inParallel(pairs, async (i) => {
    const channelId = await gateway.createGroupChannel(secondPairs[i]!)
    await gateway.createPost({ channelId, ...secondIntros[i]! })
  })
  const secondMs = performance.now() - secondStart
  process.send!({ type: 'baseline', baselineMs: [firstMs, secondMs], maxRssMb: process.resourceUsage().maxRSS / 1024 })
  process.exit(0)
}

const db = await openDatabase({ databaseUrl: databaseUrl === '' ? undefined : databaseUrl, dataDir: ':memory:', log: quiet })
await applyMigrations(db.sql, { log: quiet })

const program = await db.prisma.program.create({ data: { teamId: BENCH_TEAM_ID, channelId: BENCH_CHANNEL_ID, channelName: 'everyone' } })
// Seeded in SQL, so that the set-up does not weigh on the memory measured for the round.
await db.sql.query(`
  INSERT INTO "Participant" ("programId", "userId", username, "updatedAt")
  SELECT $1, rpad('p' || lpad(i::text, 8, '0'), 26, 'x'), 'person' || i, now()
  FROM generate_series(0, $2 - 1) AS i`, [program.id, people])
if (benchUserId('p', people - 1) !== (await db.prisma.participant.findFirstOrThrow({ orderBy: { id: 'desc' } })).userId) throw new Error('bench ids disagree')
const config = loadConfig({ MATTERMOST_URL: url, MATTERMOST_BOT_TOKEN: token, ADMIN_TOKEN: ADMIN, PUBLIC_URL: SERVICE_URL, LOG_LEVEL: 'silent', DELIVERY_CONCURRENCY: String(concurrency) })
const app = await buildApp({ config, db, gateway, random: createRandom(1) })

const results = []
for (const round of [1, 2]) {
  const rssBefore = process.memoryUsage().rss
  const started = performance.now()
  const response = await app.inject({ method: 'POST', url: '/rounds', headers: { authorization: `Bearer ${ADMIN}` }, payload: { force: true } })
  const ms = performance.now() - started
  const body = response.json()
  results.push({ round, ms, status: response.statusCode, summary: { rounds: body.rounds?.map((r: { groups: number, eligible: number }) => ({ groups: r.groups, eligible: r.eligible })), deliveries: body.deliveries, errors: body.errors }, rssBeforeMb: rssBefore / 1048576 })
}
const maxRssMb = process.resourceUsage().maxRSS / 1024
await app.close()
await db.close()
process.send!({ type: 'done', results, maxRssMb, database: db.kind })
