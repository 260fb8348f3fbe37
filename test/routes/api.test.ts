// The admin JSON API end to end: a program built with /coffee and POST /rounds against the fake Mattermost, with
// follow-ups and answers written directly where the follow-up feature would write them.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { createTestApp, ADMIN_TOKEN } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { createRandom } from '../../src/core/matching/index.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { Answer } from '../../src/core/outcomes.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { markAsked, recordAnswers } from '../helpers/answers.js'

async function setup (t: Parameters<typeof createMattermostWorld>[0], names: readonly string[], env: Record<string, string> = {}) {
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, { gateway: world.gateway, env: { ...world.env, ...env }, random: createRandom(7), delivery: { retryDelaysMs: [1, 1], maxInlineWaitMs: 2000 } })
  for (const name of names) {
    world.person(name)
    await say(ctx.app, 'join', { userName: name })
  }
  await startNow(ctx.db.prisma, ctx.clock.now())
  return { ...world, ...ctx }
}

async function get (app: FastifyInstance, url: string, token: string | null = ADMIN_TOKEN) {
  const response = await app.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

/** A round's groups in index order, members sorted by username. */
async function groupsOf (prisma: PrismaClient, number: number) {
  const groups = await prisma.group.findMany({ where: { round: { number } }, orderBy: { index: 'asc' }, include: { members: { include: { participant: true } } } })
  return groups.map((g) => ({ id: g.id, index: g.index, roundId: g.roundId, usernames: g.members.map((m) => m.participant.username).sort() }))
}

type Group = Awaited<ReturnType<typeof groupsOf>>[number]

/** The follow-up went out to the group, and its members (in username order) answered. */
async function asked (prisma: PrismaClient, group: Group, answers: readonly Answer[], at: Date) {
  await markAsked(prisma, group, at)
  await recordAnswers(prisma, group.id, answers.map((a, i) => [mmId(group.usernames[i]!), a] as const), at)
}

const STATS = `/api/channels/${CHANNEL_ID}/stats`
const ROUNDS = `/api/channels/${CHANNEL_ID}/rounds`

t.test('the API needs the admin token', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  for (const url of [STATS, ROUNDS, `${ROUNDS}?per_page=1000`, '/api/channels/nosuchchannel/stats']) {
    const none = await get(world.app, url, null)
    t.equal(none.status, 401, `${url} without a token`)
    t.equal(none.headers['www-authenticate'], 'Bearer')
    t.same(none.body, { statusCode: 401, code: 'COFFEE_ADMIN_TOKEN_WRONG', error: 'Unauthorized', message: 'Send Authorization: Bearer <ADMIN_TOKEN>.' })
    t.equal((await get(world.app, url, 'wrong-token-wrong-token')).status, 401, `${url} with a wrong token`)
  }
  const basic = await world.app.inject({ method: 'GET', url: STATS, headers: { authorization: `Basic ${ADMIN_TOKEN}` } })
  t.equal(basic.statusCode, 401, 'only Bearer')
  t.equal((await get(world.app, STATS)).status, 200)

  const closed = await setup(t, [], { ADMIN_TOKEN: '' })
  const answer = await get(closed.app, STATS)
  t.equal(answer.status, 503)
  t.match(answer.body.message, /ADMIN_TOKEN is not set/)
})

t.test('unknown channels are a 404, malformed requests a 400, never a 500', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  for (const url of ['/api/channels/nosuchchannelxxxxxxxxxxxxx/stats', '/api/channels/nosuchchannelxxxxxxxxxxxxx/rounds']) {
    const missing = await get(world.app, url)
    t.equal(missing.status, 404, url)
    t.same(missing.body, { statusCode: 404, code: 'COFFEE_CHANNEL_NOT_SET_UP', error: 'Not Found', message: 'Coffee has not been set up in channel nosuchchannelxxxxxxxxxxxxx (nobody has used /coffee there).' })
  }
  const bad: [string, RegExp][] = [
    [`${ROUNDS}?per_page=1000`, /per_page must be <= 100/],
    [`${ROUNDS}?per_page=0`, /per_page must be >= 1/],
    [`${ROUNDS}?per_page=`, /per_page must be integer/],
    [`${ROUNDS}?page=-1`, /page must be >= 0/],
    [`${ROUNDS}?page=abc`, /page must be integer/],
    [`${ROUNDS}?page=1.5`, /page must be integer/],
    [`${ROUNDS}?page=99999999999`, /page must be <= 100000/],
    ['/api/channels/not%20a%20channel/stats', /channel_id must match pattern/],
    [`/api/channels/${'x'.repeat(65)}/rounds`, /channel_id must match pattern/]
  ]
  for (const [url, message] of bad) {
    const answer = await get(world.app, url)
    t.equal(answer.status, 400, url)
    t.match(answer.body, { statusCode: 400, message }, url)
  }
})

t.test('stats: exact numbers over the groups that were asked', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jack'])
  const { prisma } = world.db
  t.same((await get(world.app, STATS)).body, { participants: 10, active: 10, rounds: 0, groups: 0, asked: 0, met: 0, not_met: 0, no_answer: 0, met_rate: null }, 'before the first round')

  await pass(world.app)
  const groups = await groupsOf(prisma, 1)
  const now = world.clock.now()
  t.same((await get(world.app, STATS)).body, { participants: 10, active: 10, rounds: 1, groups: 5, asked: 0, met: 0, not_met: 0, no_answer: 0, met_rate: null }, 'nobody asked yet')

  await asked(prisma, groups[0]!, ['met', 'not_yet'], now)
  await asked(prisma, groups[1]!, ['not_yet', 'met'], now)
  await asked(prisma, groups[2]!, ['cancelled'], now)
  await asked(prisma, groups[3]!, [], now)
  await asked(prisma, groups[4]!, [], now)
  await say(world.app, 'pause 2w', { userName: 'alice' })
  await say(world.app, 'leave', { userName: 'bob' })
  t.same((await get(world.app, STATS)).body, { participants: 10, active: 8, rounds: 1, groups: 5, asked: 5, met: 2, not_met: 1, no_answer: 2, met_rate: 0.4 })
})

t.test('rounds: newest first, paged, with groups, message states and answers', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin'])
  const { prisma } = world.db
  for (let round = 1; round <= 3; round++) {
    if (round > 1) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
  }
  const groups = await groupsOf(prisma, 3)
  const trio = groups.find((g) => g.usernames.length === 3)!
  const pair = groups.find((g) => g.usernames.length === 2)!
  const now = world.clock.now()
  await asked(prisma, trio, ['not_yet', 'cancelled'], now)

  const first = await get(world.app, `${ROUNDS}?per_page=2`)
  t.equal(first.status, 200)
  t.match(first.body, { page: 0, per_page: 2, total: 3 })
  t.same(first.body.rounds.map((r: { number: number }) => r.number), [3, 2])
  const intros = await prisma.delivery.findMany({ where: { kind: 'intro', groupId: { in: [trio.id, pair.id] } } })
  const introPost = (group: Group) => intros.find((d) => d.groupId === group.id)!.postId
  const member = (username: string, answer: string | null = null) => ({ user_id: mmId(username), username, answer, answered_at: answer === null ? null : now.toISOString() })
  const groupJson = (group: Group) => first.body.rounds[0].groups.find((g: { index: number }) => g.index === group.index)
  t.same(first.body.rounds[0], {
    number: 3,
    started_at: now.toISOString(),
    followup_at: new Date(now.getTime() + 3 * DAY_MS).toISOString(),
    group_size: 2,
    eligible: 5,
    imported: false,
    groups: first.body.rounds[0].groups
  })
  t.equal(first.body.rounds[0].groups.length, 2)
  t.same(groupJson(trio), {
    index: trio.index,
    channel_id: groupJson(trio).channel_id,
    members: [member(trio.usernames[0]!, 'not_yet'), member(trio.usernames[1]!, 'cancelled'), member(trio.usernames[2]!)],
    deliveries: { intro: { state: 'sent', post_id: introPost(trio) }, followup: { state: 'sent', post_id: `followuppost${trio.id}` }, reminder: null },
    asked: true,
    outcome: 'cancelled'
  })
  t.match(groupJson(trio).channel_id, /^[a-z0-9]{26}$/, 'the group message in Mattermost')
  t.same(groupJson(pair), {
    index: pair.index,
    channel_id: groupJson(pair).channel_id,
    members: pair.usernames.map((name) => member(name)),
    deliveries: { intro: { state: 'sent', post_id: introPost(pair) }, followup: null, reminder: null },
    asked: false,
    outcome: 'no_answer'
  })

  const second = await get(world.app, `${ROUNDS}?per_page=2&page=1`)
  t.match(second.body, { page: 1, per_page: 2, total: 3 })
  t.same(second.body.rounds.map((r: { number: number, started_at: string }) => [r.number, r.started_at]), [[1, '2026-11-23T09:00:00.000Z']])
  const beyond = await get(world.app, `${ROUNDS}?per_page=2&page=2`)
  t.same(beyond.body, { page: 2, per_page: 2, total: 3, rounds: [] }, 'past the end: empty, with the total')

  const defaults = await get(world.app, ROUNDS)
  t.match(defaults.body, { page: 0, per_page: 20, total: 3 })
  t.same(defaults.body.rounds.map((r: { number: number }) => r.number), [3, 2, 1])
  t.equal((await get(world.app, `${ROUNDS}?per_page=100`)).status, 200, 'the maximum page size is allowed')
})

t.test('a channel with coffee but no rounds yet', async (t) => {
  const world = await setup(t, ['alice'])
  t.same((await get(world.app, ROUNDS)).body, { page: 0, per_page: 20, total: 0, rounds: [] })
  t.same((await get(world.app, STATS)).body, { participants: 1, active: 1, rounds: 0, groups: 0, asked: 0, met: 0, not_met: 0, no_answer: 0, met_rate: null })
})
