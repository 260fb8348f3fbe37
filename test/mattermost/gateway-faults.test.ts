// The gateway under faults only the fake Mattermost can stage (resets, timeouts, injected statuses, a wrong URL):
// how each kind of failure becomes a GatewayError the retry logic can act on. What the gateway asks of a working
// server is in gateway.test.ts, against the fake or the real server.
import t from 'tap'
import type { Test } from 'tap'
import { createGateway, parseRetryAfter, type GatewayOptions } from '../../src/mattermost/gateway.js'
import { startFakeMattermost, type FakeMattermostOptions } from '../helpers/fake-mattermost.js'
import { gatewayFailure } from '../helpers/chat-backend.js'

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

t.test('getMe is retried after a failure rather than caching it', async (t) => {
  const { mm, gateway, bot } = await setup(t)
  mm.failNext(1, 502)
  t.equal((await gatewayFailure(gateway.getMe())).status, 502)
  t.equal((await gateway.getMe()).id, bot.id)
})

t.test('an answer lost after the post was made: reconcile instead of posting twice', async (t) => {
  const { mm, gateway, channel } = await setup(t)
  await gateway.getMe()
  mm.inject({ type: 'reset', after: true }, { method: 'POST', path: '/api/v4/posts' })
  const lost = await gatewayFailure(gateway.createPost({ channelId: channel.id, message: 'intro', props: { coffee_delivery: 'r7:g3' } }))
  t.equal(lost.status, 0)
  t.equal(lost.transient, true)
  const found = await gateway.findRecentPostWithProp(channel.id, 'coffee_delivery', 'r7:g3')
  t.equal(found, mm.posts(channel.id)[0]?.id)
  t.equal(mm.posts(channel.id).length, 1, 'exactly one intro in the channel')
})

t.test('429: transient, with Retry-After in milliseconds, from the plain-text answer', async (t) => {
  const { mm, gateway } = await setup(t)
  mm.rateLimitNext(1, 3)
  const error = await gatewayFailure(gateway.getMe())
  t.equal(error.status, 429)
  t.equal(error.transient, true)
  t.equal(error.retryAfterMs, 3000)
  t.equal(error.serverErrorId, undefined)
  t.match(error.message, /GET \/api\/v4\/users\/me answered 429: limit exceeded/)
})

t.test('5xx is transient and keeps the server\'s error id and request id', async (t) => {
  const { mm, gateway, alice } = await setup(t)
  mm.inject({ type: 'status', status: 500, id: 'app.user.get.app_error', message: 'Unable to get the user.' })
  const error = await gatewayFailure(gateway.getUser(alice.id))
  t.equal(error.status, 500)
  t.equal(error.transient, true)
  t.equal(error.serverErrorId, 'app.user.get.app_error')
  t.match(error.requestId, /^[a-z0-9]{26}$/)
  t.equal(error.retryAfterMs, undefined)
  mm.failNext(1, 503)
  t.equal((await gatewayFailure(gateway.getUser(alice.id))).transient, true)
  mm.failNext(1, 408)
  t.equal((await gatewayFailure(gateway.getUser(alice.id))).transient, true, '408 is worth another try')
})

t.test('a reset connection is transient with status 0', async (t) => {
  const { mm, gateway, channel, alice } = await setup(t)
  mm.resetNext(1)
  const error = await gatewayFailure(gateway.getChannelMember(channel.id, alice.id))
  t.equal(error.status, 0)
  t.equal(error.transient, true)
  t.match(error.message, /GET \/api\/v4\/channels\/[a-z0-9]{26}\/members\/[a-z0-9]{26} failed: /)
  t.ok(error.cause instanceof Error, 'the network error is kept as the cause')
  t.equal((await gateway.getChannelMember(channel.id, alice.id))?.user_id, alice.id, 'and the next request goes through')
})

t.test('a slow answer times out: transient, status 0', async (t) => {
  const { mm, gateway, channel, alice } = await setup(t, {}, { timeoutMs: 100 })
  mm.delayNext(1, 400)
  const started = Date.now()
  const error = await gatewayFailure(gateway.getChannelMember(channel.id, alice.id))
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
  const error = await gatewayFailure(gateway.getMe())
  t.equal(error.status, 0)
  t.equal(error.transient, true)
  t.match(error.message, /ECONNREFUSED/)
})

t.test('a wrong token: 401, not transient, and the token appears in no message', async (t) => {
  const mm = await startFakeMattermost({ developerMode: true })
  t.teardown(() => mm.close())
  const token = 'wrongtoken0123456789abcdef'
  const gateway = createGateway({ url: mm.url, token })
  const error = await gatewayFailure(gateway.getMe())
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
  const error = await gatewayFailure(gateway.getMe())
  t.notMatch(error.message, token)
  t.match(error.message, /bad token \[redacted\]/)
})

t.test('a 200 that is not JSON (the web app at a wrong URL) is a non-transient error', async (t) => {
  const { mm, token } = await setup(t)
  const gateway = createGateway({ url: `${mm.url}/mattermost`, token })
  const error = await gatewayFailure(gateway.getMe())
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
  await gatewayFailure(gateway.getMe())
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
