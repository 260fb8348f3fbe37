// Follow-ups and their buttons: timing, signed contexts, answers, reminders, auto-pause.
import t, { type Test } from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { DAY_MS, HOUR_MS } from '../../src/core/durations.js'
import type { FakePost } from '../helpers/fake-mattermost.js'

async function setup (t: Test, names: readonly string[], env: Record<string, string> = {}) {
  return createJoinedWorld(t, names, { env, seed: 5 })
}
type World = Awaited<ReturnType<typeof setup>>

function postsOfKind (world: World, kind: string): FakePost[] {
  return world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).filter((p) => String(p.props?.coffee_delivery ?? '').startsWith(`${kind}:`))
}

function buttons (post: FakePost) {
  const attachments = (post.props?.attachments ?? []) as { actions?: { id: string, name: string, style: string, integration: { url: string, context: Record<string, unknown> } }[] }[]
  return attachments.flatMap((a) => a.actions ?? [])
}

/** The follow-up of the group `name` is in, and its members' ids. */
function followupOf (world: World, name: string) {
  const post = postsOfKind(world, 'followup').find((p) => world.mm.memberIds(p.channel_id).includes(mmId(name)))!
  return { post, members: world.mm.memberIds(post.channel_id).filter((id) => id !== world.bot.id) }
}

function button (post: FakePost, id: string) {
  return buttons(post).find((b) => b.id === id)!
}

t.test('the follow-up goes out after the configured delay, with alphanumeric, signed buttons', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  await pass(world.app)
  world.clock.advance(72 * HOUR_MS - 60_000)
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 0, 'not before three days')
  world.clock.advance(60_000)
  const summary = await pass(world.app)
  t.equal(summary.deliveries.sent, 2)
  const followups = postsOfKind(world, 'followup')
  t.equal(followups.length, 2)
  for (const post of followups) {
    t.match(post.message, /did you get to meet\?/)
    const actions = buttons(post)
    t.same(actions.map((a) => a.id), ['coffeemet', 'coffeenotyet', 'coffeecancelled'])
    for (const action of actions) {
      t.match(action.id, /^[A-Za-z0-9]+$/, 'Mattermost only routes alphanumeric action ids')
      t.equal(action.integration.url, 'http://coffee.test/actions')
      t.match(action.integration.context, { v: 1, group: Number, answer: String, sig: String })
    }
  }
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 2, 'each follow-up once')
})

t.test('followup 0 sends it at the next scheduler call; without PUBLIC_URL follow-ups are off and the summary says so', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  world.person('admin', { admin: true })
  t.match(await say(world.app, 'config followup 0', { userName: 'admin' }), /at the next scheduler run/)
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 0)
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 1)

  const off = await setup(t, ['alice', 'bob'], { PUBLIC_URL: '' })
  const summary = await pass(off.app)
  t.match(summary.errors, [{ message: /PUBLIC_URL/ }])
})

t.test('when the next round is due first, its follow-up still goes out before the new intros', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  world.person('admin', { admin: true })
  await say(world.app, 'config every 1 day', { userName: 'admin' })
  await pass(world.app)
  world.clock.advance(DAY_MS)
  const summary = await pass(world.app)
  t.equal(summary.rounds.length, 1)
  const followups = postsOfKind(world, 'followup')
  t.equal(followups.length, 2)
  const order = world.mm.requestsTo('POST', '/api/v4/posts').map((r) => String((r.body as { props?: { coffee_delivery?: string } }).props?.coffee_delivery).split(':')[0])
  t.same(order, ['intro', 'intro', 'followup', 'followup', 'intro', 'intro'], 'follow-ups first')
})

t.test('a click records the answer, updates the post and is idempotent', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  world.person('admin', { admin: true })
  await say(world.app, 'config followup 0', { userName: 'admin' })
  await pass(world.app)
  await pass(world.app)
  const { post } = followupOf(world, 'alice')
  const met = button(post, 'coffeemet')
  const result = await click(world.app, { userId: mmId('alice'), userName: 'alice', postId: post.id, channelId: post.channel_id, context: met.integration.context })
  t.equal(result.status, 200)
  t.match(result.body.update?.message, /did you get to meet\?[\s\S]*✅ @alice says you met/)
  t.equal(result.body.update?.props.attachments.length, 1, 'bob has not answered: the buttons stay for him')
  t.match(result.body.ephemeral_text, /Glad you met/)
  const outcome = await world.db.prisma.outcome.findFirstOrThrow()
  t.match(outcome, { userId: mmId('alice'), answer: 'met' })
  world.clock.advance(60_000)
  const again = await click(world.app, { userId: mmId('alice'), userName: 'alice', postId: post.id, channelId: post.channel_id, context: met.integration.context })
  t.equal(again.body.update?.message, result.body.update?.message, 'same post on a double click')
  t.same((await world.db.prisma.outcome.findFirstOrThrow()).answeredAt, outcome.answeredAt, 'nothing changed')
  const bobs = await click(world.app, { userId: mmId('bob'), userName: 'bob', postId: post.id, channelId: post.channel_id, context: button(post, 'coffeenotyet').integration.context })
  t.match(bobs.body.update?.message, /✅ @alice says you met\n⏳ @bob says not yet$/, 'bob adds his own answer after alice said they met')
  t.same(bobs.body.update?.props.attachments, [], 'everyone answered: the buttons go')
  t.equal(await world.db.prisma.delivery.count({ where: { kind: 'reminder' } }), 0, 'the group met: no reminder for bob\'s "not yet"')
  t.equal(bobs.body.ephemeral_text, 'Thanks, noted.', 'no promise of a reminder')
  t.equal(await world.db.prisma.outcome.count(), 2)
  const bobSays = await click(world.app, { userId: mmId('bob'), userName: 'bob', postId: post.id, channelId: post.channel_id, context: button(post, 'coffeecancelled').integration.context })
  t.match(bobSays.body.update?.message, /✅ @alice says you met\n❌ @bob says you couldn't make it/)
  t.match(await say(world.app, 'status', { userName: 'alice' }), /in/)
})

t.test('forged, tampered and replayed clicks, and strangers, change nothing', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  world.person('mallory')
  world.person('admin', { admin: true })
  await say(world.app, 'config followup 0', { userName: 'admin' })
  await pass(world.app)
  await pass(world.app)
  const alice = followupOf(world, 'alice')
  const other = postsOfKind(world, 'followup').find((p) => p.id !== alice.post.id)!
  const context = button(alice.post, 'coffeemet').integration.context as { v: number, group: number, answer: string, sig: string }
  const as = (userId: string, ctx: unknown, postId = alice.post.id) => click(world.app, { userId, postId, channelId: alice.post.channel_id, context: ctx })

  t.match((await as(mmId('alice'), { ...context, sig: context.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).body, { ephemeral_text: /isn't one of mine/ }, 'tampered signature')
  t.match((await as(mmId('alice'), { ...context, answer: 'cancelled' })).body, { ephemeral_text: /isn't one of mine/ }, 'answer changed under the signature')
  t.match((await as(mmId('alice'), { ...context, group: context.group + 1 })).body, { ephemeral_text: /isn't one of mine/ }, 'group changed under the signature')
  t.match((await as(mmId('alice'), { v: 1, group: context.group, answer: 'met' })).body, { ephemeral_text: /isn't one of mine/ }, 'no signature')
  t.equal((await as(mmId('alice'), 'met')).status, 400, 'a context that is not an object is malformed')
  t.match((await as(mmId('alice'), context, other.id)).body, { ephemeral_text: /doesn't belong to this conversation/ }, 'replayed against another post')
  t.match((await as(mmId('mallory'), context)).body, { ephemeral_text: /Only the people in this group/ }, 'a stranger')
  t.equal(await world.db.prisma.outcome.count(), 0, 'nothing recorded')

  const malformed = await world.app.inject({ method: 'POST', url: '/actions', headers: { 'content-type': 'application/json' }, payload: '{"user_id": "x", ' })
  t.equal(malformed.statusCode, 400)
  const missing = await world.app.inject({ method: 'POST', url: '/actions', headers: { 'content-type': 'application/json' }, payload: { user_id: 'x' } })
  t.equal(missing.statusCode, 400)
  t.match(missing.json().message, /context|post_id/)
})

t.test('"not yet" keeps the buttons and earns one reminder before the next round', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  await pass(world.app)
  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  const { post } = followupOf(world, 'alice')
  const result = await click(world.app, { userId: mmId('bob'), userName: 'bob', postId: post.id, channelId: post.channel_id, context: button(post, 'coffeenotyet').integration.context })
  t.match(result.body.update?.message, /⏳ @bob says not yet/)
  t.equal(result.body.update?.props.attachments[0]?.actions?.length, 3, 'buttons stay')
  const reminder = await world.db.prisma.delivery.findFirstOrThrow({ where: { kind: 'reminder' } })
  t.same(reminder.nextAttemptAt, new Date(world.clock.now().getTime() + 2 * DAY_MS), 'halfway to the next round (4 days away)')
  await click(world.app, { userId: mmId('bob'), postId: post.id, channelId: post.channel_id, context: button(post, 'coffeenotyet').integration.context })
  t.equal(await world.db.prisma.delivery.count({ where: { kind: 'reminder' } }), 1, 'one reminder, however often')
  await pass(world.app)
  t.equal(postsOfKind(world, 'reminder').length, 0, 'not yet')
  world.clock.advance(2 * DAY_MS)
  await pass(world.app)
  const reminders = postsOfKind(world, 'reminder')
  t.equal(reminders.length, 1)
  t.equal(reminders[0]?.message, "⏰ **Friendly reminder:** @alice and @bob, there's still time for that coffee before the next round. Once you've met, tell me with a button on my question above.")
  t.equal(reminders[0]?.root_id, post.id, 'a reply in the thread of the follow-up')
  t.same(reminders[0]?.props?.attachments ?? [], [], 'no second set of buttons')
  const fromFollowup = await click(world.app, { userId: mmId('alice'), userName: 'alice', postId: post.id, channelId: post.channel_id, context: button(post, 'coffeemet').integration.context })
  t.match(fromFollowup.body.update?.message, /⏳ @bob says not yet\n✅ @alice says you met/, 'the answer goes on the follow-up above')
})

t.test('a reminder to a group that answered meanwhile is skipped', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  await pass(world.app)
  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  const { post } = followupOf(world, 'alice')
  await click(world.app, { userId: mmId('bob'), postId: post.id, channelId: post.channel_id, context: button(post, 'coffeenotyet').integration.context })
  await click(world.app, { userId: mmId('alice'), postId: post.id, channelId: post.channel_id, context: button(post, 'coffeemet').integration.context })
  world.clock.advance(2 * DAY_MS)
  await pass(world.app)
  t.equal(postsOfKind(world, 'reminder').length, 0)
  t.match(await world.db.prisma.delivery.findFirstOrThrow({ where: { kind: 'reminder' } }), { state: 'skipped', lastError: /already answered \(met\)/ })
})

t.test('three unanswered rounds in a row pause someone, who is told privately how to resume', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  world.person('admin', { admin: true })
  await say(world.app, 'config followup 0', { userName: 'admin' })
  for (let round = 1; round <= 3; round++) {
    await pass(world.app, { force: round > 1 })
    await pass(world.app)
    // Groups without alice answer; hers never does.
    for (const post of postsOfKind(world, 'followup')) {
      const members = world.mm.memberIds(post.channel_id)
      const group = (buttons(post)[0]!.integration.context as { group: number }).group
      if (members.includes(mmId('alice')) || await world.db.prisma.outcome.count({ where: { groupId: group } }) > 0) continue
      await click(world.app, { userId: members.find((id) => id !== world.bot.id)!, postId: post.id, channelId: post.channel_id, context: button(post, 'coffeemet').integration.context })
    }
    world.clock.advance(DAY_MS)
  }
  // Alice's partners have used Coffee since; she has not.
  for (const name of ['bob', 'carol', 'dave']) await say(world.app, 'status', { userName: name })
  const summary = await pass(world.app, { force: true })
  t.match(summary.rounds[0], { eligible: 3, excluded: { unresponsive: 1 } })
  const alice = await world.db.prisma.participant.findFirstOrThrow({ where: { userId: mmId('alice') } })
  t.ok(alice.autoPausedAt, 'alice is paused')
  const dm = world.mm.directChannel(world.bot.id, mmId('alice'))
  t.ok(dm, 'a direct message to alice')
  t.match(world.mm.posts(dm!.id).at(-1)?.message, /paused your coffee in ~town-square.*\/coffee resume/s)
  t.match(await say(world.app, 'status', { userName: 'alice' }), /paused\*\* because the last rounds went unanswered/)
  t.match(await say(world.app, 'resume', { userName: 'alice' }), /Welcome back/)
  const next = await pass(world.app, { force: true, dry_run: true })
  t.match(next.rounds[0], { eligible: 4 }, 'back in after resume')
})

t.test('forcing rounds in a row pauses nobody: a follow-up counts only when people had a fair time to answer it', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  // An admin tries things out: five rounds a few minutes apart. Each forced round sends the last one's follow-up
  // first, so nobody ever had time to answer.
  for (let round = 1; round <= 5; round++) {
    const summary = await pass(world.app, { force: round > 1 })
    t.match(summary.rounds, [{ round, eligible: 4, excluded: { unresponsive: 0 } }], `round ${round}: everyone is in`)
    world.clock.advance(5 * 60_000)
  }
  t.equal(await world.db.prisma.participant.count({ where: { autoPausedAt: { not: null } } }), 0, 'nobody is paused')
  t.ok(postsOfKind(world, 'followup').length >= 8, 'the follow-ups did go out')

  // Answering time counts from the follow-up to the next round: a day (or half the cadence, if shorter) is fair.
  for (let round = 6; round <= 8; round++) {
    world.clock.advance(3 * DAY_MS) // the 72-hour follow-up goes out...
    await pass(world.app)
    world.clock.advance(DAY_MS - 60_000) // ...a day before the next round
    if (round === 8) break
    world.clock.advance(60_000)
    t.match((await pass(world.app, { force: true })).rounds, [{ round, eligible: 4 }])
  }
  t.match((await pass(world.app, { force: true, dry_run: true })).rounds, [{ eligible: 4 }], "a minute short of a day: round 7's follow-up does not count yet")
  world.clock.advance(60_000)
  // Rounds 5, 6 and 7 had a day each and nobody answered: everyone would now be paused, so no round starts.
  const last = await pass(world.app, { force: true })
  t.same(last.rounds, [])
  t.match(last.skipped, [{ reason: /fewer than 2 people can take part \(0 eligible\)/ }])
})

t.test('a new follow-up delay applies to the rounds whose follow-up has not gone out yet', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  world.person('admin', { admin: true })
  await pass(world.app) // round 1, follow-up due in 72 hours
  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 2, "round 1's follow-ups are out")
  const round1 = await world.db.prisma.round.findFirstOrThrow({ where: { number: 1 } })

  world.clock.advance(4 * DAY_MS)
  await pass(world.app) // round 2, follow-up due in 72 hours
  world.clock.advance(HOUR_MS)
  t.match(await say(world.app, 'config followup 1 day', { userName: 'admin' }), /Done/)
  const round2 = await world.db.prisma.round.findFirstOrThrow({ where: { number: 2 } })
  t.equal(round2.followupAt.getTime(), round2.createdAt.getTime() + DAY_MS, 'round 2 now asks a day after it began')
  t.same((await world.db.prisma.round.findFirstOrThrow({ where: { number: 1 } })).followupAt, round1.followupAt, 'round 1 asked already: unchanged')

  world.clock.advance(DAY_MS - HOUR_MS - 60_000)
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 2, 'not before the day is up')
  world.clock.advance(60_000)
  await pass(world.app)
  t.equal(postsOfKind(world, 'followup').length, 4, "round 2's follow-ups go out a day after it began, not three")
})
