// POST /rounds end to end: the real app and database, the real gateway, a fake Mattermost.
import t, { type Test } from 'tap'
import { createTestApp } from '../helpers/app.js'
import { createMattermostWorld, createJoinedWorld } from '../helpers/mattermost.js'
import { say, CHANNEL_ID, mmId } from '../helpers/slash.js'
import { rounds, pass } from '../helpers/rounds.js'
import { DAY_MS } from '../../src/core/durations.js'

async function setup (t: Test, names: readonly string[], env: Record<string, string> = {}) {
  return createJoinedWorld(t, names, { env, seed: 7 })
}

/** Group channels the bot made, with their posts. */
function groupChats (world: Awaited<ReturnType<typeof setup>>) {
  return world.mm.channelsOfType('G').map((channel) => ({
    members: world.mm.memberIds(channel.id).filter((id) => id !== world.bot.id).sort(),
    posts: world.mm.posts(channel.id)
  }))
}

t.test('the scheduler needs the admin token', async (t) => {
  const world = await createMattermostWorld(t)
  const { app, db } = await createTestApp(t, { gateway: world.gateway, env: world.env })
  t.equal((await rounds(app, {}, 'wrong-token-wrong-token')).status, 401)
  const none = await app.inject({ method: 'POST', url: '/rounds' })
  t.equal(none.statusCode, 401)
  t.equal(none.headers['www-authenticate'], 'Bearer')
  t.equal(await db.prisma.round.count(), 0)
  const closed = await createTestApp(t, { gateway: world.gateway, env: { ...world.env, ADMIN_TOKEN: '' } })
  t.match((await rounds(closed.app)).body.message, /ADMIN_TOKEN is not set/)
  const noMattermost = await createTestApp(t)
  const result = await rounds(noMattermost.app)
  t.equal(result.status, 503)
  t.match(result.body.message, /MATTERMOST_URL and MATTERMOST_BOT_TOKEN/)
})

t.test('a round introduces everyone once, in group messages with the bot; a trio for an odd count', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin'])
  // Mattermost profiles: alice has a position, erin only a nickname; the others the fake's FirstN LastN.
  Object.assign(world.mm.user(mmId('alice'))!, { first_name: 'Ana', last_name: 'Lima', position: 'Product designer' })
  Object.assign(world.mm.user(mmId('erin'))!, { first_name: '', last_name: '', nickname: 'E_rin' })
  const summary = await pass(world.app)
  t.equal(summary.rounds.length, 1)
  t.match(summary.rounds[0], { channel_id: CHANNEL_ID, channel_name: 'town-square', round: 1, eligible: 5, groups: 2, alone: 0 })
  t.same(summary.deliveries, { sent: 2, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 })
  t.same(summary.errors, [])

  const chats = groupChats(world)
  t.equal(chats.length, 2)
  t.same(chats.map((c) => c.members.length).sort(), [2, 3], 'a pair and a trio')
  t.same(chats.flatMap((c) => c.members).sort(), ['alice', 'bob', 'carol', 'dave', 'erin'].map(mmId).sort(), 'everyone exactly once')
  for (const chat of chats) {
    t.equal(chat.posts.length, 1, 'one intro per group')
    const post = chat.posts[0]!
    t.equal(post.user_id, world.bot.id)
    for (const id of chat.members) t.match(post.message, `@${world.mm.user(id)!.username}`, 'every member mentioned')
    t.match(post.message, /~town-square/)
    const starters = post.message.split('\n').filter((line) => line.startsWith('- '))
    t.equal(starters.length, chat.members.length === 2 ? 2 : 3, 'two starters for a pair, three for a trio')
    t.match(post.message, /\*\*Not sure where to start\?\*\* Try one of these\.\n- .+\?/)
    t.match(post.message, /\/coffee skip/)
    const firstLine = post.message.split('\n')[0]!
    for (const id of chat.members) {
      const name = world.mm.user(id)!.username
      const about = name === 'alice' ? ' (Ana Lima, Product designer)' : name === 'erin' ? ' (E\\_rin)' : ` (${world.mm.user(id)!.first_name} ${world.mm.user(id)!.last_name})`
      t.ok(firstLine.includes(`@${name}${about}`), `@${name} introduced with their name: ${firstLine}`)
    }
    t.same((post.props.attachments as { actions: { name: string }[] }[]).map((a) => a.actions.map((b) => b.name)), [['Skip next round', 'We already know each other']], 'two buttons: skip next round, we already know each other')
    t.match(post.props, { coffee_delivery: /^intro:\d+:1:\d+$/ }, 'keyed by program, round and group')
  }
  const again = await pass(world.app)
  t.same(again.rounds, [], 'not due again straight away')
  t.equal(world.mm.requestsTo('POST', '/api/v4/posts').length, 2, 'nothing posted twice')
  t.match(await say(world.app, 'status', { userName: 'alice' }), /Your group in round 1: @/)
})

t.test('cadence: weekly by default, with tolerance for scheduler jitter; force starts one now', async (t) => {
  const world = await setup(t, ['alice', 'bob'])
  await pass(world.app)
  world.clock.advance(7 * DAY_MS - 2 * 60 * 60_000)
  t.same((await pass(world.app)).rounds, [], 'two hours early is not due')
  world.clock.advance(90 * 60_000)
  t.match((await pass(world.app)).rounds, [{ round: 2 }], 'half an hour early is due')
  t.match((await pass(world.app, { force: true })).rounds, [{ round: 3 }], 'force ignores the cadence')
  t.match((await pass(world.app, { force: 'true', channel_id: 'nosuchchannel' })).skipped, [{ channel_id: 'nosuchchannel', reason: /not been set up/ }])
})

t.test('dry run shows the groups and changes nothing', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol'])
  const summary = await pass(world.app, { dry_run: true })
  t.equal(summary.dry_run, true)
  t.same(summary.rounds[0]?.plan?.groups.map((g) => g.slice().sort()), [['alice', 'bob', 'carol']])
  t.equal(await world.db.prisma.round.count(), 0)
  t.equal(world.mm.requestsTo('POST', '/api/v4/posts').length, 0)
  t.equal(world.mm.channelsOfType('G').length, 0)
  const query = await world.app.inject({ method: 'POST', url: '/rounds?dry_run=1', headers: { authorization: 'Bearer admin-token-0123456789abcdef' } })
  t.equal(query.json().dry_run, true, 'options work in the query too')
})

t.test('eligibility: skip (used up), pause, left, deactivated, bots and non-members are left out', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'])
  await say(world.app, 'skip', { userName: 'bob' })
  await say(world.app, 'pause 2w', { userName: 'carol' })
  await say(world.app, 'leave', { userName: 'dave' })
  world.mm.deactivate(mmId('erin'))
  world.mm.removeMember(CHANNEL_ID, mmId('frank'))
  const summary = await pass(world.app, { dry_run: true })
  t.match(summary.rounds[0], { eligible: 2, excluded: { skipping: 1, paused: 1, left: 1, inactive: 1, notMember: 1 } })
  t.same(summary.rounds[0]?.plan?.groups.map((g) => g.slice().sort()), [['alice', 'gina']])
  await pass(world.app)
  const bob = await world.db.prisma.participant.findFirstOrThrow({ where: { userId: mmId('bob') } })
  t.equal(bob.skipNext, false, 'the skip is used up by the round')
  t.match(await say(world.app, 'status', { userName: 'bob' }), /You're \*\*in\*\* for the next round/)
})

t.test('everyone-here mode takes every channel member but bots and those who left', async (t) => {
  const world = await setup(t, [])
  for (const name of ['alice', 'bob', 'carol', 'dave']) world.person(name, { admin: name === 'alice' })
  const helper = world.mm.addBot({ username: 'otherbot' })
  world.mm.addMember(CHANNEL_ID, helper.user.id)
  t.match(await say(world.app, 'config mode channel', { userName: 'alice' }), /everyone in this channel/)
  await say(world.app, 'leave', { userName: 'dave' })
  t.same((await pass(world.app)).rounds, [], 'round 1 waits for a start')
  t.match(await say(world.app, 'config start now', { userName: 'alice' }), /^Done: Round 1 is at the next scheduler run, then every week on /)
  const summary = await pass(world.app)
  t.match(summary.rounds[0], { eligible: 3, groups: 1, excluded: { left: 1 } })
  t.same(groupChats(world)[0]?.members, ['alice', 'bob', 'carol'].map(mmId).sort())
  t.equal(await world.db.prisma.participant.count({ where: { status: 'active' } }), 3, 'members got participant rows')
})

t.test('fewer than two people: no round', async (t) => {
  const world = await setup(t, ['alice'])
  const summary = await pass(world.app, { channel_id: CHANNEL_ID })
  t.same(summary.rounds, [])
  t.match(summary.skipped, [{ channel_id: CHANNEL_ID, reason: /fewer than 2/ }])
})

t.test('blocked people are never grouped together', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  await say(world.app, 'block @bob', { userName: 'alice', mentions: { '@bob': mmId('bob') } })
  for (let i = 0; i < 6; i++) {
    const summary = await pass(world.app, { force: true, dry_run: true })
    for (const group of summary.rounds[0]!.plan!.groups) t.notOk(group.includes('alice') && group.includes('bob'), 'alice and bob apart')
  }
})

t.test('a round that cannot start says which channel and the fix; a channel without a start says how to give it one', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'])
  world.mm.removeMember(CHANNEL_ID, world.bot.id)
  const summary = await pass(world.app)
  t.same(summary.rounds, [])
  t.match(summary.errors, [{ channel_id: CHANNEL_ID, channel_name: 'town-square', message: /^~town-square: the bot is not a member of the channel, so Mattermost does not let it see who is there\. Type `\/invite @coffee` in ~town-square\. \(Mattermost GET .* answered 403/ }])
  world.mm.addMember(CHANNEL_ID, world.bot.id)
  t.match((await pass(world.app)).rounds, [{ round: 1 }], 'invited: the next call starts it')

  const other = await createJoinedWorld(t, ['carol', 'dave'])
  await other.db.prisma.program.updateMany({ data: { startAt: null } })
  t.same((await pass(other.app, { channel_id: CHANNEL_ID })).skipped, [{ channel_id: CHANNEL_ID, reason: 'round 1 has no start yet: a channel admin picks the day and time with `/coffee config start monday 10:00`' }])
})

t.test('when fewer than two people can take part, the channel admins are told privately why and what to do, once', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'])
  world.person('lead', { admin: true })
  await say(world.app, 'pause 2w', { userName: 'bob' })
  const directTo = (name: string) => world.mm.channelsOfType('D').filter((c) => world.mm.memberIds(c.id).includes(mmId(name))).flatMap((c) => world.mm.posts(c.id))
  t.match((await pass(world.app)).skipped, [])
  t.same((await pass(world.app, { channel_id: CHANNEL_ID })).skipped, [{ channel_id: CHANNEL_ID, reason: 'fewer than 2 people can take part (1 eligible)' }])
  const told = directTo('lead')
  t.equal(told.length, 1, 'one direct message to the channel admin, though two calls found too few')
  t.equal(told[0]?.message, "☕ Coffee could not start a round in ~town-square: only 1 person could take part (besides them: 1 paused), and a round needs two. To get it going, ask people there to type `/coffee join`, or let everyone in the channel take part with `/coffee config mode channel`. I'll only write again if something else stops the rounds.")
  t.same(directTo('alice'), [], 'members are not told')

  await say(world.app, 'resume', { userName: 'bob' })
  t.match((await pass(world.app)).rounds, [{ round: 1, eligible: 2 }])
  t.equal((await world.db.prisma.program.findUniqueOrThrow({ where: { channelId: CHANNEL_ID } })).noticeCause, '', 'rounds run again: a new stop will be told')
})
