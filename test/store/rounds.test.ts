// What the rounds store reads for planning, on a program built through the real app (people join with /coffee,
// rounds start with POST /rounds against the fake Mattermost).
import t from 'tap'
import { createTestApp } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { createRandom } from '../../src/core/matching/index.js'
import { DAY_MS } from '../../src/core/durations.js'
import { createRoundsStore } from '../../src/store/rounds.js'

t.test('pastGroups: every earlier group in columns, and each member\'s starters in their latest group', async (t) => {
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, { gateway: world.gateway, env: world.env, random: createRandom(5) })
  const names = ['ana', 'ben', 'cy', 'dee', 'eve']
  for (const name of names) {
    world.person(name)
    await say(ctx.app, 'join', { userName: name })
  }
  await startNow(ctx.db.prisma, ctx.clock.now())
  await pass(ctx.app)
  // eve sits round 2 out: her latest group stays round 1's.
  await say(ctx.app, 'skip', { userName: 'eve' })
  ctx.clock.advance(7 * DAY_MS)
  await pass(ctx.app, { force: true })

  const { prisma } = ctx.db
  const program = await prisma.program.findFirstOrThrow()
  const groups = await prisma.group.findMany({
    orderBy: { id: 'asc' },
    select: { icebreakers: true, round: { select: { number: true } }, members: { select: { participant: { select: { userId: true } } } } }
  })
  t.same(groups.map((g) => g.round.number), [1, 1, 2, 2], 'two groups a round (a trio, then two pairs)')
  const { history, starters } = await createRoundsStore(prisma).pastGroups(program.id)

  const { rounds, start, members } = history.columns()
  const read = Array.from(rounds, (round, g) => ({ round, members: Array.from(members.subarray(start[g]!, start[g + 1]!), (x) => history.ids[x]!).sort() }))
  t.same(read.sort((a, b) => a.round - b.round || a.members.join().localeCompare(b.members.join())),
    groups.map((g) => ({ round: g.round.number, members: g.members.map((m) => m.participant.userId).sort() })).sort((a, b) => a.round - b.round || a.members.join().localeCompare(b.members.join())),
    'every group of both rounds, with its round and members')

  const latest = new Map<string, string[]>()
  for (const g of groups) for (const m of g.members) latest.set(m.participant.userId, g.icebreakers)
  t.equal(starters.size, names.length)
  t.same(Object.fromEntries(starters), Object.fromEntries(latest), 'each person\'s starters are those of their latest group')
  const evesGroups = groups.filter((g) => g.members.some((m) => m.participant.userId === mmId('eve')))
  t.same(evesGroups.map((g) => g.round.number), [1], 'eve skipped round 2')
  t.same(starters.get(mmId('eve')), evesGroups[0]!.icebreakers, 'so her starters are round 1\'s')
})

t.test('blocks: the blocks of an everyone-channel\'s people, 70,000 of them (more than Postgres takes parameters in one statement)', async (t) => {
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, { gateway: world.gateway, env: world.env, random: createRandom(5) })
  const people = Array.from({ length: 70_000 }, (_, i) => mmId(`person${i}`))
  await say(ctx.app, 'block @b', { userName: 'a', userId: people[0]!, mentions: { b: people[69_999]! } })
  await ctx.db.prisma.block.create({ data: { blockerId: mmId('outsider'), blockedId: people[12_345]! } })
  await ctx.db.prisma.block.create({ data: { blockerId: mmId('outsider'), blockedId: mmId('stranger') } })
  const blocks = await createRoundsStore(ctx.db.prisma).blocks(people)
  t.same(blocks.sort(), [[people[0], people[69_999]], [mmId('outsider'), people[12_345]]].sort(), 'every block with one of them on either side, and no other')
})
