// Fair turns through the whole service: who sat out the last round (their group could not make it, or they were
// alone) is not left alone in the next one while someone else could be.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'

const NAMES = ['ana', 'ben', 'cy', 'dan']

async function groupsOf (prisma: PrismaClient, number: number): Promise<string[][]> {
  const groups = await prisma.group.findMany({ where: { round: { number } }, include: { members: { include: { participant: true } } }, orderBy: { index: 'asc' } })
  return groups.map((g) => g.members.map((m) => m.participant.username).sort())
}

t.test("ana's group could not make it; in the next round blocks leave someone alone, and it is not her", async (t) => {
  const world = await createJoinedWorld(t, NAMES, { seed: 11 })
  await pass(world.app)
  const round1 = await groupsOf(world.db.prisma, 1)
  const partner = round1.find((g) => g.includes('ana'))!.find((n) => n !== 'ana')!
  const [other, away] = round1.find((g) => !g.includes('ana'))!

  // ana answers "couldn't make it" on the follow-up.
  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  const followup = world.mm.channelsOfType('G').concat(world.mm.channelsOfType('D'))
    .flatMap((c) => world.mm.posts(c.id))
    .find((p) => String(p.props?.coffee_delivery ?? '').startsWith('followup:') && world.mm.memberIds(p.channel_id).includes(mmId('ana')))!
  const attachments = followup.props?.attachments as { actions: { id: string, integration: { context: unknown } }[] }[]
  const cancel = attachments[0]!.actions.find((a) => a.id === 'coffeecancelled')!
  t.equal((await click(world.app, { userId: mmId('ana'), postId: followup.id, channelId: followup.channel_id, context: cancel.integration.context })).status, 200)

  // Round 2: the other pair's second person skips and ana blocks the first, so ana, her partner and `other` are
  // left, and ana and `other` cannot be together. Meeting her partner again is a repeat; the cheapest grouping
  // would leave her out a second time.
  await say(world.app, 'skip', { userName: away! })
  await say(world.app, `block @${other!}`, { userName: 'ana' })
  world.clock.advance(4 * DAY_MS)
  const summary = await pass(world.app)
  t.match(summary.rounds, [{ round: 2, eligible: 3, groups: 1, alone: 1 }])
  t.same(await groupsOf(world.db.prisma, 2), [['ana', partner].sort()], 'ana meets her partner after all')
  const alone = await world.db.prisma.delivery.findMany({ where: { kind: 'alone', round: { number: 2 } } })
  t.same(alone.map((d) => d.userId), [mmId(other!)], `${other} sits this one out, and is told`)

  // Round 3: `other` sat out round 2 and comes first; the block still leaves one of ana and `other` out.
  world.clock.advance(7 * DAY_MS)
  await say(world.app, 'skip', { userName: partner })
  await pass(world.app)
  const round3Alone = await world.db.prisma.delivery.findMany({ where: { kind: 'alone', round: { number: 3 } } })
  t.notSame(round3Alone.map((d) => d.userId), [mmId(other!)], 'nobody is alone two rounds running')
})
