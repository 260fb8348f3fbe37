// Scale-out: two instances on one database, the scheduler hitting both at once during a 2,000-person round.
// The database must make it one round with every intro posted exactly once.
import t from 'tap'
import { testConfig } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { createTestDatabase } from '../helpers/database.js'
import { rounds } from '../helpers/rounds.js'
import { buildApp } from '../../src/app.js'
import { openDatabase } from '../../src/db/database.js'
import { createManualClock } from '../../src/clock.js'
import { createRandom } from '../../src/core/matching/index.js'
import { CHANNEL_ID, TEAM_ID } from '../helpers/slash.js'

const PEOPLE = 2000

t.test('two instances, one database, both hit at once: one round, every intro once', async (t) => {
  const world = await createMattermostWorld(t)
  const { db, url } = await createTestDatabase(t)
  const program = await db.prisma.program.create({ data: { teamId: TEAM_ID, channelId: CHANNEL_ID, channelName: 'town-square', startAt: new Date('2026-11-23T09:00:00Z') } })
  const people = Array.from({ length: PEOPLE }, (_, i) => world.mm.addUser({ username: `person${i}` }))
  for (const person of people) world.mm.addMember(CHANNEL_ID, person.id)
  await db.prisma.participant.createMany({ data: people.map((p) => ({ programId: program.id, userId: p.id, username: p.username })) })

  const clock = createManualClock('2026-11-23T09:00:00Z')
  const config = testConfig({ ...world.env, DELIVERY_CONCURRENCY: '8' })
  // On Postgres the second instance has its own pool, as a second process would; PGlite serves one process.
  const db2 = url === undefined ? db : await openDatabase({ databaseUrl: url, dataDir: '', log: { info () {}, warn () {} } })
  const apps = await Promise.all([db, db2].map((database, i) => buildApp({ config, db: database, gateway: world.gateway, clock, random: createRandom(i + 1), delivery: { retryDelaysMs: [1, 1] } })))
  t.teardown(async () => {
    for (const app of apps) await app.close()
    if (db2 !== db) await db2.close()
  })
  // A little latency so that both passes are really in flight together.
  world.mm.delayNext(200, 2, { method: 'POST', path: '/api/v4/posts' })

  const [a, b] = await Promise.all([rounds(apps[0]!), rounds(apps[1]!)])
  t.equal(a.status, 200)
  t.equal(b.status, 200)
  t.equal(a.body.rounds.length + b.body.rounds.length, 1, 'one instance started the round')
  const started = a.body.rounds[0] ?? b.body.rounds[0]!
  t.match(started, { eligible: PEOPLE, groups: PEOPLE / 2 })
  t.equal(await db.prisma.round.count(), 1)
  // The intros, and the channel's announcement of the round (on by default).
  t.equal(a.body.deliveries.sent + b.body.deliveries.sent, PEOPLE / 2 + 1, 'the two instances shared the intros and the announcement')
  t.equal(await db.prisma.delivery.count({ where: { state: { not: 'sent' } } }), 0, 'nothing left pending')

  const keys = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).map((p) => String(p.props?.coffee_delivery))
  t.equal(keys.length, PEOPLE / 2, 'one post per group')
  t.equal(new Set(keys).size, keys.length, 'no intro twice')
  const met = new Set(world.mm.channelsOfType('G').flatMap((c) => world.mm.memberIds(c.id)))
  t.equal(met.size, PEOPLE + 1, 'everyone (and the bot) is in exactly one group channel')
  t.equal(await db.prisma.delivery.count({ where: { state: 'sent' } }), PEOPLE / 2 + 1)
  t.equal(world.mm.posts(CHANNEL_ID).filter((p) => p.user_id === world.bot.id).length, 1, 'one announcement in the channel')
})
