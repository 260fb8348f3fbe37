// The intro's "Skip next round" button, clicked in Mattermost (the fake server calls Coffee's /actions over HTTP and
// applies its answer): the clicker sits out the next round, hears so privately, and the intro stays as it was.
import t, { type Test } from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { freePort } from '../../scripts/mattermost/server.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { FakePost } from '../helpers/fake-mattermost.js'

async function setup (t: Test, names: readonly string[]) {
  const port = await freePort()
  const world = await createJoinedWorld(t, names, { seed: 5, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } })
  await world.app.listen({ port, host: '127.0.0.1' })
  return world
}
type World = Awaited<ReturnType<typeof setup>>

function introOf (world: World, name: string): FakePost {
  return world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id))
    .find((p) => String(p.props.coffee_delivery).startsWith('intro:') && world.mm.memberIds(p.channel_id).includes(mmId(name)))!
}

t.test('a click skips the next round for the clicker only, privately; a second click says so', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  await pass(world.app)
  const intro = introOf(world, 'alice')
  const before = world.mm.post(intro.id)

  const first = await world.mm.click(intro.id, 'coffeeskip', mmId('alice'))
  t.equal(first.status, 200)
  t.same(first.ephemeral, {
    user_id: mmId('alice'),
    channel_id: intro.channel_id,
    root_id: intro.id,
    message: "Got it: you'll sit out the next round and be back for the one after. Changed your mind? `/coffee resume`."
  }, 'only alice sees the answer')
  t.same(world.mm.post(intro.id), before, 'the intro is unchanged for everyone')
  t.match(await say(world.app, 'status', { userName: 'alice' }), /sitting out the next round/, '/coffee status agrees')

  const second = await world.mm.click(intro.id, 'coffeeskip', mmId('alice'))
  t.equal(second.ephemeral?.message, "You're already skipping the next round. Changed your mind? `/coffee resume`.")
  t.match(await say(world.app, 'skip', { userName: 'alice' }), /already skipping/, 'the same rule as /coffee skip')

  world.clock.advance(7 * DAY_MS)
  const next = await pass(world.app)
  t.equal(next.rounds[0]?.eligible, 3, 'round 2 goes on without alice')
  const round2 = world.mm.channelsOfType('G').filter((c) => world.mm.posts(c.id).some((p) => /^intro:\d+:2:/.test(String(p.props.coffee_delivery))))
  t.notOk(round2.some((c) => world.mm.memberIds(c.id).includes(mmId('alice'))), 'no round-2 intro for alice')
  world.clock.advance(7 * DAY_MS)
  t.equal((await pass(world.app)).rounds[0]?.eligible, 4, 'and she is back for round 3')
})

t.test('the button is refused to people outside the group, under another post, and to someone who left', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  await pass(world.app)
  const intro = introOf(world, 'alice')
  const context = (intro.props.attachments as { actions: { integration: { context: Record<string, unknown> } }[] }[])[0]!.actions[0]!.integration.context
  const outsider = world.mm.memberIds(intro.channel_id).includes(mmId('carol')) ? 'dave' : 'carol'
  const notMember = await click(world.app, { userId: mmId(outsider), postId: intro.id, channelId: intro.channel_id, context })
  t.equal(notMember.body.ephemeral_text, 'Only the people in this group can answer for it.')
  const forged = await click(world.app, { userId: mmId('alice'), postId: intro.id, channelId: intro.channel_id, context: { ...context, answer: 'met' } })
  t.equal(forged.body.ephemeral_text, "This button isn't one of mine, so I ignored it.", 'a skip context cannot be turned into an answer')

  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  const followup = world.mm.posts(intro.channel_id).find((p) => String(p.props.coffee_delivery).startsWith('followup:'))!
  const elsewhere = await click(world.app, { userId: mmId('alice'), postId: followup.id, channelId: intro.channel_id, context })
  t.equal(elsewhere.body.ephemeral_text, "This button doesn't belong to this conversation, so I ignored it.", 'skip only from the intro')

  await say(world.app, 'leave', { userName: 'alice' })
  const left = await world.mm.click(intro.id, 'coffeeskip', mmId('alice'))
  t.equal(left.ephemeral?.message, "You're not taking part in coffee in ~town-square any more, so there is no round to skip. `/coffee join` there brings you back.")
  t.equal((await world.db.prisma.participant.findFirstOrThrow({ where: { userId: mmId('alice') } })).skipNext, false, 'nothing changed')
})
