// What the gateway asks of a working Mattermost, through the real Client4: every method Coffee calls, against the fake
// by default and against a real server with TEST_MATTERMOST_URL (`npm run test:e2e` runs it so). Request counts
// (batching, paging) are checked where the fake can count them; faults are in gateway-faults.test.ts.
import t from 'tap'
import { createGateway, GatewayError } from '../../src/mattermost/gateway.js'
import { newId } from '../helpers/fake-mattermost.js'
import { createChatBackend, gatewayFailure } from '../helpers/chat-backend.js'
import type { Test } from 'tap'

async function setup (t: Test) {
  const backend = await createChatBackend(t)
  const alice = await backend.addUser({ first_name: 'Alice', last_name: 'Liddell', nickname: 'al' })
  const bob = await backend.addUser()
  const carol = await backend.addUser()
  const channel = await backend.addChannel('coffee-lovers')
  for (const u of [backend.bot, alice, bob, carol]) await backend.addMember(channel.id, u.id)
  const gateway = createGateway({ url: backend.url, token: backend.bot.token })
  return { backend, fake: backend.fake, bot: backend.bot, alice, bob, carol, channel, gateway }
}

t.test('getMe returns the bot and asks only once', async (t) => {
  const { fake, gateway, bot } = await setup(t)
  const [me, again] = await Promise.all([gateway.getMe(), gateway.getMe()])
  t.hasStrict(me, { id: bot.id, username: bot.username, delete_at: 0, is_bot: true, roles: 'system_user', locale: 'en' })
  t.same(again, me)
  if (fake !== undefined) {
    await gateway.getMe()
    t.equal(fake.requestsTo('GET', '/api/v4/users/me').length, 1)
    t.match(fake.requests[0]?.authorization, /^BEARER [a-z0-9]{26}$/, 'Client4 sends the BEARER scheme')
  }
})

t.test('getUsersByIds: nothing for an empty list, duplicates once, unknown ids left out', async (t) => {
  const { fake, gateway, alice, bob } = await setup(t)
  t.same(await gateway.getUsersByIds([]), [])
  if (fake !== undefined) t.equal(fake.requestsTo('POST', '/api/v4/users/ids').length, 0, 'no request for an empty list')
  const users = await gateway.getUsersByIds([alice.id, bob.id, alice.id, newId()])
  t.same(users.map((u) => u.id).sort(), [alice.id, bob.id].sort())
  t.hasStrict(users.find((u) => u.id === alice.id), { username: alice.username, first_name: 'Alice', last_name: 'Liddell', nickname: 'al', delete_at: 0, is_bot: false, roles: 'system_user' })
})

t.test('getUsersByIds asks 200 at a time', { skip: process.env.TEST_MATTERMOST_URL !== undefined && 'an unlicensed server has no room for 450 more users' }, async (t) => {
  const { fake, gateway } = await setup(t)
  const ids = Array.from({ length: 450 }, () => fake!.addUser().id)
  t.equal((await gateway.getUsersByIds(ids)).length, 450)
  t.same(fake!.requestsTo('POST', '/api/v4/users/ids').map((c) => (c.body as string[]).length), [200, 200, 50])
})

t.test('getUsersByUsernames: @ and capitals are fine, unknown and impossible names left out, nothing asked for none', async (t) => {
  const { fake, gateway, alice, bob } = await setup(t)
  t.same(await gateway.getUsersByUsernames([]), [])
  t.same(await gateway.getUsersByUsernames(['john smith']), [], 'a name that cannot exist is not sent')
  if (fake !== undefined) t.equal(fake.requestsTo('POST', '/api/v4/users/usernames').length, 0, 'no request without a possible name')
  const users = await gateway.getUsersByUsernames([`@${alice.username.toUpperCase()}`, ` ${bob.username} `, alice.username, 'nobody-by-that-name'])
  t.same(users.map((u) => u.id).sort(), [alice.id, bob.id].sort())
  t.hasStrict(users.find((u) => u.id === alice.id), { username: alice.username, first_name: 'Alice', delete_at: 0, is_bot: false })
})

t.test('getUsersByUsernames asks 200 at a time', { skip: process.env.TEST_MATTERMOST_URL !== undefined && 'an unlicensed server has no room for 450 more users' }, async (t) => {
  const { fake, gateway } = await setup(t)
  const names = Array.from({ length: 450 }, () => fake!.addUser().username)
  t.equal((await gateway.getUsersByUsernames(names)).length, 450)
  t.same(fake!.requestsTo('POST', '/api/v4/users/usernames').map((c) => (c.body as string[]).length), [200, 200, 50])
})

t.test('getUser and getUserByUsername: the user, or null when there is none', async (t) => {
  const { backend, gateway, alice } = await setup(t)
  t.equal((await gateway.getUser(alice.id))?.username, alice.username)
  t.equal(await gateway.getUser(newId()), null)
  t.equal((await gateway.getUserByUsername(`@${alice.username.toUpperCase()}`))?.id, alice.id, 'a leading @ and capitals are fine')
  t.equal((await gateway.getUserByUsername(` ${alice.username} `))?.id, alice.id)
  t.equal(await gateway.getUserByUsername('nobody-by-that-name'), null)
  t.equal(await gateway.getUserByUsername('john smith'), null, 'a name that cannot exist')
  await backend.deactivate(alice.id)
  t.ok(((await gateway.getUser(alice.id))?.delete_at ?? 0) > 0, 'deactivated users come back with delete_at set')
  t.equal(await gateway.getUser('not-an-id'), null, 'no route matches these characters: the server says 404')
  const error = await gatewayFailure(gateway.getUser('tooshort'))
  t.equal(error.status, 400, 'other errors are rethrown')
  t.equal(error.transient, false)
})

t.test('getChannelMember', async (t) => {
  const { backend, gateway, channel, alice, bot } = await setup(t)

  const lead = await backend.addUser()
  await backend.addMember(channel.id, lead.id, { admin: true })
  t.hasStrict(await gateway.getChannelMember(channel.id, lead.id), { channel_id: channel.id, user_id: lead.id, roles: 'channel_user channel_admin' })
  t.equal((await gateway.getChannelMember(channel.id, alice.id))?.roles, 'channel_user')
  t.equal(await gateway.getChannelMember(channel.id, (await backend.addUser()).id), null)
  await backend.removeMember(channel.id, bot.id)
  t.equal((await gatewayFailure(gateway.getChannelMember(channel.id, alice.id))).status, 403, 'no longer a member: forbidden, not null')
})

t.test('getChannelAdminIds: the channel admins only', async (t) => {
  const { backend, gateway, channel, alice } = await setup(t)
  t.same(await gateway.getChannelAdminIds(channel.id), [], 'nobody is an admin yet')
  const lead = await backend.addUser()
  await backend.addMember(channel.id, lead.id, { admin: true })
  t.same(await gateway.getChannelAdminIds(channel.id), [lead.id])
  t.notOk((await gateway.getChannelAdminIds(channel.id)).includes(alice.id))
})

t.test('joinChannel: the bot joins a public channel of its team, is refused a private one until invited', async (t) => {
  const { backend, gateway, channel, bot } = await setup(t)
  t.equal(await gateway.joinChannel(channel.id), 'member', 'already a member')

  const open = await backend.addChannel('open-door')
  t.equal(await gateway.joinChannel(open.id), 'joined')
  t.ok((await backend.memberIds(open.id)).includes(bot.id), 'Mattermost now lists the bot as a member')
  t.equal(await gateway.joinChannel(open.id), 'member', 'and it stays one')

  const closed = await backend.addChannel('back-room', { private: true })
  t.equal(await gateway.joinChannel(closed.id), 'refused', 'a private channel needs an invitation')
  t.notOk((await backend.memberIds(closed.id)).includes(bot.id))
  await backend.addMember(closed.id, bot.id)
  t.equal(await gateway.joinChannel(closed.id), 'member', 'invited: a member')
  t.equal(await gateway.joinChannel(newId()), 'refused', 'a channel that does not exist')
})

t.test('getChannelMemberIds: every member, the bot included', async (t) => {
  const { fake, gateway, channel, bot, alice, bob, carol } = await setup(t)
  t.same((await gateway.getChannelMemberIds(channel.id)).sort(), [bot.id, alice.id, bob.id, carol.id].sort())
  if (fake !== undefined) t.same(fake.requestsTo('GET', `/api/v4/channels/${channel.id}/members`).map((p) => [p.query.page, p.query.per_page]), [['0', '200']])
})

t.test('getChannelMemberIds reads every page, 200 at a time', { skip: process.env.TEST_MATTERMOST_URL !== undefined && 'the end-to-end suite reads a 240-member channel (test/e2e/scale.e2e.ts)' }, async (t) => {
  const { fake, gateway, bot } = await setup(t)
  const big = fake!.addChannel({ name: 'big' })
  fake!.addMember(big.id, bot.id)
  const ids = [bot.id]
  for (let i = 0; i < 449; i++) {
    const id = fake!.addUser().id
    fake!.addMember(big.id, id)
    ids.push(id)
  }
  const found = await gateway.getChannelMemberIds(big.id)
  t.same(new Set(found), new Set(ids))
  t.same(fake!.requestsTo('GET', `/api/v4/channels/${big.id}/members`).map((p) => [p.query.page, p.query.per_page]), [['0', '200'], ['1', '200'], ['2', '200']])
  const exact = fake!.addChannel({ name: 'exact' })
  fake!.addMember(exact.id, bot.id)
  for (let i = 0; i < 199; i++) fake!.addMember(exact.id, fake!.addUser().id)
  t.equal((await gateway.getChannelMemberIds(exact.id)).length, 200, 'a full last page means one more (empty) page')
})

t.test('createDirectChannel: the bot and the user, the same channel every time', async (t) => {
  const { backend, gateway, bot, alice } = await setup(t)
  const id = await gateway.createDirectChannel(alice.id)
  t.equal(await gateway.createDirectChannel(alice.id), id)
  t.equal(await backend.channelType(id), 'D')
  t.same((await backend.memberIds(id)).sort(), [bot.id, alice.id].sort())
})

t.test('createGroupChannel: the same channel for the same set; one other person means a DM', async (t) => {
  const { backend, fake, gateway, bot, alice, bob, carol } = await setup(t)
  const id = await gateway.createGroupChannel([alice.id, bob.id, carol.id])
  t.equal(await backend.channelType(id), 'G')
  t.same((await backend.memberIds(id)).sort(), [bot.id, alice.id, bob.id, carol.id].sort())
  if (fake !== undefined) t.same(fake.requestsTo('POST', '/api/v4/channels/group')[0]?.body, [alice.id, bob.id, carol.id, bot.id], 'all 3..8 ids in the body, as the spec wants')
  t.equal(await gateway.createGroupChannel([carol.id, bob.id, alice.id, bot.id]), id, 'the same set, the same channel')
  const dm = await gateway.createGroupChannel([alice.id, alice.id])
  t.equal(await backend.channelType(dm), 'D')
  t.equal(dm, await gateway.createDirectChannel(alice.id))
})

t.test('createGroupChannel: Mattermost\'s size rule surfaces as a non-transient 400', async (t) => {
  const { backend, gateway } = await setup(t)
  const eight = await Promise.all(Array.from({ length: 8 }, async () => (await backend.addUser()).id))
  const error = await gatewayFailure(gateway.createGroupChannel(eight))
  t.equal(error.status, 400)
  t.equal(error.transient, false)
  t.equal(error.serverErrorId, 'api.channel.create_group.bad_size.app_error')
  t.equal(error.method, 'POST')
  t.equal(error.path, '/api/v4/channels/group')
  t.match(error.message, /POST \/api\/v4\/channels\/group answered 400: .*bad_size/)
})

t.test('createPost', async (t) => {
  const { backend, gateway, channel, bot } = await setup(t)
  const { id } = await gateway.createPost({ channelId: channel.id, message: 'Meet Alice and Bob', props: { coffee_delivery: 'r1:g1' } })
  t.hasStrict(await backend.post(id), { id, user_id: bot.id, channel_id: channel.id, message: 'Meet Alice and Bob', props: { coffee_delivery: 'r1:g1', from_bot: 'true' } })
  const reply = await gateway.createPost({ channelId: channel.id, message: 'and a reply', rootId: id })
  t.equal((await backend.post(reply.id)).root_id, id)

  const outside = await backend.addChannel('outside')
  const denied = await gatewayFailure(gateway.createPost({ channelId: outside.id, message: 'x' }))
  t.equal(denied.status, 403)
  t.equal(denied.transient, false)
})

t.test('findRecentPostWithProp finds the bot\'s own post, newest first, within the scan', async (t) => {
  const { backend, fake, gateway, channel, alice } = await setup(t)
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1'), null)
  await backend.addPost(channel.id, alice.id, 'spoof', { coffee_delivery: 'k1' })
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1'), null, 'other people\'s posts do not count')

  const { id } = await gateway.createPost({ channelId: channel.id, message: 'intro', props: { coffee_delivery: 'k1' } })
  for (let i = 0; i < 5; i++) await gateway.createPost({ channelId: channel.id, message: `later ${i}`, props: { coffee_delivery: `k${i + 2}` } })
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1'), id)
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1', { scan: 5 }), null, 'older than the scan')
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1', { scan: 6 }), id)

  for (let i = 0; i < 200; i++) await backend.addPost(channel.id, alice.id, `chatter ${i}`)
  fake?.clearRequests()
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1', { scan: 300 }), id, 'found on the second page')
  if (fake !== undefined) t.same(fake.requests.map((r) => [r.query.page, r.query.per_page]), [['0', '200'], ['1', '200']])
})

t.test('a wrong token: 401 with Mattermost\'s session error, not transient', async (t) => {
  const { backend } = await setup(t)
  const token = 'wrongtoken0123456789abcdef'
  const error = await gatewayFailure(createGateway({ url: backend.url, token }).getMe())
  t.equal(error.status, 401)
  t.equal(error.transient, false)
  t.equal(error.serverErrorId, 'api.context.session_expired.app_error')
  t.notMatch(error.message, token)
})

const limiterOff = process.env.TEST_MATTERMOST_URL !== undefined && process.env.COFFEE_E2E_RATE_LIMIT === undefined
t.test('429 from Mattermost\'s own rate limiter: transient, with its Retry-After', { skip: limiterOff && 'this server\'s rate limiter is off' }, async (t) => {
  const { backend, fake, alice } = await setup(t)
  fake?.setRateLimit({ perSec: 1, maxBurst: 1 })
  const gateway = createGateway({ url: backend.url, token: backend.bot.token })
  let error: GatewayError | undefined
  for (let i = 0; i < 1000 && error === undefined; i++) {
    error = await gateway.getUser(alice.id).then(() => undefined, (e: unknown) => e as GatewayError)
  }
  t.ok(error instanceof GatewayError, 'the limiter answered')
  t.equal(error?.status, 429)
  t.equal(error?.transient, true)
  t.ok((error?.retryAfterMs ?? 0) >= 1000, `Retry-After in milliseconds (${error?.retryAfterMs})`)
  t.match(error?.message, /answered 429: limit exceeded/, 'from the plain-text body')
  t.equal(error?.serverErrorId, undefined)
})
