// The channel sees Coffee: a post in the program's channel when each round starts, through the outbox, read as
// people read it in the channel; `/coffee config announce off` stops it.
import t, { type Test } from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { FakeMattermost, FakePost } from '../helpers/fake-mattermost.js'

const NAMES = ['alice', 'bob', 'carol', 'dave']

/** The bot's posts in the program's channel: what everyone there reads. */
function channelPosts (mm: FakeMattermost, botId: string): FakePost[] {
  return mm.posts(CHANNEL_ID).filter((p) => p.user_id === botId)
}

/** Answers a group's follow-up as `who`, with the button Mattermost shows. */
async function answer (t: Test, world: Awaited<ReturnType<typeof createJoinedWorld>>, who: string, actionId: string) {
  const followup = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id))
    .find((p) => String(p.props.coffee_delivery).startsWith('followup:') && world.mm.memberIds(p.channel_id).includes(mmId(who)))
  if (followup === undefined) throw new Error(`no follow-up for ${who}`)
  const attachments = followup.props.attachments as { actions: { id: string, integration: { context: unknown } }[] }[]
  const action = attachments[0]!.actions.find((a) => a.id === actionId)!
  const clicked = await click(world.app, { userId: mmId(who), userName: who, postId: followup.id, channelId: followup.channel_id, context: action.integration.context })
  t.equal(clicked.status, 200)
}

t.test('round 1 is announced in the channel, round 2 with how the last round went; no one is pinged', async (t) => {
  const world = await createJoinedWorld(t, NAMES, { seed: 5, announce: true })
  const first = await pass(world.app)
  t.equal(first.deliveries.sent, 3, 'two intros and the announcement')
  const [announced, ...more] = channelPosts(world.mm, world.bot.id)
  t.same(more, [], 'one post in the channel')
  t.equal(announced!.message, '☕ **Coffee starts here!** 4 people meet in 2 groups this round — look for my group message. Want to meet someone new? Type `/coffee join` to take part.')
  t.equal(announced!.props.coffee_delivery, `announce:${(await world.db.prisma.program.findFirstOrThrow()).id}:1`, 'sent through the outbox, with its key')
  t.notMatch(announced!.message, /@/, 'no mention: nobody is notified by it')

  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  // One group met; the other could not make it (its answer still counts as an answer).
  await answer(t, world, 'alice', 'coffeemet')
  const other = NAMES.find((name) => !world.mm.memberIds(world.mm.channelsOfType('G').find((c) => world.mm.memberIds(c.id).includes(mmId('alice')))!.id).includes(mmId(name)))!
  await answer(t, world, other, 'coffeecancelled')
  t.equal(channelPosts(world.mm, world.bot.id).length, 1, 'follow-ups are not announced')

  world.clock.advance(4 * DAY_MS)
  const second = await pass(world.app)
  t.equal(second.rounds.length, 1)
  const posts = channelPosts(world.mm, world.bot.id)
  t.equal(posts.length, 2)
  t.equal(posts[1]!.message, '☕ **Coffee, round 2:** 4 people meet in 2 groups this round. Last round, 1 of the 2 groups that answered met (50 %). Want to meet someone new? Type `/coffee join` to take part.')

  t.equal((await pass(world.app)).deliveries.sent, 0, 'a later pass sends nothing again')
  t.equal(channelPosts(world.mm, world.bot.id).length, 2)
})

t.test('groups that have not answered yet are not counted as groups that did not meet', async (t) => {
  const world = await createJoinedWorld(t, NAMES, { seed: 5, announce: true })
  await pass(world.app)
  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  await answer(t, world, 'alice', 'coffeemet')
  world.clock.advance(4 * DAY_MS)
  await pass(world.app)
  t.match(channelPosts(world.mm, world.bot.id)[1]!.message, /Last round, the one group that answered met\./)
})

t.test('in everyone-here mode the post says so; config announce off stops it, on brings it back', async (t) => {
  const world = await createJoinedWorld(t, NAMES, { seed: 5, announce: true })
  world.person('olga', { admin: true })
  t.match(await say(world.app, 'config announce off', { userName: 'olga' }), /no more posts in this channel/)
  t.match(await say(world.app, 'config', { userName: 'olga' }), /\| Announcements \| off \|/)
  t.match(await say(world.app, 'config announce maybe', { userName: 'olga' }), /`on`.*or `off`/)
  await pass(world.app)
  t.same(channelPosts(world.mm, world.bot.id), [], 'nothing in the channel')
  t.equal(world.mm.channelsOfType('G').length, 2, 'the intros went out as before')

  t.match(await say(world.app, 'config announce on', { userName: 'olga' }), /a short note in this channel/)
  await say(world.app, 'config mode channel', { userName: 'olga' })
  world.clock.advance(7 * DAY_MS)
  await pass(world.app)
  const [post] = channelPosts(world.mm, world.bot.id)
  t.match(post?.message, /^☕ \*\*Coffee, round 2:\*\* 5 people meet in 2 groups this round\. Everyone in this channel takes part; `\/coffee skip` sits out a round\.$/)
})
