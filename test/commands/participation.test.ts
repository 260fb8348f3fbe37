// Every participation command, through the real app and database, with an injected clock.
import t from 'tap'
import { createTestApp } from '../helpers/app.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { createParticipationStore } from '../../src/store/participation.js'
import { createMattermostWorld } from '../helpers/mattermost.js'

async function participant (db: Awaited<ReturnType<typeof createTestApp>>['db'], userName = 'alice') {
  const program = await db.prisma.program.findUniqueOrThrow({ where: { channelId: CHANNEL_ID } })
  return db.prisma.participant.findUnique({ where: { programId_userId: { programId: program.id, userId: mmId(userName) } } })
}

t.test('join is idempotent and says so', async (t) => {
  const { app, db } = await createTestApp(t)
  t.match(await say(app, 'join'), /You're in!/)
  t.match(await say(app, 'join'), /already in/)
  t.equal(await db.prisma.participant.count(), 1)
  const row = await participant(db)
  t.equal(row?.status, 'active')
  t.equal(row?.username, 'alice')
  t.same(row?.joinedAt, new Date('2026-11-23T09:00:00Z'), 'the injected clock is used')
})

t.test('a first join in a running program writes a complete row; simultaneous joins make one', async (t) => {
  const { app, db } = await createTestApp(t)
  await say(app, 'join') // creates the program
  t.match(await say(app, 'join', { userName: 'bob' }), /You're in! ☕ .*Rounds run every week/)
  const now = new Date('2026-11-23T09:00:00Z')
  const fresh = { status: 'active', username: 'bob', skipNext: false, pausedUntil: null, autoPausedAt: null, leftAt: null }
  t.match(await participant(db, 'bob'), { ...fresh, joinedAt: now, lastSeenAt: now, updatedAt: now })
  const answers = await Promise.all(Array.from({ length: 6 }, () => say(app, 'join', { userName: 'carol' })))
  t.equal(answers.filter((text) => /You're in!/.test(text)).length, 1, 'one of them joined')
  t.equal(answers.filter((text) => /already in/.test(text)).length, 5, 'the others were told so')
  t.equal(await db.prisma.participant.count(), 3)
})

t.test('a visit (a sign of life) is stamped by every write of the person\'s row and by status, at most once a minute', async (t) => {
  const { app, db, clock } = await createTestApp(t)
  const seen = async () => (await participant(db))?.lastSeenAt?.toISOString()
  await say(app, 'join')
  t.equal(await seen(), '2026-11-23T09:00:00.000Z', 'join')
  clock.advance(3_600_000)
  await say(app, 'skip')
  t.equal(await seen(), '2026-11-23T10:00:00.000Z', 'skip writes the row, and the visit with it')
  clock.advance(3_600_000)
  await say(app, 'stats')
  await say(app, 'help')
  t.equal(await seen(), '2026-11-23T10:00:00.000Z', 'reading the numbers or the help is not a visit')
  await say(app, 'status')
  t.equal(await seen(), '2026-11-23T11:00:00.000Z', 'status is')
  clock.advance(30_000)
  await say(app, 'status')
  t.equal(await seen(), '2026-11-23T11:00:00.000Z', 'not written again within the minute')
  await say(app, 'status', { userName: 'nobody' })
  t.equal(await db.prisma.participant.count(), 1, 'status by someone who never joined writes nothing')
})

t.test('leave keeps the row; joining again reactivates it', async (t) => {
  const { app, db } = await createTestApp(t)
  t.match(await say(app, 'leave'), /not taking part/)
  await say(app, 'join')
  t.match(await say(app, 'leave'), /You've left/)
  const left = await participant(db)
  t.equal(left?.status, 'left')
  t.ok(left?.leftAt)
  t.match(await say(app, 'status'), /not taking part/)
  t.match(await say(app, 'join'), /You're in!/)
  t.equal((await participant(db))?.status, 'active')
  t.equal(await db.prisma.participant.count(), 1)
})

t.test('skip sits out the next round only', async (t) => {
  const { app, db } = await createTestApp(t)
  t.match(await say(app, 'skip'), /not taking part/)
  await say(app, 'join')
  t.match(await say(app, 'skip'), /sit out the next round/)
  t.equal((await participant(db))?.skipNext, true)
  t.match(await say(app, 'skip'), /already skipping/)
  t.match(await say(app, 'status'), /sitting out the next round/)
  t.match(await say(app, 'resume'), /Welcome back/)
  t.equal((await participant(db))?.skipNext, false)
})

t.test('pause for a duration or until a date, with clear errors', async (t) => {
  const { app, db, clock } = await createTestApp(t)
  t.match(await say(app, 'pause 2w'), /not taking part/)
  await say(app, 'join')
  t.match(await say(app, 'pause 2w'), /paused until \*\*Mon 7 Dec 2026\*\*/)
  t.same((await participant(db))?.pausedUntil, new Date('2026-12-07T09:00:00Z'))
  t.match(await say(app, 'pause until 2026-12-24'), /Thu 24 Dec 2026/)
  t.same((await participant(db))?.pausedUntil, new Date('2026-12-24T00:00:00Z'))
  t.match(await say(app, 'status'), /paused\*\* until Thu 24 Dec 2026/)
  t.match(await say(app, 'pause until 2025-01-01'), /already past/)
  t.match(await say(app, 'pause 20 years'), /couldn't read/)
  t.match(await say(app, 'pause 500d'), /a year at most/)
  t.match(await say(app, 'pause'), /How long/)
  t.same((await participant(db))?.pausedUntil, new Date('2026-12-24T00:00:00Z'), 'bad input changed nothing')
  clock.set('2026-12-25T00:00:00Z')
  t.match(await say(app, 'status'), /You're \*\*in\*\* for the next round/, 'the pause ends by itself')
  t.match(await say(app, 'resume'), /not paused or skipping/)
})

t.test('resume ends a pause early', async (t) => {
  const { app, db } = await createTestApp(t)
  await say(app, 'join')
  await say(app, 'pause 10d')
  t.match(await say(app, 'RESUME'), /Welcome back/)
  t.equal((await participant(db))?.pausedUntil, null)
})

t.test('status describes the program and the next round', async (t) => {
  const { app, db } = await createTestApp(t)
  t.match(await say(app, 'status'), /has not started in this channel/)
  await say(app, 'join')
  const text = await say(app, 'status')
  t.match(text, /You're \*\*in\*\* for the next round/)
  t.match(text, /Rounds run every week in groups of 2/)
  t.match(text, /Next round: not scheduled yet: a channel admin picks the day and time with `\/coffee config start monday 10:00`\./)
  const program = await db.prisma.program.findUniqueOrThrow({ where: { channelId: CHANNEL_ID } })
  await db.prisma.round.create({ data: { programId: program.id, number: 1, startedAt: new Date('2026-11-20T09:00:00Z'), followupAt: new Date('2026-11-23T09:00:00Z'), groupSize: 2, eligibleCount: 2 } })
  t.match(await say(app, 'status'), /Next round: Fri 27 Nov 2026, 09:00 \(UTC\)\./, 'a program whose rounds began before starts existed keeps its anchor')
  await db.prisma.program.update({ where: { id: program.id }, data: { paused: true } })
  t.match(await say(app, 'status'), /paused\*\* in this channel by an admin/)
})

t.test('in everyone-here mode people are in until they leave', async (t) => {
  const { app, db } = await createTestApp(t)
  const store = createParticipationStore(db.prisma)
  const program = await store.ensureProgram({ teamId: 't', channelId: CHANNEL_ID, channelName: 'town-square' })
  await store.updateProgram(program.id, { mode: 'channel' })
  t.match(await say(app, 'status', { userName: 'carol' }), /You're \*\*in\*\*/)
  t.match(await say(app, 'skip', { userName: 'carol' }), /sit out/)
  t.match(await say(app, 'leave', { userName: 'dave' }), /You've left/)
  t.equal((await participant(db, 'dave'))?.status, 'left')
  t.match(await say(app, 'status', { userName: 'dave' }), /not taking part/)
})

t.test('block and unblock are confidential and resolve mentions', async (t) => {
  const world = await createMattermostWorld(t)
  world.person('bob')
  const { app, db } = await createTestApp(t, { gateway: world.gateway })
  const lookups = () => world.mm.requestsTo('GET', /^\/api\/v4\/users\/username\//).length
  t.match(await say(app, 'block @bob'), /never be grouped with @bob.*they are not told/)
  t.equal(lookups(), 1)
  t.match(await say(app, 'block bob'), /already blocked/)
  t.match(await say(app, 'block @carol', { mentions: { '@carol': mmId('carol') } }), /never be grouped with @carol/)
  t.equal(lookups(), 2, 'mentions Mattermost resolved need no lookup')
  t.equal(world.mm.requestsTo('POST', '/api/v4/posts').length, 0, 'nobody is told')
  t.match(await say(app, 'block @nobody'), /couldn't find anyone called @nobody/)
  t.match(await say(app, 'block @alice', { mentions: { alice: mmId('alice') } }), /can't block yourself/)
  t.match(await say(app, 'block'), /Who\?/)
  const blocks = await db.prisma.block.findMany({ orderBy: { blockedId: 'asc' } })
  t.same(blocks.map((b) => [b.blockerId, b.blockedId]), [[mmId('alice'), mmId('bob')], [mmId('alice'), mmId('carol')]])
  t.match(await say(app, 'unblock @bob'), /Unblocked @bob/)
  t.match(await say(app, 'unblock @bob'), /had not blocked/)
  t.equal(await db.prisma.block.count(), 1)
})

t.test('block without a Mattermost connection explains what the admin must set', async (t) => {
  const { app } = await createTestApp(t)
  t.match(await say(app, 'block @bob'), /MATTERMOST_URL and MATTERMOST_BOT_TOKEN/)
})

t.test('state survives a restart of the app on the same database', async (t) => {
  const { app, db } = await createTestApp(t)
  await say(app, 'join')
  await say(app, 'skip')
  await app.close()
  const { buildApp } = await import('../../src/app.js')
  const { testConfig } = await import('../helpers/app.js')
  const again = await buildApp({ config: testConfig(), db })
  t.teardown(() => again.close())
  t.match(await say(again, 'status'), /sitting out the next round/)
})
