// The fake must answer as Mattermost does on the routes Coffee uses, or tests against it prove little. These talk
// raw HTTP to it.
import t from 'tap'
import type { Test } from 'tap'
import { startFakeMattermost, groupChannelName, isValidId, newId, type FakeMattermostOptions } from '../helpers/fake-mattermost.js'

async function setup (t: Test, options: FakeMattermostOptions = {}) {
  const mm = await startFakeMattermost(options)
  t.teardown(() => mm.close())
  const { user: bot, token } = mm.addBot({ username: 'coffee' })
  const alice = mm.addUser({ username: 'alice' })
  const bob = mm.addUser({ username: 'bob' })
  const carol = mm.addUser({ username: 'carol' })
  const channel = mm.addChannel({ name: 'coffee-lovers', display_name: 'Coffee lovers' })
  for (const u of [bot, alice, bob, carol]) mm.addMember(channel.id, u.id)
  async function call (method: string, path: string, body?: unknown, auth: string | null = `BEARER ${token}`) {
    const response = await fetch(`${mm.url}${path}`, {
      method,
      headers: { ...(auth === null ? {} : { Authorization: auth }), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    })
    const text = await response.text()
    const json = response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : undefined
    return { status: response.status, headers: response.headers, text, json }
  }
  return { mm, bot, token, alice, bob, carol, channel, call }
}

t.test('ids look like Mattermost ids', async (t) => {
  const ids = Array.from({ length: 200 }, newId)
  t.ok(ids.every((id) => /^[a-z0-9]{26}$/.test(id)), 'lowercase alphanumerics, 26 long')
  t.equal(new Set(ids).size, ids.length)
  t.ok(isValidId(ids[0] ?? ''))
  t.notOk(isValidId('short'))
})

t.test('answers carry Content-Type exactly application/json, success or AppError', async (t) => {
  const { call } = await setup(t)
  const ok = await call('GET', '/api/v4/users/me')
  t.equal(ok.status, 200)
  t.equal(ok.headers.get('content-type'), 'application/json')
  t.match(ok.headers.get('x-request-id'), /^[a-z0-9]{26}$/)
  t.equal(ok.json.username, 'coffee')
  t.equal(ok.json.is_bot, true)
  const missing = await call('GET', `/api/v4/users/${newId()}`)
  t.equal(missing.status, 404)
  t.equal(missing.headers.get('content-type'), 'application/json')
  t.same(Object.keys(missing.json).sort(), ['detailed_error', 'id', 'message', 'request_id', 'status_code'])
  t.equal(missing.json.id, 'app.user.missing_account.const')
  t.equal(missing.json.status_code, 404)
  t.equal(missing.json.detailed_error, '', 'details are wiped outside developer mode')
})

t.test('every API route wants a session; unknown routes are a 404 AppError even without one', async (t) => {
  const { mm, bot, token, call } = await setup(t)
  const none = await call('GET', '/api/v4/users/me', undefined, null)
  t.equal(none.status, 401)
  t.equal(none.json.id, 'api.context.session_expired.app_error')
  t.equal((await call('GET', '/api/v4/users/me', undefined, 'Bearer wrongtoken')).status, 401)
  t.equal((await call('GET', '/api/v4/users/me', undefined, `bearer ${token}`)).status, 200, 'the scheme is case-insensitive')
  t.equal((await call('GET', '/api/v4/users/me', undefined, token)).status, 401, 'a bare token is not a scheme')
  const unknown = await call('GET', '/api/v4/nothing/here', undefined, null)
  t.equal(unknown.status, 404)
  t.equal(unknown.json.id, 'api.context.404.app_error')
  t.equal((await call('DELETE', '/api/v4/users/me')).status, 404, 'a known path with another method is no route either')

  mm.deactivate(bot.id)
  t.equal((await call('GET', '/api/v4/users/me')).status, 401, 'deactivation ends sessions')
})

t.test('developer mode keeps detailed_error, which then holds the token', async (t) => {
  const { call } = await setup(t, { developerMode: true })
  const denied = await call('GET', '/api/v4/users/me', undefined, 'Bearer not-a-real-token')
  t.equal(denied.json.detailed_error, 'token=not-a-real-token')
})

t.test('outside /api the server is the web app: a 200 HTML page', async (t) => {
  const { call } = await setup(t)
  const page = await call('GET', '/somewhere/users/me')
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /^text\/html/)
})

t.test('POST /users/ids: 400 for an empty or malformed list, unknown ids silently left out', async (t) => {
  const { call, alice, bob } = await setup(t)
  const empty = await call('POST', '/api/v4/users/ids', [])
  t.equal(empty.status, 400)
  t.equal(empty.json.id, 'api.context.invalid_body_param.app_error')
  t.equal((await call('POST', '/api/v4/users/ids', { ids: [alice.id] })).status, 400)
  t.equal((await call('POST', '/api/v4/users/ids', '[not json')).status, 400)
  const found = await call('POST', '/api/v4/users/ids', [alice.id, newId(), bob.id])
  t.equal(found.status, 200)
  t.same(found.json.map((u: { username: string }) => u.username), ['alice', 'bob'])
})

t.test('POST /users/usernames (getUsersByNames): exact lower-case names, sorted by username, unknown left out', async (t) => {
  const { call } = await setup(t)
  const empty = await call('POST', '/api/v4/users/usernames', [])
  t.equal(empty.status, 400)
  t.equal(empty.json.id, 'api.context.invalid_body_param.app_error')
  const object = await call('POST', '/api/v4/users/usernames', { usernames: ['alice'] })
  t.equal(object.status, 400)
  t.equal(object.json.id, 'api.payload.parse.error', 'anything but a list of strings does not decode')
  t.equal((await call('POST', '/api/v4/users/usernames', '[not json')).json.id, 'api.payload.parse.error')
  const found = await call('POST', '/api/v4/users/usernames', ['bob', 'Alice', 'nobody', 'alice', 'bob'])
  t.equal(found.status, 200)
  t.same(found.json.map((u: { username: string }) => u.username), ['alice', 'bob'], 'no Alice: usernames match exactly')
})

t.test('user lookups check ids and usernames like the server', async (t) => {
  const { call, alice } = await setup(t)
  t.equal((await call('GET', '/api/v4/users/tooshort')).json.id, 'api.context.invalid_url_param.app_error')
  const byName = await call('GET', '/api/v4/users/username/alice')
  t.equal(byName.json.id, alice.id)
  t.hasStrict(byName.json, { delete_at: 0, is_bot: false, roles: 'system_user', locale: 'en', timezone: { useAutomaticTimezone: 'true' } })
  t.equal((await call('GET', '/api/v4/users/username/Alice')).status, 400, 'usernames are lower case')
  t.equal((await call('GET', '/api/v4/users/username/nobody')).json.id, 'app.user.get_by_username.app_error')
})

t.test('channel members: roles, paging (default 60, at most 200) and the order of checks', async (t) => {
  const { mm, call, bot, channel } = await setup(t)
  const big = mm.addChannel({ name: 'big' })
  mm.addMember(big.id, bot.id, { admin: true })
  for (let i = 0; i < 250; i++) mm.addMember(big.id, mm.addUser().id)
  t.equal((await call('GET', `/api/v4/channels/${big.id}/members`)).json.length, 60)
  t.equal((await call('GET', `/api/v4/channels/${big.id}/members?per_page=1000`)).json.length, 200, 'per_page is clamped')
  t.equal((await call('GET', `/api/v4/channels/${big.id}/members?page=1&per_page=200`)).json.length, 51)
  t.equal((await call('GET', `/api/v4/channels/${big.id}/members?per_page=abc`)).json.length, 60, 'garbage means the default')

  const mine = await call('GET', `/api/v4/channels/${big.id}/members/${bot.id}`)
  t.equal(mine.json.roles, 'channel_user channel_admin')
  t.equal((await call('GET', `/api/v4/channels/${channel.id}/members/me`)).json.roles, 'channel_user')
  const stranger = mm.addUser()
  const notMember = await call('GET', `/api/v4/channels/${big.id}/members/${stranger.id}`)
  t.equal(notMember.status, 404)
  t.equal(notMember.json.id, 'app.channel.get_member.missing.app_error')
  t.equal((await call('GET', `/api/v4/channels/${newId()}/members`)).status, 403, 'an unknown channel fails the permission check first')
  t.equal((await call('GET', `/api/v4/channels/${newId()}`)).status, 404, 'GET /channels/{id} looks the channel up first')
  const other = mm.addChannel({ name: 'elsewhere', type: 'P' })
  t.equal((await call('GET', `/api/v4/channels/${other.id}`)).status, 403)
  t.equal((await call('GET', `/api/v4/channels/${other.id}/members`)).status, 403)
})

t.test('POST /channels/direct: 201, the same channel each time, and only for yourself', async (t) => {
  const { mm, call, bot, alice, bob } = await setup(t)
  const first = await call('POST', '/api/v4/channels/direct', [bot.id, alice.id])
  t.equal(first.status, 201)
  t.equal(first.json.type, 'D')
  t.equal(first.json.name, [bot.id, alice.id].sort().join('__'))
  const again = await call('POST', '/api/v4/channels/direct', [alice.id, bot.id])
  t.equal(again.status, 201)
  t.equal(again.json.id, first.json.id)
  t.equal((await call('POST', '/api/v4/channels/direct', [alice.id, bob.id])).status, 403)
  t.equal((await call('POST', '/api/v4/channels/direct', [bot.id])).status, 400)
  t.equal((await call('POST', '/api/v4/channels/direct', [bot.id, newId()])).json.id, 'api.channel.create_direct_channel.invalid_user.app_error')
  t.same(mm.memberIds(first.json.id).sort(), [bot.id, alice.id].sort())
})

t.test('POST /channels/group: 3..8 users with the caller, the same channel for the same set', async (t) => {
  const { mm, call, bot, alice, bob, carol } = await setup(t)
  const tooFew = await call('POST', '/api/v4/channels/group', [alice.id])
  t.equal(tooFew.status, 400, 'two people are not a group, the caller counted')
  t.equal(tooFew.json.id, 'api.channel.create_group.bad_size.app_error')
  const eight = Array.from({ length: 8 }, () => mm.addUser().id)
  t.equal((await call('POST', '/api/v4/channels/group', eight)).json.id, 'api.channel.create_group.bad_size.app_error', 'eight plus the caller is nine')
  t.equal((await call('POST', '/api/v4/channels/group', [...eight.slice(0, 7), bot.id])).status, 201, 'eight with the caller is fine')

  const created = await call('POST', '/api/v4/channels/group', [alice.id, bob.id])
  t.equal(created.status, 201)
  t.equal(created.json.type, 'G')
  t.equal(created.json.team_id, '')
  t.equal(created.json.name, groupChannelName([alice.id, bob.id, bot.id]))
  t.equal(created.json.display_name, 'alice, bob, coffee')
  t.same(mm.memberIds(created.json.id).sort(), [alice.id, bob.id, bot.id].sort(), 'the caller was appended')
  const again = await call('POST', '/api/v4/channels/group', [bot.id, bob.id, alice.id])
  t.equal(again.status, 201)
  t.equal(again.json.id, created.json.id, 'existing-or-new')

  t.equal((await call('POST', '/api/v4/channels/group', [alice.id, newId()])).json.id, 'api.channel.create_group.bad_user.app_error')
  t.equal((await call('POST', '/api/v4/channels/group', [alice.id, alice.id, bob.id])).json.id, 'api.channel.create_group.bad_user.app_error', 'duplicates count for the size, not as users')
  t.equal((await call('POST', '/api/v4/channels/group', [alice.id, 'not-an-id'])).json.id, 'api.context.invalid_body_param.app_error')
  mm.deactivate(carol.id)
  t.equal((await call('POST', '/api/v4/channels/group', [alice.id, carol.id])).status, 201, 'Mattermost accepts deactivated members')
})

t.test('posts: members only, 201 Post, newest first in a PostList, patches', async (t) => {
  const { mm, call, bot, alice, channel } = await setup(t)
  const created = await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'hello', props: { coffee: 'k1' } })
  t.equal(created.status, 201)
  t.hasStrict(created.json, { channel_id: channel.id, user_id: bot.id, message: 'hello', root_id: '', props: { coffee: 'k1', from_bot: 'true' } })
  t.match(created.json.id, /^[a-z0-9]{26}$/)
  t.type(created.json.create_at, 'number')
  mm.addPost({ channel_id: channel.id, user_id: alice.id, message: 'hi' })
  const reply = await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'in thread', root_id: created.json.id })
  t.equal(reply.status, 201)

  const list = await call('GET', `/api/v4/channels/${channel.id}/posts?page=0&per_page=2`)
  t.equal(list.status, 200)
  t.same(list.json.order, [reply.json.id, mm.posts(channel.id)[1]?.id])
  t.same(Object.keys(list.json.posts).sort(), [...list.json.order].sort())
  t.equal(list.json.has_next, true)

  const outside = mm.addChannel({ name: 'outside' })
  const denied = await call('POST', '/api/v4/posts', { channel_id: outside.id, message: 'x' })
  t.equal(denied.status, 403)
  t.equal(denied.json.id, 'api.context.permissions.app_error')
  t.equal((await call('POST', '/api/v4/posts', { channel_id: newId(), message: 'x' })).status, 403, 'an unknown channel is a permission error')
  t.equal((await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'x', props: 'not an object' })).status, 400)
  t.equal((await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'x'.repeat(16384) })).json.id, 'model.post.is_valid.message_length.app_error')
  t.equal((await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'x', root_id: newId() })).json.id, 'api.post.create_post.root_id.app_error')
  t.equal(mm.posts(channel.id).length, 3, 'refused posts were not stored')

  const patched = await call('PUT', `/api/v4/posts/${created.json.id}/patch`, { message: 'edited' })
  t.equal(patched.status, 200)
  t.equal(patched.json.message, 'edited')
  t.same(patched.json.props, { coffee: 'k1', from_bot: 'true' }, 'a patch without props keeps them')
  const replaced = await call('PUT', `/api/v4/posts/${created.json.id}/patch`, { props: { done: true } })
  t.equal(replaced.json.message, 'edited', 'a patch without a message keeps it')
  t.same(replaced.json.props, { done: true }, 'given props replace them as a whole, from_bot too')
  t.same(mm.post(created.json.id)?.props, { done: true })
  const alicePost = mm.posts(channel.id)[1]
  t.equal((await call('PUT', `/api/v4/posts/${alicePost?.id}/patch`, { message: 'mine now' })).status, 403, 'editing others\' posts is for admins')
  t.equal((await call('PUT', `/api/v4/posts/${newId()}/patch`, { message: 'x' })).status, 403, 'an unknown post fails the permission check')
})

t.test('faults: 500, 429 as plain text, resets, latency, and only where they match', async (t) => {
  const { mm, call, channel } = await setup(t)
  mm.failNext(1, 503, { method: 'POST', path: '/api/v4/posts' })
  t.equal((await call('GET', '/api/v4/users/me')).status, 200, 'other requests are not hit')
  const failed = await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'x' })
  t.equal(failed.status, 503)
  t.equal(failed.headers.get('content-type'), 'application/json')
  t.equal(mm.posts(channel.id).length, 0, 'a failure before handling changes nothing')

  mm.rateLimitNext(2, 7)
  for (let i = 0; i < 2; i++) {
    const limited = await call('GET', '/api/v4/users/me')
    t.equal(limited.status, 429)
    t.equal(limited.text, 'limit exceeded\n')
    t.equal(limited.headers.get('content-type'), 'text/plain; charset=utf-8')
    t.equal(limited.headers.get('retry-after'), '7')
    t.equal(limited.headers.get('x-ratelimit-remaining'), '0')
    t.ok(limited.headers.has('x-ratelimit-limit') && limited.headers.has('x-ratelimit-reset'))
  }
  t.equal((await call('GET', '/api/v4/users/me')).status, 200, 'the fault ran out')

  mm.resetNext(1, { path: /^\/api\/v4\/users/ })
  await t.rejects(call('GET', '/api/v4/users/me'), 'the connection is reset')

  mm.inject({ type: 'status', status: 500, after: true }, { method: 'POST' })
  t.equal((await call('POST', '/api/v4/posts', { channel_id: channel.id, message: 'lost answer' })).status, 500)
  t.equal(mm.posts(channel.id).length, 1, 'with after: the post was made, only the answer failed')

  mm.delayNext(1, 150)
  const started = Date.now()
  t.equal((await call('GET', '/api/v4/users/me')).status, 200)
  t.ok(Date.now() - started >= 140, 'the answer came late')

  mm.failNext(5)
  mm.clearFaults()
  t.equal((await call('GET', '/api/v4/users/me')).status, 200, 'cleared faults hit nothing')
})

t.test('Mattermost\'s own rate limiter: burst + 1, then 429 with Retry-After', async (t) => {
  const { mm, call } = await setup(t)
  mm.setRateLimit({ perSec: 1, maxBurst: 2 })
  const answers = []
  for (let i = 0; i < 4; i++) answers.push(await call('GET', '/api/v4/users/me'))
  t.same(answers.map((a) => a.status), [200, 200, 200, 429])
  t.equal(answers[0]?.headers.get('x-ratelimit-limit'), '3')
  const limited = answers[3]
  t.equal(limited?.headers.get('retry-after'), '1')
  t.equal(limited?.text, 'limit exceeded\n')
  t.equal(limited?.headers.get('content-type'), 'text/plain; charset=utf-8')

  mm.setRateLimit(undefined)
  for (let i = 0; i < 5; i++) t.equal((await call('GET', '/api/v4/users/me')).status, 200)
})

t.test('the request log records method, path, status and body', async (t) => {
  const { mm, call, token, alice } = await setup(t)
  await call('POST', '/api/v4/users/ids', [alice.id])
  await call('GET', '/api/v4/users/me?x=1', undefined, null)
  const [first, second] = mm.requests
  t.hasStrict(first, { method: 'POST', path: '/api/v4/users/ids', query: {}, status: 200, body: [alice.id], authorization: `BEARER ${token}` })
  t.hasStrict(second, { method: 'GET', path: '/api/v4/users/me', query: { x: '1' }, status: 401, body: '', authorization: undefined })
  t.equal(mm.requestsTo('post', '/api/v4/users/ids').length, 1)
  mm.clearRequests()
  t.same(mm.requests, [])
})
