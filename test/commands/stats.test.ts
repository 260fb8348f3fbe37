// /coffee stats and /coffee history through the real app: slash commands, POST /rounds against the fake Mattermost,
// and follow-up deliveries and answers written directly where the follow-up feature would write them.
import t from 'tap'
import { createTestApp } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { createRandom } from '../../src/core/matching/index.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { Answer } from '../../src/core/outcomes.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { markAsked, recordAnswers } from '../helpers/answers.js'

async function setup (t: Parameters<typeof createMattermostWorld>[0], names: readonly string[]) {
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, { gateway: world.gateway, env: world.env, random: createRandom(7), delivery: { retryDelaysMs: [1, 1], maxInlineWaitMs: 2000 } })
  for (const name of names) {
    world.person(name)
    await say(ctx.app, 'join', { userName: name })
  }
  await startNow(ctx.db.prisma, ctx.clock.now())
  return { ...world, ...ctx }
}

/** A round's groups in index order, members sorted by username. */
async function groupsOf (prisma: PrismaClient, number: number) {
  const groups = await prisma.group.findMany({ where: { round: { number } }, orderBy: { index: 'asc' }, include: { members: { include: { participant: true } } } })
  return groups.map((g) => ({ id: g.id, roundId: g.roundId, usernames: g.members.map((m) => m.participant.username).sort() }))
}

type Group = Awaited<ReturnType<typeof groupsOf>>[number]

/** The follow-up went out to the group, and its members (in username order) answered. */
async function asked (prisma: PrismaClient, group: Group, answers: readonly Answer[], at: Date) {
  await markAsked(prisma, group, at)
  await recordAnswers(prisma, group.id, answers.map((a, i) => [mmId(group.usernames[i]!), a] as const), at)
}

t.test('before coffee starts, and before the first round', async (t) => {
  const world = await setup(t, [])
  t.match(await say(world.app, 'stats'), /Coffee has not started in this channel yet/)
  t.match(await say(world.app, 'history'), /Coffee has not started in this channel yet/)
  for (const name of ['alice', 'bob', 'carol']) {
    world.person(name)
    await say(world.app, 'join', { userName: name })
  }
  await say(world.app, 'pause 2w', { userName: 'carol' })
  t.equal(await say(world.app, 'stats'), 'No rounds yet in ~town-square. **3** people have joined so far, **2** active right now. `/coffee status` says when round 1 is. ☕')
  t.match(await say(world.app, 'history'), /^No rounds yet for you in ~town-square\. You'll be introduced/)
  t.match(await say(world.app, 'history', { userName: 'dave' }), /you have not joined\. Type `\/coffee join`/)
  t.match(await say(world.app, 'help'), /`\/coffee stats \[share\]` \| How coffee is going[^\n]+\n\| `\/coffee history` \| Whom you met/, 'listed in help')
})

t.test('stats: a summary table and the rounds so far', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jack'])
  const { prisma } = world.db
  await pass(world.app)
  const groups = await groupsOf(prisma, 1)
  const now = world.clock.now()
  await asked(prisma, groups[0]!, ['met', 'not_yet'], now)
  await asked(prisma, groups[1]!, ['met'], now)
  await asked(prisma, groups[2]!, ['cancelled'], now)
  await asked(prisma, groups[3]!, [], now)
  await asked(prisma, groups[4]!, [], now)
  await prisma.participant.updateMany({ where: { userId: mmId('jack') }, data: { autoPausedAt: now } })

  t.equal(await say(world.app, 'stats'), [
    '#### ☕ Coffee in ~town-square',
    '| Participants | Active now | Rounds | Groups | Met |',
    '|--:|--:|--:|--:|:--|',
    '| 10 | 9 | 1 | 5 | 40% (2 of 5 asked) |',
    '',
    '**Rounds so far**',
    '',
    '| Round | Date | Groups | Met | Met rate |',
    '|--:|:--|--:|--:|--:|',
    '| 1 | Mon 23 Nov 2026 | 5 | 2 | 40% |',
    '',
    '_Met rate: groups that said they met, out of the groups asked "did you meet?"._'
  ].join('\n'))
})

t.test('stats: the trend shows the last 8 rounds; rounds not asked yet say so', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  const { prisma } = world.db
  for (let round = 1; round <= 9; round++) {
    if (round > 1) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
    // Everyone answers (but round 9, not asked yet), so nobody is paused for silence along the way.
    if (round < 9) await asked(prisma, (await groupsOf(prisma, round))[0]!, round % 3 === 0 ? ['cancelled'] : ['met'], world.clock.now())
  }
  const text = await say(world.app, 'stats')
  t.match(text, '| 2 | 2 | 9 | 9 | 75% (6 of 8 asked) |')
  t.match(text, '**The last 8 rounds**')
  const rows = text.split('\n').filter((line) => /^\| \d+ \| \w{3} \d+ \w{3} \d{4} \|/.test(line))
  t.same(rows, [
    '| 2 | Tue 24 Nov 2026 | 1 | 1 | 100% |',
    '| 3 | Wed 25 Nov 2026 | 1 | 0 | 0% |',
    '| 4 | Thu 26 Nov 2026 | 1 | 1 | 100% |',
    '| 5 | Fri 27 Nov 2026 | 1 | 1 | 100% |',
    '| 6 | Sat 28 Nov 2026 | 1 | 0 | 0% |',
    '| 7 | Sun 29 Nov 2026 | 1 | 1 | 100% |',
    '| 8 | Mon 30 Nov 2026 | 1 | 1 | 100% |',
    '| 9 | Tue 1 Dec 2026 | 1 | 0 | not asked yet |'
  ])
})

t.test('history: your recent groups with @mentions, dates and how it went', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin'])
  const { prisma } = world.db
  // What alice's group answered in rounds 1 to 3 (round 4 is not asked yet). The other group always meets, so
  // nobody goes three rounds without answering and gets paused along the way.
  const alicesAnswers = (group: Group): Answer[][] => [group.usernames.map((name) => name === 'alice' ? 'met' : 'not_yet'), ['cancelled'], []]
  const alices: Group[] = []
  for (let round = 1; round <= 4; round++) {
    if (round > 1) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
    const groups = await groupsOf(prisma, round)
    t.equal(groups.flatMap((g) => g.usernames).length, 5, 'everyone is in a group: a pair and a trio')
    const alice = groups.find((g) => g.usernames.includes('alice'))!
    alices.push(alice)
    if (round === 4) continue
    await asked(prisma, alice, alicesAnswers(alice)[round - 1]!, world.clock.now())
    for (const other of groups.filter((g) => g !== alice)) await asked(prisma, other, ['met'], world.clock.now())
  }
  const mentions = (group: Group) => group.usernames.filter((n) => n !== 'alice').map((n) => `@${n}`).join(', ')

  t.equal(await say(world.app, 'history', { userName: 'alice' }), [
    '#### ☕ Your coffee in ~town-square',
    '| Round | Date | With | How it went |',
    '|--:|:--|:--|:--|',
    `| 4 | Thu 26 Nov 2026 | ${mentions(alices[3]!)} | follow-up still to come |`,
    `| 3 | Wed 25 Nov 2026 | ${mentions(alices[2]!)} | no answer |`,
    `| 2 | Tue 24 Nov 2026 | ${mentions(alices[1]!)} | ❌ couldn't make it |`,
    `| 1 | Mon 23 Nov 2026 | ${mentions(alices[0]!)} | ✅ met |`
  ].join('\n'))
  const bobs = await say(world.app, 'history', { userName: 'bob' })
  t.match(bobs, /^#### ☕ Your coffee in ~town-square\n/, 'everyone sees their own')
  t.notMatch(bobs, /@bob\b/, 'not themselves')
})

t.test('history shows the last 10 groups', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  for (let round = 1; round <= 11; round++) {
    if (round > 1) world.clock.advance(DAY_MS)
    await pass(world.app, { force: true })
    if (round < 11) await asked(world.db.prisma, (await groupsOf(world.db.prisma, round))[0]!, ['met'], world.clock.now())
  }
  const text = await say(world.app, 'history', { userName: 'alice' })
  t.equal(text.split('\n').filter((line) => line.includes('@bob')).length, 10)
  t.match(text, '| 11 | Thu 3 Dec 2026 | @bob | follow-up still to come |')
  t.notMatch(text, '| 1 | Mon 23 Nov 2026')
  t.match(text, /_Your last 10 groups\._$/)
})

t.test('stats share posts the numbers in the channel, as the person who shared them', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  const { slash } = await import('../helpers/slash.js')
  const elsewhere = await slash(world.app, { text: 'stats share', userName: 'alice', channelId: 'chanbbbbbbbbbbbbbbbbbbbbbb', channelName: 'elsewhere' })
  t.hasStrict(elsewhere.body, { response_type: 'ephemeral', text: 'Coffee has not started in this channel yet. Type `/coffee join` to be the first. ☕' }, 'nothing to share: said to her alone')
  const early = await slash(world.app, { text: 'stats share', userName: 'alice' })
  t.match(early.body, { response_type: 'in_channel', text: /^No rounds yet in ~town-square\. \*\*4\*\* people have joined so far/ }, 'before round 1, the count of people is worth sharing')
  await pass(world.app, { force: true })
  const shared = await slash(world.app, { text: 'Stats Share', userName: 'alice' })
  t.equal(shared.body.response_type, 'in_channel', 'Mattermost posts an in_channel answer for everyone to see')
  t.match(shared.body.text, /^#### ☕ Coffee in ~town-square\n/)
  t.match(shared.body.text, /\| 4 \| 4 \| 1 \| 2 \| not asked yet \|/)
  t.match(shared.body.text, /\n\nType `\/coffee join` to take part\.$/)
  const alone = await slash(world.app, { text: 'stats', userName: 'alice' })
  t.equal(alone.body.response_type, 'ephemeral', 'plain stats stays private')
  t.equal(await say(world.app, 'stats everyone'), "`/coffee stats` shows the numbers to you; `/coffee stats share` posts them in the channel for everyone. I don't know `everyone`.")
})
