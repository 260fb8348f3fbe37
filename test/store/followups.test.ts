// Answers to "did you meet?" as the store records them: each group keeps what its answers add up to, also when its
// members click at the same moment (on Postgres, each on a connection of its own).
import t from 'tap'
import { createTestApp } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { createRandom } from '../../src/core/matching/index.js'
import { createFollowupsStore } from '../../src/store/followups.js'
import { groupOutcome, type Answer } from '../../src/core/outcomes.js'

t.test('a group keeps the outcome of all its answers, however they interleave', async (t) => {
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, { gateway: world.gateway, env: world.env, random: createRandom(3) })
  for (const name of ['alice', 'bob', 'carol']) {
    world.person(name)
    await say(ctx.app, 'join', { userName: name })
  }
  await startNow(ctx.db.prisma, ctx.clock.now())
  await pass(ctx.app)
  const { prisma } = ctx.db
  const group = await prisma.group.findFirstOrThrow({ include: { members: { include: { participant: true } } } })
  t.equal(group.members.length, 3, 'one trio')
  t.equal(group.outcome, 'no_answer', 'a new group has no answer')
  const followups = createFollowupsStore(prisma)
  const random = createRandom(11)
  const choices: Answer[] = ['met', 'not_yet', 'cancelled']
  for (let run = 0; run < 12; run++) {
    const answers = group.members.map(() => choices[Math.floor(random() * choices.length)]!)
    // All three at once: without the group's row locked first, the last to commit folds without the others' answers.
    await Promise.all(group.members.map((m, i) => followups.recordAnswer(group.id, m.participantId, m.participant.userId, answers[i]!, ctx.clock.now())))
    const kept = await prisma.group.findUniqueOrThrow({ where: { id: group.id }, select: { outcome: true } })
    const recorded = await prisma.outcome.findMany({ where: { groupId: group.id }, select: { answer: true } })
    t.same(recorded.map((o) => o.answer).sort(), [...answers].sort(), `run ${run}: every answer recorded`)
    t.equal(kept.outcome, groupOutcome(answers), `run ${run}: ${answers.join(', ')} add up to ${groupOutcome(answers)}`)
  }
  const alice = group.members.find((m) => m.participant.userId === mmId('alice'))!
  const seen = await prisma.participant.findUniqueOrThrow({ where: { id: alice.participantId } })
  t.same(seen.lastSeenAt, ctx.clock.now(), 'an answer is a visit')
})
