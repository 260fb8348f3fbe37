// The stats store on a program built through the real app: people join with /coffee, rounds start with POST /rounds
// against the fake Mattermost; follow-ups and answers go through the store's own write paths (helpers/answers.ts).
import t from 'tap'
import { createTestApp } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { createRandom } from '../../src/core/matching/index.js'
import { DAY_MS } from '../../src/core/durations.js'
import { createStatsStore } from '../../src/store/stats.js'
import type { Answer } from '../../src/core/outcomes.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { markAsked, recordAnswers } from '../helpers/answers.js'

const TEN = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jack']

async function setup (t: Parameters<typeof createMattermostWorld>[0], names: readonly string[]) {
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, { gateway: world.gateway, env: world.env, random: createRandom(7), delivery: { retryDelaysMs: [1, 1], maxInlineWaitMs: 2000 } })
  for (const name of names) {
    world.person(name)
    await say(ctx.app, 'join', { userName: name })
  }
  await startNow(ctx.db.prisma, ctx.clock.now())
  const program = await ctx.db.prisma.program.findUniqueOrThrow({ where: { channelId: CHANNEL_ID } })
  return { ...world, ...ctx, program, stats: createStatsStore(ctx.db.prisma) }
}

/** A round's groups in index order, members sorted by username. */
async function groupsOf (prisma: PrismaClient, number: number) {
  const groups = await prisma.group.findMany({
    where: { round: { number } },
    orderBy: { index: 'asc' },
    include: { members: { include: { participant: true } } }
  })
  return groups.map((g) => ({ id: g.id, roundId: g.roundId, usernames: g.members.map((m) => m.participant.username).sort() }))
}

type Group = Awaited<ReturnType<typeof groupsOf>>[number]

/** The follow-up went out to these groups (as the follow-up feature records it). */
async function ask (prisma: PrismaClient, groups: readonly Group[], at: Date) {
  for (const group of groups) await markAsked(prisma, group, at)
}

/** Members answer in username order: answers[i] is the i-th member's click. */
async function answer (prisma: PrismaClient, group: Group, answers: readonly Answer[], at: Date) {
  await recordAnswers(prisma, group.id, answers.map((a, i) => [mmId(group.usernames[i]!), a] as const), at)
}

t.test('program stats: people ever and active now, rounds, groups, outcomes over the groups asked', async (t) => {
  const world = await setup(t, TEN)
  const { prisma } = world.db
  const now = world.clock.now()
  t.same(await world.stats.programStats(world.program.id, { now }), {
    participants: 10,
    active: 10,
    rounds: 0,
    groups: 0,
    outcomes: { groups: 0, met: 0, not_met: 0, no_answer: 0, met_rate: null },
    trend: []
  }, 'before the first round')

  await pass(world.app)
  const groups = await groupsOf(prisma, 1)
  t.equal(groups.length, 5)
  await ask(prisma, groups, now)
  await answer(prisma, groups[0]!, ['met', 'not_yet'], now)
  await answer(prisma, groups[1]!, ['met'], now)
  await answer(prisma, groups[2]!, ['cancelled', 'not_yet'], now)

  for (const name of ['kate', 'liam']) {
    world.person(name)
    await say(world.app, 'join', { userName: name })
  }
  await say(world.app, 'leave', { userName: 'liam' })
  await say(world.app, 'pause 2w', { userName: 'alice' })
  await prisma.participant.updateMany({ where: { userId: mmId('bob') }, data: { autoPausedAt: now } })

  const stats = await world.stats.programStats(world.program.id, { now })
  t.same(stats, {
    participants: 12,
    active: 9,
    rounds: 1,
    groups: 5,
    outcomes: { groups: 5, met: 2, not_met: 1, no_answer: 2, met_rate: 0.4 },
    trend: [{ number: 1, startedAt: now, eligible: 10, groups: 5, outcomes: { groups: 5, met: 2, not_met: 1, no_answer: 2, met_rate: 0.4 } }]
  })
  const later = await world.stats.programStats(world.program.id, { now: new Date(now.getTime() + 14 * DAY_MS) })
  t.equal(later.active, 10, 'a pause that has ended counts as active again')
})

t.test('trend: the last N rounds, oldest first; groups not asked yet do not count', async (t) => {
  const world = await setup(t, TEN)
  const { prisma } = world.db
  const start = world.clock.now()
  const plan: Answer[][][] = [
    [['met'], ['met', 'met'], ['not_yet'], [], ['met']], // round 1: 3 of 5 met
    [['cancelled'], [], [], ['met'], []], // round 2: 1 of 5 met
    [['met'], []] // round 3: only 2 groups asked yet, 1 met
  ]
  for (const [i, answers] of plan.entries()) {
    if (i > 0) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
    const groups = await groupsOf(prisma, i + 1)
    t.equal(groups.length, 5, `round ${i + 1} has 5 groups`)
    const asked = groups.slice(0, answers.length)
    await ask(prisma, asked, world.clock.now())
    for (const [j, group] of asked.entries()) await answer(prisma, group, answers[j]!, world.clock.now())
  }

  const stats = await world.stats.programStats(world.program.id, { now: world.clock.now(), trendRounds: 2 })
  t.match(stats, { participants: 10, active: 10, rounds: 3, groups: 15 })
  t.same(stats.outcomes, { groups: 12, met: 5, not_met: 2, no_answer: 5, met_rate: 0.417 })
  t.same(stats.trend, [
    { number: 2, startedAt: new Date(start.getTime() + DAY_MS), eligible: 10, groups: 5, outcomes: { groups: 5, met: 1, not_met: 1, no_answer: 3, met_rate: 0.2 } },
    { number: 3, startedAt: new Date(start.getTime() + 2 * DAY_MS), eligible: 10, groups: 5, outcomes: { groups: 2, met: 1, not_met: 0, no_answer: 1, met_rate: 0.5 } }
  ])
  const all = await world.stats.programStats(world.program.id, { now: world.clock.now(), trendRounds: 10 })
  t.same(all.trend.map((r) => [r.number, r.outcomes.met_rate]), [[1, 0.6], [2, 0.2], [3, 0.5]], 'fewer rounds than asked for: all of them')
})

t.test('history: a person\'s latest groups, newest first, with the others and the outcome', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  const { prisma } = world.db
  const start = world.clock.now()
  for (let round = 1; round <= 3; round++) {
    if (round > 1) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
  }
  const alicesGroup = async (number: number) => (await groupsOf(prisma, number)).find((g) => g.usernames.includes('alice'))!
  const [first, second, third] = [await alicesGroup(1), await alicesGroup(2), await alicesGroup(3)]
  await ask(prisma, [first, second], start)
  await answer(prisma, first, first.usernames.map((name) => name === 'alice' ? 'met' : 'not_yet'), start)
  await recordAnswers(prisma, second.id, [[mmId(second.usernames.find((n) => n !== 'alice')!), 'cancelled']], start)

  const others = (group: Group) => group.usernames.filter((n) => n !== 'alice').map((username) => ({ userId: mmId(username), username }))
  const history = await world.stats.personHistory(world.program.id, mmId('alice'))
  t.same(history, [
    { roundNumber: 3, imported: false, startedAt: new Date(start.getTime() + 2 * DAY_MS), others: others(third), asked: false, outcome: 'no_answer', answer: null, acquainted: [] },
    { roundNumber: 2, imported: false, startedAt: new Date(start.getTime() + DAY_MS), others: others(second), asked: true, outcome: 'cancelled', answer: null, acquainted: [] },
    { roundNumber: 1, imported: false, startedAt: start, others: others(first), asked: true, outcome: 'met', answer: 'met', acquainted: [] }
  ])
  t.same((await world.stats.personHistory(world.program.id, mmId('alice'), 2))?.map((h) => h.roundNumber), [3, 2], 'limited')
  t.equal(await world.stats.personHistory(world.program.id, mmId('nobody')), null, 'never joined')
  world.person('erin')
  await say(world.app, 'join', { userName: 'erin' })
  t.same(await world.stats.personHistory(world.program.id, mmId('erin')), [], 'joined, no round yet')
})

t.test('rounds page: newest first, groups with members, answers, message states and outcome', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin'])
  const { prisma } = world.db
  for (let round = 1; round <= 3; round++) {
    if (round > 1) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
  }
  const [pair, trio] = (await groupsOf(prisma, 3)).sort((a, b) => a.usernames.length - b.usernames.length)
  const now = world.clock.now()
  await ask(prisma, [trio!], now)
  await answer(prisma, trio!, ['not_yet', 'met'], now)
  await prisma.delivery.create({ data: { dedupeKey: `reminder:${trio!.id}`, kind: 'reminder', roundId: trio!.roundId, groupId: trio!.id, nextAttemptAt: now, createdAt: now } })

  const page = await world.stats.roundsPage(world.program.id, { page: 0, perPage: 2 })
  t.equal(page.total, 3)
  t.same(page.rounds.map((r) => r.number), [3, 2])
  const latest = page.rounds[0]!
  t.match(latest, { number: 3, startedAt: now, groupSize: 2, eligibleCount: 5 })
  t.equal(latest.groups.length, 2)
  const [pairRecord, trioRecord] = [latest.groups.find((g) => g.members.length === 2)!, latest.groups.find((g) => g.members.length === 3)!]
  const intro = await prisma.delivery.findFirstOrThrow({ where: { groupId: pair!.id, kind: 'intro' } })
  t.same(pairRecord.members, pair!.usernames.map((username) => ({ userId: mmId(username), username, answer: null, answeredAt: null })))
  t.same(pairRecord.deliveries, { intro: { state: 'sent', postId: intro.postId }, followup: null, reminder: null })
  t.match(pairRecord, { asked: false, outcome: 'no_answer', channelId: /^[a-z0-9]{26}$/ })
  const [u0, u1, u2] = trio!.usernames
  t.same(trioRecord.members.map((m) => [m.username, m.answer]), [[u0, 'not_yet'], [u1, 'met'], [u2, null]])
  t.same(trioRecord.members[0]!.answeredAt, now)
  t.same(trioRecord.deliveries.followup, { state: 'sent', postId: `followuppost${trio!.id}` })
  t.same(trioRecord.deliveries.reminder, { state: 'pending', postId: null })
  t.match(trioRecord, { asked: true, outcome: 'met' })

  const last = await world.stats.roundsPage(world.program.id, { page: 1, perPage: 2 })
  t.same(last.rounds.map((r) => r.number), [1])
  t.equal(last.total, 3)
  t.same(await world.stats.roundsPage(world.program.id, { page: 5, perPage: 2 }), { total: 3, rounds: [] }, 'past the end')
})

t.test('the number of queries does not grow with rounds or people', async (t) => {
  let queries = 0
  const count = async (fn: () => Promise<unknown>) => {
    queries = 0
    await fn()
    return queries
  }
  const measure = async (names: readonly string[], rounds: number) => {
    const world = await setup(t, names)
    for (let round = 1; round <= rounds; round++) {
      if (round > 1) world.clock.advance(DAY_MS)
      await pass(world.app, { force: true })
    }
    const groups = await groupsOf(world.db.prisma, rounds)
    await ask(world.db.prisma, groups, world.clock.now())
    for (const group of groups) await answer(world.db.prisma, group, ['met'], world.clock.now())
    const counted = world.db.prisma.$extends({
      query: {
        async $allOperations ({ args, query }) {
          queries++
          return query(args)
        }
      }
    }) as unknown as PrismaClient
    const stats = createStatsStore(counted)
    return {
      stats: await count(() => stats.programStats(world.program.id, { now: world.clock.now() })),
      history: await count(() => stats.personHistory(world.program.id, mmId('alice'))),
      rounds: await count(() => stats.roundsPage(world.program.id, { page: 0, perPage: 100 }))
    }
  }
  const small = await measure(['alice', 'bob'], 1)
  const large = await measure(TEN, 3)
  t.same(large, small, `the same queries for 1 round of 2 people as for 3 rounds of 10 (${JSON.stringify(small)})`)
})
