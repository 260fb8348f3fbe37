// POST and GET /api/channels/:id/history: importing another tool's groups (CSV or JSON) and exporting them again,
// against the fake Mattermost (usernames resolved through POST /users/usernames) on the real database.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { ADMIN_TOKEN } from '../helpers/app.js'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { DAY_MS } from '../../src/core/durations.js'
import { tablesOf } from '../helpers/mattermost-markdown.js'

const HISTORY = `/api/channels/${CHANNEL_ID}/history`

async function post (app: FastifyInstance, payload: string | object, contentType = typeof payload === 'string' ? 'text/csv' : 'application/json', url = HISTORY) {
  const response = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
  })
  return { status: response.statusCode, body: response.json() }
}

async function exportCsv (app: FastifyInstance, accept = 'text/csv') {
  const response = await app.inject({ method: 'GET', url: HISTORY, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept } })
  return { status: response.statusCode, type: response.headers['content-type'], body: response.body }
}

/** Everything the import may write, counted: a second import must leave these as they were. */
async function counts (world: { db: { prisma: import('../../src/generated/prisma/client.js').PrismaClient } }) {
  const prisma = world.db.prisma
  return {
    rounds: await prisma.round.count(),
    groups: await prisma.group.count(),
    members: await prisma.groupMember.count(),
    participants: await prisma.participant.count(),
    deliveries: await prisma.delivery.count()
  }
}

/** Lines of a CSV export, header aside, each group's names sorted: comparable whatever order members come in. */
function groupsOf (csv: string): string[] {
  return csv.trim().split('\n').slice(1).map((line) => {
    const [date, ...names] = line.split(',')
    return [date, ...names.sort()].join(',')
  }).sort()
}

async function setup (t: Test, names = ['alice', 'bob', 'carol', 'dave']) {
  const world = await createJoinedWorld(t, names, { seed: 3 })
  return world
}

t.test('a CSV import takes the good lines, names every skipped one and why, and a second import changes nothing', async (t) => {
  const world = await setup(t)
  world.person('erin') // in Mattermost and the channel, never joined Coffee
  const csv = [
    'Date,Member 1,Member 2,Member 3',
    '2026-10-05,alice,bob',
    '2026-10-05,@Carol,DAVE,', // @, capitals and a trailing empty cell are fine
    '',
    '2026-10-12,alice,carol,erin',
    '2026-10-12,alice,mallory', // nobody by that name
    '2026-13-01,alice,bob', // no 13th month
    '12/10/2026,alice,bob',
    '2026-12-01,alice,bob', // after "today" (23 Nov)
    '2026-10-19,bob,bob', // one person
    '2026-10-05,bob,alice' // the first line again
  ].join('\r\n')
  const first = await post(world.app, csv)
  t.equal(first.status, 200)
  t.same(first.body.imported, { groups: 3, rounds: 2, people: 5 })
  t.same(first.body.skipped.map((s: { line: number, reason: string }) => [s.line, s.reason]), [
    [6, 'unknown_user'], [7, 'bad_date'], [8, 'bad_date'], [9, 'bad_date'], [10, 'too_small'], [11, 'duplicate']
  ])
  t.match(first.body.skipped[0].message, /no user @mallory/)
  t.match(first.body.skipped[3].message, /2026-12-01 is in the future/)

  const rounds = await world.db.prisma.round.findMany({ orderBy: { number: 'desc' }, include: { groups: true } })
  t.same(rounds.map((r) => [r.number, r.startedAt.toISOString().slice(0, 10), r.imported, r.groups.length, r.eligibleCount]), [
    [0, '2026-10-12', true, 1, 3],
    [-1, '2026-10-05', true, 2, 4]
  ], 'one imported round per date, numbered from 0 down by date')
  t.equal(await world.db.prisma.delivery.count(), 0, 'nothing to send for imported rounds')
  const erin = await world.db.prisma.participant.findFirstOrThrow({ where: { userId: mmId('erin') } })
  t.equal(erin.status, 'left', 'someone who never joined an opt-in channel is not opted in by history')

  const before = await counts(world)
  const again = await post(world.app, csv)
  t.same(again.body.imported, { groups: 0, rounds: 0, people: 0 })
  t.equal(again.body.skipped.filter((s: { reason: string }) => s.reason === 'duplicate').length, 4, 'every imported line is now a duplicate')
  t.same(await counts(world), before, 'importing the same file twice changes nothing')

  // An earlier date imported later still takes its place in time.
  const object = await post(world.app, { groups: [{ date: '2026-09-28', usernames: ['bob', 'dave'] }] })
  t.equal(object.status, 400, 'an object is not the JSON array asked for')
  const json = await post(world.app, [{ date: '2026-09-28', usernames: ['bob', 'dave'] }, { date: '2026-10-12', usernames: ['bob', 'dave'] }])
  t.same(json.body, { imported: { groups: 2, rounds: 1, people: 2 }, skipped: [] })
  const renumbered = await world.db.prisma.round.findMany({ orderBy: { number: 'desc' } })
  t.same(renumbered.map((r) => [r.number, r.startedAt.toISOString().slice(0, 10)]), [[0, '2026-10-12'], [-1, '2026-10-05'], [-2, '2026-09-28']])
})

t.test('imported groups are history: the matcher avoids them, stats count them, the schedule and messages ignore them', async (t) => {
  const world = await setup(t)
  world.person('admin', { admin: true })
  const imported = await post(world.app, '2026-10-05,alice,bob\n2026-10-05,carol,dave\n2026-10-12,alice,carol\n2026-10-12,bob,dave\n')
  t.same(imported.body.imported, { groups: 4, rounds: 2, people: 4 })
  const summary = await pass(world.app)
  t.match(summary.rounds, [{ round: 1, groups: 2 }], 'round 1 starts as scheduled, numbered 1')
  const round = await world.db.prisma.round.findFirstOrThrow({ where: { number: 1 }, include: { groups: { include: { members: { include: { participant: true } } } } } })
  t.same(round.groups.map((g) => g.members.map((m) => m.participant.username).sort().join('+')).sort(), ['alice+dave', 'bob+carol'],
    'the only pairing nobody had in the old tool')
  t.equal(await world.db.prisma.delivery.count({ where: { round: { imported: true } } }), 0)
  t.same(await world.db.prisma.delivery.groupBy({ by: ['kind', 'state'], _count: true }), [{ kind: 'intro', state: 'sent', _count: 2 }], "round 1's two intros, nothing for the imported rounds")
  const stats = await world.app.inject({ method: 'GET', url: `/api/channels/${CHANNEL_ID}/stats`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  t.match(stats.json(), { rounds: 3, groups: 6, asked: 0 })
  const page = await world.app.inject({ method: 'GET', url: `/api/channels/${CHANNEL_ID}/rounds`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  t.same(page.json().rounds.map((r: { number: number, imported: boolean }) => [r.number, r.imported]), [[1, false], [0, true], [-1, true]])
  // The next round is a cadence after round 1, not after the imported dates.
  world.clock.advance(6 * DAY_MS)
  t.same((await pass(world.app)).rounds, [], 'not due before a week after round 1')
  world.clock.advance(DAY_MS)
  t.match((await pass(world.app)).rounds, [{ round: 2 }])
  t.match(await say(world.app, 'status', { userName: 'alice' }), /round 2/i, 'status names the latest round Coffee ran')
  const [table] = tablesOf(t, await say(world.app, 'history', { userName: 'alice' }))
  t.same(table!.slice(-2), [
    ['—', 'Mon 12 Oct 2026', '@carol', 'from the tool used before Coffee'],
    ['—', 'Mon 5 Oct 2026', '@bob', 'from the tool used before Coffee']
  ], '/coffee history shows the imported groups as such, after the rounds Coffee ran')
})

t.test('an export imports again to the same state, here and in another Coffee', async (t) => {
  const world = await setup(t)
  await post(world.app, '2026-10-05,alice,bob\n2026-10-05,carol,dave\n2026-11-02,alice,carol,dave\n')
  await pass(world.app)
  world.clock.advance(7 * DAY_MS)
  await pass(world.app)
  const exported = await exportCsv(world.app)
  t.equal(exported.status, 200)
  t.match(exported.type, /^text\/csv/)
  t.equal(exported.body.split('\n')[0], 'date,usernames')
  t.equal(groupsOf(exported.body).length, 3 + 2 + 2, 'imported and native groups alike')
  t.equal(groupsOf(exported.body).filter((l) => l.startsWith('2026-11-23,')).length, 2, 'round 1 under its date')
  t.equal(groupsOf(exported.body).filter((l) => l.startsWith('2026-11-30,')).length, 2, 'round 2 under its date')

  const before = await counts(world)
  const here = await post(world.app, exported.body)
  t.same(here.body.imported, { groups: 0, rounds: 0, people: 0 })
  t.equal(here.body.skipped.length, 7)
  t.ok(here.body.skipped.every((s: { reason: string }) => s.reason === 'duplicate'))
  t.same(await counts(world), before)

  const other = await setup(t)
  other.clock.advance(7 * DAY_MS) // the same day as the export
  const there = await post(other.app, exported.body)
  t.same(there.body, { imported: { groups: 7, rounds: 4, people: 4 }, skipped: [] })
  t.same(groupsOf((await exportCsv(other.app)).body), groupsOf(exported.body), 'the same groups on the same dates')
  const again = await post(other.app, (await exportCsv(other.app)).body)
  t.equal(again.body.imported.groups, 0, 'and its own export is all duplicates')

  const json = await exportCsv(world.app, 'application/json')
  t.match(json.type, /^application\/json/)
  t.same(JSON.parse(json.body).map((g: { date: string, usernames: string[] }) => [g.date, ...g.usernames.sort()].join(',')).sort(), groupsOf(exported.body))
  t.match((await exportCsv(world.app, 'application/json;q=0.9, text/csv')).type, /^application\/json/, 'the first type named wins')
})

t.test('bad requests get a clear 4xx, never a 500', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  const empty = await post(world.app, 'date,usernames\n\n')
  t.equal(empty.status, 400)
  t.equal(empty.body.code, 'COFFEE_HISTORY_EMPTY')
  t.match(empty.body.message, /2026-03-31,alice,bob/)
  t.equal((await post(world.app, [])).body.code, 'COFFEE_HISTORY_EMPTY')
  const broken = await post(world.app, '[{"date": "2026-10-05", "usernames": ["alice"', 'application/json')
  t.equal(broken.status, 400)
  t.match(broken.body.code, /^FST_/)
  const shape = await post(world.app, [{ day: '2026-10-05', usernames: ['alice', 'bob'] }])
  t.equal(shape.status, 400)
  t.match(shape.body.message, /date/)
  const xml = await post(world.app, '<history/>', 'application/xml')
  t.equal(xml.status, 415)
  t.equal(xml.body.code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  const form = await post(world.app, 'date=2026-10-05', 'application/x-www-form-urlencoded')
  t.equal(form.status, 400, "curl -d's default type is neither CSV nor JSON")
  const hugePlain = await post(world.app, '2026-10-05,alice,bob\n'.repeat(800_000), 'text/plain')
  t.equal(hugePlain.status, 413, 'text/plain is read as CSV, with the same limit')
  const huge = await post(world.app, '2026-10-05,alice,bob\n'.repeat(800_000))
  t.equal(huge.status, 413, 'more than 16 MB')
  const nowhere = await post(world.app, '2026-10-05,alice,bob', 'text/csv', '/api/channels/nosuchchannel/history')
  t.equal(nowhere.status, 404)
  t.equal(nowhere.body.code, 'COFFEE_CHANNEL_NOT_SET_UP')
  const anonymous = await world.app.inject({ method: 'GET', url: HISTORY })
  t.equal(anonymous.statusCode, 401)
  const noToken = await world.app.inject({ method: 'POST', url: HISTORY, headers: { 'content-type': 'text/csv' }, payload: '2026-10-05,alice,bob' })
  t.equal(noToken.statusCode, 401)
  t.equal(await world.db.prisma.round.count(), 0, 'nothing imported by any of these')
})

t.test('every line of a large file is resolved in batches of 200 names', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  const names = Array.from({ length: 450 }, (_, i) => world.person(`p${String(i).padStart(3, '0')}`).username)
  const lines = []
  for (let i = 0; i + 1 < names.length; i += 2) lines.push(`2026-10-05,${names[i]},${names[i + 1]}`)
  const result = await post(world.app, lines.join('\n'))
  t.same(result.body, { imported: { groups: 225, rounds: 1, people: 450 }, skipped: [] })
  t.same(world.mm.requestsTo('POST', '/api/v4/users/usernames').map((r) => (r.body as string[]).length), [200, 200, 50])
  // Beyond the 1 MB every other route takes, as CSV or plain text.
  const big = '2026-10-06,alice,bob\n'.repeat(100_000)
  t.ok(big.length > 2 * 1024 * 1024)
  const plain = await post(world.app, big, 'text/plain')
  t.equal(plain.status, 200)
  t.same(plain.body.imported, { groups: 1, rounds: 1, people: 2 })
  t.equal(plain.body.skipped.length, 99_999, 'the rest are duplicates of the first')
})
