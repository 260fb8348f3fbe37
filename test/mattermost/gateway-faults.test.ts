// The gateway through the real Client4 against the fake Mattermost: every method, paging and batching, and how each
// kind of failure becomes a GatewayError the retry logic can act on.
import t from 'tap'
import type { Test } from 'tap'
import { createGateway, GatewayError, parseRetryAfter, type GatewayOptions } from '../../src/mattermost/gateway.js'
import { startFakeMattermost, newId, type FakeMattermostOptions } from '../helpers/fake-mattermost.js'

async function setup (t: Test, options: FakeMattermostOptions = {}, gatewayOptions: Partial<GatewayOptions> = {}) {
  const mm = await startFakeMattermost(options)
  t.teardown(() => mm.close())
  const { user: bot, token } = mm.addBot({ username: 'coffee' })
  const alice = mm.addUser({ username: 'alice', first_name: 'Alice', last_name: 'Liddell', nickname: 'al' })
  const bob = mm.addUser({ username: 'bob' })
  const carol = mm.addUser({ username: 'carol' })
  const channel = mm.addChannel({ name: 'coffee-lovers' })
  for (const u of [bot, alice, bob, carol]) mm.addMember(channel.id, u.id)
  const gateway = createGateway({ url: mm.url, token, ...gatewayOptions })
  return { mm, bot, token, alice, bob, carol, channel, gateway }
}

async function failure (promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof GatewayError) return error
    throw error
  }
  throw new Error('expected a GatewayError')
}

t.test('getMe returns the bot and asks only once', async (t) => {
  const { mm, gateway, bot } = await setup(t)
  const [me, again] = await Promise.all([gateway.getMe(), gateway.getMe()])
  t.same(me, { id: bot.id, username: 'coffee', first_name: '', last_name: '', nickname: '', delete_at: 0, is_bot: true, roles: 'system_user', locale: 'en', timezone: '' })
  t.same(again, me)
  await gateway.getMe()
  t.equal(mm.requestsTo('GET', '/api/v4/users/me').length, 1)
  const [request] = mm.requests
  t.match(request?.authorization, /^BEARER [a-z0-9]{26}$/, 'Client4 sends the BEARER scheme')
})

t.test('getMe is retried after a failure rather than caching it', async (t) => {
  const { mm, gateway, bot } = await setup(t)
  mm.failNext(1, 502)
  t.equal((await failure(gateway.getMe())).status, 502)
  t.equal((await gateway.getMe()).id, bot.id)
})

t.test('getUsersByIds: batches of 200, nothing for an empty list, unknown ids left out', async (t) => {
  const { mm, gateway, alice } = await setup(t)
  t.same(await gateway.getUsersByIds([]), [])
  t.equal(mm.requests.length, 0, 'no request for an empty list')

  const ids = Array.from({ length: 450 }, () => mm.addUser().id)
  const users = await gateway.getUsersByIds([...ids, ids[0] ?? '', newId()])
  t.equal(users.length, 450)
  t.same(new Set(users.map((u) => u.id)), new Set(ids))
  const calls = mm.requestsTo('POST', '/api/v4/users/ids')
  t.same(calls.map((c) => (c.body as string[]).length), [200, 200, 51], 'deduplicated, then 200 at a time')
  t.ok(calls.every((c) => c.status === 200))

  const [found] = await gateway.getUsersByIds([alice.id])
  t.hasStrict(found, { id: alice.id, username: 'alice', first_name: 'Alice', last_name: 'Liddell', nickname: 'al', delete_at: 0, is_bot: false, roles: 'system_user' })
})

t.test('getUser and getUserByUsername: the user, or null when there is none', async (t) => {
  const { mm, gateway, alice } = await setup(t)
  t.equal((await gateway.getUser(alice.id))?.username, 'alice')
  t.equal(await gateway.getUser(newId()), null)
  t.equal((await gateway.getUserByUsername('@Alice'))?.id, alice.id, 'a leading @ and capitals are fine')
  t.equal((await gateway.getUserByUsername(' alice '))?.id, alice.id)
  t.equal(await gateway.getUserByUsername('nobody'), null)
  const before = mm.requests.length
  t.equal(await gateway.getUserByUsername('john smith'), null)
  t.equal(await gateway.getUserByUsername('@'), null)
  t.equal(mm.requests.length, before, 'names that cannot exist are not looked up')
  mm.deactivate(alice.id)
  t.ok(((await gateway.getUser(alice.id))?.delete_at ?? 0) > 0, 'deactivated users come back with delete_at set')
})

t.test('getUser rethrows errors other than 404', async (t) => {
  const { gateway } = await setup(t)
  t.equal(await gateway.getUser('not-an-id'), null, 'no route matches these characters: the server says 404')
  const error = await failure(gateway.getUser('tooshort'))
  t.equal(error.status, 400)
  t.equal(error.transient, false)
})

t.test('getChannel and getChannelMember', async (t) => {
  const { mm, gateway, channel, alice, bot } = await setup(t)
  t.same(await gateway.getChannel(channel.id), { id: channel.id, team_id: channel.team_id, type: 'O', name: 'coffee-lovers', display_name: 'coffee-lovers', delete_at: 0 })
  const missing = await failure(gateway.getChannel(newId()))
  t.equal(missing.status, 404)
  t.equal(missing.serverErrorId, 'app.channel.get.existing.app_error')

  const admin = mm.addUser()
  mm.addMember(channel.id, admin.id, { admin: true })
  t.same(await gateway.getChannelMember(channel.id, admin.id), { channel_id: channel.id, user_id: admin.id, roles: 'channel_user channel_admin' })
  t.equal((await gateway.getChannelMember(channel.id, alice.id))?.roles, 'channel_user')
  t.equal(await gateway.getChannelMember(channel.id, mm.addUser().id), null)
  mm.removeMember(channel.id, bot.id)
  t.equal((await failure(gateway.getChannelMember(channel.id, alice.id))).status, 403, 'no longer a member: forbidden, not null')
})

t.test('getChannelMemberIds reads every page, 200 at a time', async (t) => {
  const { mm, gateway, bot } = await setup(t)
  const big = mm.addChannel({ name: 'big' })
  mm.addMember(big.id, bot.id)
  const ids = [bot.id]
  for (let i = 0; i < 449; i++) {
    const id = mm.addUser().id
    mm.addMember(big.id, id)
    ids.push(id)
  }
  const found = await gateway.getChannelMemberIds(big.id)
  t.equal(found.length, 450)
  t.same(new Set(found), new Set(ids))
  const pages = mm.requestsTo('GET', `/api/v4/channels/${big.id}/members`)
  t.same(pages.map((p) => [p.query.page, p.query.per_page]), [['0', '200'], ['1', '200'], ['2', '200']])

  const exact = mm.addChannel({ name: 'exact' })
  mm.addMember(exact.id, bot.id)
  for (let i = 0; i < 199; i++) mm.addMember(exact.id, mm.addUser().id)
  t.equal((await gateway.getChannelMemberIds(exact.id)).length, 200, 'a full last page means one more (empty) page')
})

t.test('createDirectChannel: the bot and the user, the same channel every time', async (t) => {
  const { mm, gateway, bot, alice } = await setup(t)
  const id = await gateway.createDirectChannel(alice.id)
  t.equal(await gateway.createDirectChannel(alice.id), id)
  t.equal(mm.channel(id)?.type, 'D')
  t.same(mm.memberIds(id).sort(), [bot.id, alice.id].sort())
  t.same(mm.requestsTo('POST', '/api/v4/channels/direct')[0]?.body, [bot.id, alice.id])
})

t.test('createGroupChannel: the bot\'s id goes in the body; one other person means a DM', async (t) => {
  const { mm, gateway, bot, alice, bob, carol } = await setup(t)
  const id = await gateway.createGroupChannel([alice.id, bob.id, carol.id])
  t.equal(mm.channel(id)?.type, 'G')
  t.same(mm.memberIds(id).sort(), [bot.id, alice.id, bob.id, carol.id].sort())
  t.same(mm.requestsTo('POST', '/api/v4/channels/group')[0]?.body, [alice.id, bob.id, carol.id, bot.id], 'all 3..8 ids in the body, as the spec wants')
  t.equal(await gateway.createGroupChannel([carol.id, bob.id, alice.id, bot.id]), id, 'the same set, the same channel')

  const dm = await gateway.createGroupChannel([alice.id, alice.id])
  t.equal(mm.channel(dm)?.type, 'D')
  t.equal(dm, mm.directChannel(bot.id, alice.id)?.id)
  t.equal(mm.requestsTo('POST', '/api/v4/channels/group').length, 2, 'no group request for a pair')
})

t.test('createGroupChannel: Mattermost\'s size rule surfaces as a non-transient 400', async (t) => {
  const { mm, gateway } = await setup(t)
  const eight = Array.from({ length: 8 }, () => mm.addUser().id)
  const error = await failure(gateway.createGroupChannel(eight))
  t.equal(error.status, 400)
  t.equal(error.transient, false)
  t.equal(error.serverErrorId, 'api.channel.create_group.bad_size.app_error')
  t.equal(error.method, 'POST')
  t.equal(error.path, '/api/v4/channels/group')
  t.match(error.message, /POST \/api\/v4\/channels\/group answered 400: .*bad_size/)
  t.equal(mm.channelsOfType('G').length, 0)
})

t.test('createPost and patchPost', async (t) => {
  const { mm, gateway, channel, bot } = await setup(t)
  const { id } = await gateway.createPost({ channelId: channel.id, message: 'Meet Alice and Bob', props: { coffee_delivery: 'r1:g1' } })
  const [post] = mm.posts(channel.id)
  t.hasStrict(post, { id, user_id: bot.id, channel_id: channel.id, message: 'Meet Alice and Bob', props: { coffee_delivery: 'r1:g1', from_bot: 'true' } })
  const reply = await gateway.createPost({ channelId: channel.id, message: 'and a reply', rootId: id })
  t.equal(mm.post(reply.id)?.root_id, id)

  t.same(await gateway.patchPost(id, { message: 'Meet Alice and Bob (edited)' }), { id })
  t.equal(mm.post(id)?.message, 'Meet Alice and Bob (edited)')
  t.same(mm.post(id)?.props, { coffee_delivery: 'r1:g1', from_bot: 'true' }, 'props untouched when not given')
  await gateway.patchPost(id, { props: { coffee_delivery: 'r1:g1', done: true } })
  t.same(mm.post(id)?.props, { coffee_delivery: 'r1:g1', done: true })

  const outside = mm.addChannel({ name: 'outside' })
  const denied = await failure(gateway.createPost({ channelId: outside.id, message: 'x' }))
  t.equal(denied.status, 403)
  t.equal(denied.transient, false)
})

t.test('findRecentPostWithProp finds the bot\'s own post, newest first, within the scan', async (t) => {
  const { mm, gateway, channel, alice } = await setup(t)
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1'), null)
  mm.addPost({ channel_id: channel.id, user_id: alice.id, message: 'spoof', props: { coffee_delivery: 'k1' } })
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1'), null, 'other people\'s posts do not count')

  const { id } = await gateway.createPost({ channelId: channel.id, message: 'intro', props: { coffee_delivery: 'k1' } })
  for (let i = 0; i < 5; i++) await gateway.createPost({ channelId: channel.id, message: `later ${i}`, props: { coffee_delivery: `k${i + 2}` } })
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1'), id)
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1', { scan: 5 }), null, 'older than the scan')
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1', { scan: 6 }), id)

  for (let i = 0; i < 250; i++) mm.addPost({ channel_id: channel.id, user_id: alice.id, message: `chatter ${i}` })
  mm.clearRequests()
  t.equal(await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'k1', { scan: 300 }), id, 'found on the second page')
  t.same(mm.requests.map((r) => [r.query.page, r.query.per_page]), [['0', '200'], ['1', '200']])
})

t.test('an answer lost after the post was made: reconcile instead of posting twice', async (t) => {
  const { mm, gateway, channel } = await setup(t)
  await gateway.getMe()
  mm.inject({ type: 'reset', after: true }, { method: 'POST', path: '/api/v4/posts' })
  const lost = await failure(gateway.createPost({ channelId: channel.id, message: 'intro', props: { coffee_delivery: 'r7:g3' } }))
  t.equal(lost.status, 0)
  t.equal(lost.transient, true)
  const found = await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'r7:g3')
  t.equal(found, mm.posts(channel.id)[0]?.id)
  t.equal(mm.posts(channel.id).length, 1, 'exactly one intro in the channel')
})

t.test('429: transient, with Retry-After in milliseconds, from the plain-text answer', async (t) => {
  const { mm, gateway } = await setup(t)
  mm.rateLimitNext(1, 3)
  const error = await failure(gateway.getMe())
  t.equal(error.status, 429)
  t.equal(error.transient, true)
  t.equal(error.retryAfterMs, 3000)
  t.equal(error.serverErrorId, undefined)
  t.match(error.message, /GET \/api\/v4\/users\/me answered 429: limit exceeded/)
})

t.test('429 from Mattermost\'s own rate limiter', async (t) => {
  const { gateway, alice } = await setup(t, { rateLimit: { perSec: 1, maxBurst: 1 } })
  await gateway.getUser(alice.id)
  await gateway.getUser(alice.id)
  const error = await failure(gateway.getUser(alice.id))
  t.equal(error.status, 429)
  t.equal(error.transient, true)
  t.equal(error.retryAfterMs, 1000)
})

t.test('5xx is transient and keeps the server\'s error id and request id', async (t) => {
  const { mm, gateway, alice } = await setup(t)
  mm.inject({ type: 'status', status: 500, id: 'app.user.get.app_error', message: 'Unable to get the user.' })
  const error = await failure(gateway.getUser(alice.id))
  t.equal(error.status, 500)
  t.equal(error.transient, true)
  t.equal(error.serverErrorId, 'app.user.get.app_error')
  t.match(error.requestId, /^[a-z0-9]{26}$/)
  t.equal(error.retryAfterMs, undefined)
  mm.failNext(1, 503)
  t.equal((await failure(gateway.getUser(alice.id))).transient, true)
  mm.failNext(1, 408)
  t.equal((await failure(gateway.getUser(alice.id))).transient, true, '408 is worth another try')
})

t.test('a reset connection is transient with status 0', async (t) => {
  const { mm, gateway, channel } = await setup(t)
  mm.resetNext(1)
  const error = await failure(gateway.getChannel(channel.id))
  t.equal(error.status, 0)
  t.equal(error.transient, true)
  t.match(error.message, /GET \/api\/v4\/channels\/[a-z0-9]{26} failed: /)
  t.ok(error.cause instanceof Error, 'the network error is kept as the cause')
  t.equal((await gateway.getChannel(channel.id)).id, channel.id, 'and the next request goes through')
})

t.test('a slow answer times out: transient, status 0', async (t) => {
  const { mm, gateway, channel } = await setup(t, {}, { timeoutMs: 100 })
  mm.delayNext(1, 400)
  const started = Date.now()
  const error = await failure(gateway.getChannel(channel.id))
  t.ok(Date.now() - started < 350, 'did not wait for the answer')
  t.equal(error.status, 0)
  t.equal(error.transient, true)
  t.match(error.message, /timed out after 100 ms/)
})

t.test('a refused connection is transient with status 0', async (t) => {
  const mm = await startFakeMattermost()
  const url = mm.url
  await mm.close()
  const gateway = createGateway({ url, token: 'x'.repeat(26) })
  const error = await failure(gateway.getMe())
  t.equal(error.status, 0)
  t.equal(error.transient, true)
  t.match(error.message, /ECONNREFUSED/)
})

t.test('a wrong token: 401, not transient, and the token appears in no message', async (t) => {
  const mm = await startFakeMattermost({ developerMode: true })
  t.teardown(() => mm.close())
  const token = 'wrongtoken0123456789abcdef'
  const gateway = createGateway({ url: mm.url, token })
  const error = await failure(gateway.getMe())
  t.equal(error.status, 401)
  t.equal(error.transient, false)
  t.equal(error.serverErrorId, 'api.context.session_expired.app_error')
  const [request] = mm.requests
  t.match(JSON.stringify(request), token, 'the server did see (and in developer mode echo) the token')
  t.notMatch(error.message, token)
  t.notMatch(String(error.stack), token)
  t.notMatch(JSON.stringify(error), token)
})

t.test('the token is redacted even if the server repeats it in a message', async (t) => {
  const { mm, gateway, token } = await setup(t)
  mm.inject({ type: 'status', status: 400, message: `bad token ${token}` })
  const error = await failure(gateway.getMe())
  t.notMatch(error.message, token)
  t.match(error.message, /bad token \[redacted\]/)
})

t.test('a 200 that is not JSON (the web app at a wrong URL) is a non-transient error', async (t) => {
  const { mm, token } = await setup(t)
  const gateway = createGateway({ url: `${mm.url}/mattermost`, token })
  const error = await failure(gateway.getMe())
  t.equal(error.status, 200)
  t.equal(error.transient, false)
  t.match(error.message, /text\/html.*instead of JSON/)
})

t.test('requests go through the injected fetch, and a trailing slash in the URL is fine', async (t) => {
  const mm = await startFakeMattermost()
  t.teardown(() => mm.close())
  const { user: bot, token } = mm.addBot()
  const seen: string[] = []
  const gateway = createGateway({
    url: `${mm.url}/`,
    token,
    fetch: async (input, init) => {
      seen.push(`${init?.method} ${String(input)}`)
      return await fetch(input, init)
    }
  })
  t.equal((await gateway.getMe()).id, bot.id)
  t.same(seen, [`GET ${mm.url}/api/v4/users/me`])
})

t.test('requests are logged at debug level', async (t) => {
  const { mm, token } = await setup(t)
  const lines: Array<Record<string, unknown>> = []
  const gateway = createGateway({ url: mm.url, token, log: { debug: (obj) => { lines.push(obj) } } })
  mm.rateLimitNext(1, 2)
  await failure(gateway.getMe())
  t.hasStrict(lines[0], { method: 'GET', path: '/api/v4/users/me', status: 429, retryAfterMs: 2000 })
  t.notMatch(JSON.stringify(lines), token)
})

t.test('parseRetryAfter reads seconds and HTTP dates', async (t) => {
  const now = Date.parse('2026-11-23T09:00:00Z')
  t.equal(parseRetryAfter(null, now), undefined)
  t.equal(parseRetryAfter('1', now), 1000)
  t.equal(parseRetryAfter(' 2.5 ', now), 2500)
  t.equal(parseRetryAfter('Mon, 23 Nov 2026 09:00:30 GMT', now), 30_000)
  t.equal(parseRetryAfter('Mon, 23 Nov 2026 08:00:00 GMT', now), 0, 'a date in the past means now')
  t.equal(parseRetryAfter('soon', now), undefined)
  t.equal(parseRetryAfter('-5', now), undefined)
})
