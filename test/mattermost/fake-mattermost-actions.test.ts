// Message buttons in the fake, as Mattermost's app/post_action.go runs them: a click posts to the button's integration
// URL (a tiny node:http server here), and the answer updates the post or becomes an ephemeral post.
import http from 'node:http'
import zlib from 'node:zlib'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { startFakeMattermost, newId, type FakeMattermostOptions } from '../helpers/fake-mattermost.js'

interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  text: string
  json: Record<string, unknown> | undefined
}

interface Answer {
  status?: number
  body?: string | Buffer | Record<string, unknown>
  headers?: Record<string, string>
  delayMs?: number
}

/** An integration: records what it receives and answers with `answer` (by default 200 and an empty body). */
async function startIntegration (t: Test) {
  const received: Received[] = []
  let answer: (request: Received) => Answer = () => ({})
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let json: Record<string, unknown> | undefined
      try {
        json = JSON.parse(text) as Record<string, unknown>
      } catch {
        json = undefined
      }
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, text, json }
      received.push(request)
      const { status = 200, body = '', headers = {}, delayMs = 0 } = answer(request)
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
      setTimeout(() => {
        if (res.destroyed) return
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(payload)
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer (fn: (request: Received) => Answer) { answer = fn }
  }
}

async function setup (t: Test, options: FakeMattermostOptions = {}) {
  const mm = await startFakeMattermost(options)
  t.teardown(() => mm.close())
  const integration = await startIntegration(t)
  const { user: bot, token } = mm.addBot({ username: 'coffee' })
  const alice = mm.addUser({ username: 'alice' })
  const bob = mm.addUser({ username: 'bob' })
  const carol = mm.addUser({ username: 'carol' })
  const admin = mm.addUser({ username: 'root', roles: 'system_user system_admin' })
  const channel = mm.addChannel({ name: 'coffee-lovers', display_name: 'Coffee lovers' })
  for (const u of [bot, alice, bob]) mm.addMember(channel.id, u.id)
  mm.addTeamMember(channel.team_id, carol.id)
  mm.addTeamMember(channel.team_id, admin.id)

  async function call (method: string, path: string, body?: unknown, auth: string | null = `Bearer ${token}`) {
    const response = await fetch(`${mm.url}${path}`, {
      method,
      headers: { ...(auth === null ? {} : { Authorization: auth }), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    })
    const text = await response.text()
    const json = response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : undefined
    return { status: response.status, json }
  }
  const as = (userId: string) => `Bearer ${mm.createToken(userId)}`

  /** The bot posts a message with buttons through the API, as Coffee does. */
  async function postButtons (options: { channelId?: string, context?: Record<string, unknown>, actions?: Record<string, unknown>[], props?: Record<string, unknown> } = {}) {
    const actions = options.actions ?? [
      { id: 'coffeemet', type: 'button', name: 'We met', style: 'success', integration: { url: `${integration.url}/actions`, context: options.context ?? { group: 7, answer: 'met' } } },
      { id: 'coffeenotyet', type: 'button', name: 'Not yet', integration: { url: `${integration.url}/actions`, context: { group: 7, answer: 'not_yet' } } }
    ]
    const created = await call('POST', '/api/v4/posts', {
      channel_id: options.channelId ?? channel.id,
      message: 'Did you meet?',
      props: { coffee_delivery: 'followup:7', attachments: [{ text: 'Let us know', actions }], ...options.props }
    })
    if (created.status !== 201) throw new Error(`could not post: ${JSON.stringify(created.json)}`)
    return created.json as { id: string, props: { attachments: { actions?: Record<string, unknown>[] }[] } }
  }

  return { mm, integration, bot, token, alice, bob, carol, admin, channel, call, as, postButtons }
}

t.test('a click POSTs the documented JSON body to the integration URL, with no signature or auth', async (t) => {
  const { mm, integration, alice, channel, call, as, postButtons } = await setup(t)
  const post = await postButtons({ context: { group: 7, answer: 'met', note: '<b>&</b>', a: { z: 1, y: [2] } } })
  const before = Date.now()
  const clicked = await call('POST', `/api/v4/posts/${post.id}/actions/coffeemet`, {}, as(alice.id))

  t.equal(clicked.status, 200)
  t.same(Object.keys(clicked.json), ['status', 'trigger_id'])
  t.equal(clicked.json.status, 'OK')
  t.match(clicked.json.trigger_id, /^[a-z0-9]{26}$/, 'the client gets the bare trigger id')

  t.equal(integration.received.length, 1)
  const [request] = integration.received
  t.equal(request?.method, 'POST')
  t.equal(request?.path, '/actions')
  t.equal(request?.headers['content-type'], 'application/json')
  t.equal(request?.headers.accept, 'application/json')
  t.equal(request?.headers['user-agent'], 'Mattermost-Bot/1.1')
  t.notOk(request?.headers.authorization, 'no Authorization header')
  t.same(Object.keys(request?.headers ?? {}).filter((h) => /sign|token|secret|mattermost/i.test(h)), [], 'nothing that signs or authenticates the call')

  const body = request?.json ?? {}
  t.same(Object.keys(body), ['user_id', 'user_name', 'channel_id', 'channel_name', 'team_id', 'team_domain', 'post_id', 'trigger_id', 'type', 'data_source', 'context'])
  t.same({ ...body, trigger_id: undefined }, {
    user_id: alice.id,
    user_name: 'alice',
    channel_id: channel.id,
    channel_name: 'coffee-lovers',
    team_id: channel.team_id,
    team_domain: 'coffee',
    post_id: post.id,
    trigger_id: undefined,
    type: 'button',
    data_source: '',
    context: { group: 7, answer: 'met', note: '<b>&</b>', a: { z: 1, y: [2] } }
  })
  const [clientTriggerId, userId, millis, signature] = Buffer.from(String(body.trigger_id), 'base64').toString('utf8').split(':')
  t.equal(clientTriggerId, clicked.json.trigger_id, 'the integration gets the signed form of the same trigger id')
  t.equal(userId, alice.id)
  t.ok(Number(millis) >= before && Number(millis) <= Date.now())
  t.ok((signature ?? '').length > 40, 'an ECDSA signature')

  t.match(request?.text, '"context":{"a":{"y":[2],"z":1},"answer":"met","group":7,"note":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}', "Go's encoding: map keys sorted, HTML characters escaped")
  const [recorded] = mm.integrationCalls()
  t.hasStrict(recorded, { url: `${integration.url}/actions`, postId: post.id, actionId: 'coffeemet', userId: alice.id, status: 200, responseBody: '', error: undefined })
  t.same(recorded?.body, body)
  t.equal(recorded?.rawBody, request?.text)
  t.equal(recorded?.headers.authorization, undefined)
  t.equal(mm.requestsTo('POST', `/api/v4/posts/${post.id}/actions/coffeemet`)[0]?.userId, alice.id)
  mm.clearIntegrationCalls()
  t.same(mm.integrationCalls(), [])
})

t.test('in a DM, team_id and team_domain are empty; an empty context is left out', async (t) => {
  const { mm, integration, bot, alice, call, postButtons } = await setup(t)
  const dm = await call('POST', '/api/v4/channels/direct', [bot.id, alice.id])
  const post = await postButtons({ channelId: dm.json.id, context: {} })
  const result = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(result.status, 200)
  const body = integration.received[0]?.json ?? {}
  t.equal(body.team_id, '')
  t.equal(body.team_domain, '')
  t.equal(body.channel_name, dm.json.name)
  t.notOk('context' in body, 'context is omitempty')
  t.equal(result.integration?.status, 200)
})

t.test('the context stays server-side: API responses drop each action\'s integration', async (t) => {
  const { mm, integration, alice, channel, call, as, postButtons } = await setup(t)
  const post = await postButtons()
  const created = post.props.attachments[0]?.actions ?? []
  t.same(created.map((a) => a.id), ['coffeemet', 'coffeenotyet'])
  t.ok(created.every((a) => !('integration' in a)), 'not even in the answer to the poster')

  const got = await call('GET', `/api/v4/posts/${post.id}`, undefined, as(alice.id))
  const action = got.json.props.attachments[0].actions[0]
  t.same(action, { id: 'coffeemet', type: 'button', name: 'We met', style: 'success' }, 'url and context are gone')
  t.equal(got.json.props.attachments[0].text, 'Let us know')
  t.equal(got.json.props.attachments[0].fallback, '', 'attachments come back as Go encodes them')
  t.equal(got.json.props.coffee_delivery, 'followup:7', 'other props are untouched')
  const list = await call('GET', `/api/v4/channels/${channel.id}/posts`, undefined, as(alice.id))
  t.notOk('integration' in list.json.posts[post.id].props.attachments[0].actions[0], 'nor in post lists')

  const stored = mm.post(post.id)?.props.attachments as { actions: { integration: { context: unknown } }[] }[]
  t.same(stored[0]?.actions[0]?.integration.context, { group: 7, answer: 'met' }, 'the server keeps it')
  await mm.click(post.id, 'coffeemet', alice.id)
  t.same(integration.received[0]?.json?.context, { group: 7, answer: 'met' }, 'and sends it to the integration')
})

t.test('update: the message is replaced, props kept when absent or null, replaced when present', async (t) => {
  const { mm, integration, alice, channel, postButtons } = await setup(t)
  const post = await postButtons()
  const other = await postButtons()
  const original = mm.post(post.id)

  integration.answer(() => ({ body: { update: { id: other.id, message: 'Thanks, noted!' } } }))
  const first = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(first.status, 200)
  t.equal(first.post?.message, 'Thanks, noted!')
  t.same(first.post?.props, original?.props, 'no props in the update: the original ones stay, buttons included')
  t.ok((first.post?.edit_at ?? 0) > 0, 'a changed message is an edit')
  t.ok((first.post?.update_at ?? 0) >= (original?.update_at ?? 0))
  t.equal(mm.post(other.id)?.message, 'Did you meet?', 'the update\'s id is forced to the clicked post')

  integration.answer(() => ({ body: { update: { message: 'Still here', props: null } } }))
  t.same((await mm.click(post.id, 'coffeemet', alice.id)).post?.props, original?.props, 'props: null keeps them too')

  integration.answer(() => ({ body: { update: { message: 'All done', props: { done: true } } } }))
  const replaced = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(replaced.post?.message, 'All done')
  t.same(replaced.post?.props, { done: true }, 'present props replace them all: the buttons are gone')
  t.equal((await mm.click(post.id, 'coffeemet', alice.id)).body.id, 'api.post.do_action.action_id.app_error', 'so they can no longer be clicked')

  integration.answer(() => ({ body: { update: {} } }))
  const again = await mm.click(other.id, 'coffeemet', alice.id)
  t.equal(again.post?.message, '', 'an update without a message empties it (Go\'s zero value)')
  t.equal(mm.posts(channel.id).length, 2, 'updates make no new posts')
})

t.test('update: from_webhook, override_username and override_icon_url keep their original values', async (t) => {
  const { mm, integration, bot, alice, channel } = await setup(t)
  const post = mm.addPost({
    channel_id: channel.id,
    user_id: bot.id,
    message: 'Buttons',
    props: { override_username: 'Coffee', attachments: [{ actions: [{ id: 'go', type: 'button', name: 'Go', integration: { url: `${integration.url}/go` } }] }] }
  })
  integration.answer(() => ({ body: { update: { message: 'Gone', props: { done: 1, from_webhook: 'true', override_username: 'Spoof', override_icon_url: 'https://x.example/i.png', add_channel_member: 'x' } } } }))
  const result = await mm.click(post.id, 'go', alice.id)
  t.equal(result.status, 200)
  t.same(result.post?.props, { done: 1, override_username: 'Coffee' }, 'restored, removed when the original lacked them, and sanitized')
})

t.test('ephemeral_text becomes an ephemeral post to the clicker, Slack links made Markdown', async (t) => {
  const { mm, integration, alice, channel, postButtons } = await setup(t)
  const post = await postButtons()
  integration.answer(() => ({ body: { ephemeral_text: 'Noted, see <https://example.com/r|your rounds>.' } }))
  const result = await mm.click(post.id, 'coffeenotyet', alice.id)
  t.equal(result.status, 200)
  const shown = mm.ephemeralPosts()
  t.equal(shown.length, 1)
  t.hasStrict(shown[0], {
    to_user_id: alice.id,
    user_id: alice.id,
    channel_id: channel.id,
    root_id: post.id,
    type: 'system_ephemeral',
    message: 'Noted, see [your rounds](https://example.com/r).',
    props: {}
  })
  t.same(result.ephemeral, shown[0])
  t.equal(result.post?.message, 'Did you meet?', 'the post itself is untouched')
  t.equal(mm.posts(channel.id).length, 1, 'ephemeral posts are not channel posts')

  integration.answer(() => ({ body: { ephemeral_text: 'Raw <https://example.com|link>', skip_slack_parsing: true } }))
  t.equal((await mm.click(post.id, 'coffeenotyet', alice.id)).ephemeral?.message, 'Raw <https://example.com|link>', 'skip_slack_parsing keeps the text')

  integration.answer(() => ({ body: { update: { message: 'Updated' }, ephemeral_text: 'Both', goto_location: 'https://example.com/next' } }))
  const both = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(both.post?.message, 'Updated')
  t.equal(both.ephemeral?.message, 'Both')
  t.equal(both.body.goto_location, 'https://example.com/next', 'newer servers hand goto_location to the client')
})

t.test('an empty 200 is fine; a non-200 or an unreadable answer fails the click with the server\'s AppError', async (t) => {
  const { mm, integration, alice, postButtons } = await setup(t, { developerMode: true })
  const post = await postButtons()
  integration.answer(() => ({ status: 200, body: '' }))
  const empty = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(empty.status, 200)
  t.equal(empty.post?.message, 'Did you meet?')
  t.same(mm.ephemeralPosts(), [])

  for (const status of [500, 404, 201, 204]) {
    integration.answer(() => ({ status, body: status === 204 ? '' : { update: { message: 'nope' }, ephemeral_text: 'nope' } }))
    const failed = await mm.click(post.id, 'coffeemet', alice.id)
    t.equal(failed.status, 400, `integration answered ${status}`)
    t.hasStrict(failed.body, { id: 'api.post.do_action.action_integration.app_error', message: 'Action integration error.', detailed_error: `status=${status}`, status_code: 400 })
    t.equal(failed.integration?.status, status, 'the call is recorded with the status')
  }
  for (const body of ['not json', '[]', '"text"', '{"ephemeral_text": 5}', '{"update": {"message": 7}}', '{"update": "x"}', ' ']) {
    integration.answer(() => ({ body }))
    const failed = await mm.click(post.id, 'coffeemet', alice.id)
    t.equal(failed.body.id, 'api.post.do_action.action_integration.app_error', `answer ${body}`)
  }
  integration.answer(() => ({ body: { update: { message: 'x'.repeat(16384) } } }))
  t.equal((await mm.click(post.id, 'coffeemet', alice.id)).body.id, 'model.post.is_valid.message_length.app_error', 'an invalid update fails the click')
  t.equal(mm.post(post.id)?.message, 'Did you meet?', 'nothing applied from failed clicks')
  t.same(mm.ephemeralPosts(), [])

  integration.answer(() => ({ body: { ePhEmErAl_TeXt: 'Go matches field names without regard to case' } }))
  t.equal((await mm.click(post.id, 'coffeemet', alice.id)).ephemeral?.message, 'Go matches field names without regard to case')
})

t.test('the integration gets OutgoingIntegrationRequestsTimeout, then the click fails', async (t) => {
  const { mm, integration, alice, postButtons } = await setup(t, { outgoingIntegrationRequestsTimeoutMs: 150 })
  const post = await postButtons()
  integration.answer(() => ({ delayMs: 2000, body: { ephemeral_text: 'too late' } }))
  const started = Date.now()
  const result = await mm.click(post.id, 'coffeemet', alice.id)
  t.ok(Date.now() - started < 1500, 'it did not wait for the answer')
  t.equal(result.status, 400)
  t.equal(result.body.id, 'api.post.do_action.action_integration.app_error')
  t.equal(result.integration?.status, 0)
  t.equal(result.integration?.error, 'context deadline exceeded')
})

t.test('redirects are followed and gzip is undone, as Go\'s http.Client does', async (t) => {
  const { mm, integration, alice, postButtons } = await setup(t)
  const post = await postButtons()
  integration.answer((request): Answer => request.path === '/actions'
    ? { status: 307, headers: { location: '/moved' } }
    : { body: zlib.gzipSync(JSON.stringify({ ephemeral_text: `${request.method} ${request.json?.post_id === post.id}` })), headers: { 'content-encoding': 'gzip' } })
  const result = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(result.status, 200)
  t.equal(result.ephemeral?.message, 'POST true', 'a 307 repeats the POST with its body')
  t.same(integration.received.map((r) => r.path), ['/actions', '/moved'])
  t.equal(integration.received[0]?.headers['accept-encoding'], 'gzip')
})

t.test('AllowedUntrustedInternalConnections: loopback is refused unless allowed', async (t) => {
  const strict = await setup(t, { allowedUntrustedInternalConnections: '', developerMode: true })
  const post = await strict.postButtons()
  const refused = await strict.mm.click(post.id, 'coffeemet', strict.alice.id)
  t.equal(refused.status, 400)
  t.equal(refused.body.id, 'api.post.do_action.action_integration.app_error')
  t.match(refused.body.detailed_error, /address forbidden, you may need to set AllowedUntrustedInternalConnections/)
  t.match(refused.integration?.error, /address forbidden/)
  t.equal(strict.integration.received.length, 0, 'nothing reached the integration')

  const byHost = await setup(t, { allowedUntrustedInternalConnections: 'example.invalid,127.0.0.1' })
  const hostPost = await byHost.postButtons()
  t.equal((await byHost.mm.click(hostPost.id, 'coffeemet', byHost.alice.id)).status, 200, 'a listed host name')
  const byCidr = await setup(t, { allowedUntrustedInternalConnections: '10.0.0.0/8 127.0.0.1/32' })
  const cidrPost = await byCidr.postButtons()
  t.equal((await byCidr.mm.click(cidrPost.id, 'coffeemet', byCidr.alice.id)).status, 200, 'a listed range')
  const byDefault = await setup(t)
  const defaultPost = await byDefault.postButtons()
  t.equal((await byDefault.mm.click(defaultPost.id, 'coffeemet', byDefault.alice.id)).status, 200, 'the fake allows loopback by default')
})

t.test('unknown and non-alphanumeric action ids are 404s, and nothing is called', async (t) => {
  const { mm, integration, alice, call, as, postButtons } = await setup(t)
  const post = await postButtons({
    actions: [
      { id: 'coffee_met', type: 'button', name: 'Underscore', integration: { url: `${integration.url}/actions` } },
      { id: 'nourl', type: 'button', name: 'No integration' }
    ]
  })
  const unknown = await call('POST', `/api/v4/posts/${post.id}/actions/nosuchaction`, {}, as(alice.id))
  t.equal(unknown.status, 404)
  t.hasStrict(unknown.json, { id: 'api.post.do_action.action_id.app_error', message: 'Invalid action id.', status_code: 404 })
  t.equal((await mm.click(post.id, 'nourl', alice.id)).body.id, 'api.post.do_action.action_id.app_error', 'an action without integration is no action')
  t.equal((await mm.click(post.id, 'COFFEEMET', alice.id)).status, 404, 'ids are case-sensitive')

  const underscore = await call('POST', `/api/v4/posts/${post.id}/actions/coffee_met`, {}, as(alice.id))
  t.equal(underscore.status, 404)
  t.equal(underscore.json.id, 'api.context.404.app_error', 'the route itself does not match')
  t.equal((await call('POST', `/api/v4/posts/${post.id}/actions/coffee_met`, {}, null)).status, 404, 'not even a session is asked for')
  const clicked = await mm.click(post.id, 'coffee_met', alice.id)
  t.equal(clicked.status, 404)
  t.equal(clicked.body.id, 'api.context.404.app_error')
  t.equal(integration.received.length, 0)
  t.same(mm.integrationCalls(), [])
})

t.test('a missing post: 404 for a system admin, 403 for anyone else (the permission check goes through the post)', async (t) => {
  const { mm, alice, admin, call, as } = await setup(t)
  const missing = newId()
  const forAdmin = await call('POST', `/api/v4/posts/${missing}/actions/coffeemet`, {}, as(admin.id))
  t.equal(forAdmin.status, 404)
  t.hasStrict(forAdmin.json, { id: 'app.post.get.app_error', message: 'Unable to get post.' })
  const forAlice = await mm.click(missing, 'coffeemet', alice.id)
  t.equal(forAlice.status, 403)
  t.equal(forAlice.body.id, 'api.context.permissions.app_error')
  const badId = await call('POST', '/api/v4/posts/abc/actions/coffeemet', {}, as(alice.id))
  t.equal(badId.status, 400)
  t.equal(badId.json.id, 'api.context.invalid_url_param.app_error')
  t.equal((await call('POST', `/api/v4/posts/${missing}/actions/coffeemet`, {}, null)).status, 401, 'a session is required')
})

t.test('a clicker who cannot read the channel gets a 403; system admins may click anywhere', async (t) => {
  const { mm, integration, alice, carol, admin, channel, call, as, postButtons } = await setup(t, { developerMode: true })
  const post = await postButtons()
  t.equal((await call('GET', `/api/v4/posts/${post.id}`, undefined, as(carol.id))).status, 200, 'carol can read the public channel\'s post…')
  const denied = await call('POST', `/api/v4/posts/${post.id}/actions/coffeemet`, {}, as(carol.id))
  t.equal(denied.status, 403, '…but clicking needs read_channel_content as a member')
  t.hasStrict(denied.json, { id: 'api.context.permissions.app_error', detailed_error: `userId=${carol.id}, permission=read_channel_content` })

  mm.removeMember(channel.id, alice.id)
  t.equal((await mm.click(post.id, 'coffeemet', alice.id)).status, 403, 'a former member')
  t.equal((await mm.click(post.id, 'coffeemet', admin.id)).status, 200, 'an admin outside the channel')
  t.equal(integration.received.length, 1, 'only the admin\'s click reached the integration')

  mm.deactivate(carol.id)
  t.equal((await mm.click(post.id, 'coffeemet', carol.id)).status, 401, 'a deactivated user has no session')
})

t.test('selected_option reaches the integration for select menus only', async (t) => {
  const { mm, integration, alice, call, as, postButtons } = await setup(t)
  const post = await postButtons({
    actions: [
      { id: 'pick', type: 'select', name: 'Pick', options: [{ text: 'A', value: 'a' }, { text: 'B', value: 'b' }], integration: { url: `${integration.url}/pick`, context: { menu: 1 } } },
      { id: 'press', type: 'button', name: 'Press', integration: { url: `${integration.url}/press`, context: { menu: 2 } } }
    ]
  })
  t.equal((await call('POST', `/api/v4/posts/${post.id}/actions/pick`, { selected_option: 'b' }, as(alice.id))).status, 200)
  t.same(integration.received[0]?.json?.context, { menu: 1, selected_option: 'b' })
  await mm.click(post.id, 'press', alice.id, { selectedOption: 'b' })
  t.same(integration.received[1]?.json?.context, { menu: 2 }, 'a button ignores it')
  t.equal((await call('POST', `/api/v4/posts/${post.id}/actions/press`, 'not json', as(alice.id))).status, 200, 'a body that does not decode is ignored')
})

t.test('actions without an id get one when the post is saved, and can be clicked by it', async (t) => {
  const { mm, integration, alice, postButtons } = await setup(t)
  const post = await postButtons({ actions: [{ type: 'button', name: 'Anonymous', integration: { url: `${integration.url}/a` } }] })
  const id = String(post.props.attachments[0]?.actions?.[0]?.id)
  t.match(id, /^[a-z0-9]{26}$/)
  t.equal((await mm.click(post.id, id, alice.id)).status, 200)
})

t.test('buttons on ephemeral posts work through the encrypted action cookie', async (t) => {
  const { mm, integration, alice, bob, admin, channel, call, as } = await setup(t, { developerMode: true })
  const sent = await call('POST', '/api/v4/posts/ephemeral', {
    user_id: alice.id,
    post: { channel_id: channel.id, message: 'Only you', props: { attachments: [{ actions: [{ id: 'ok', type: 'button', name: 'OK', integration: { url: `${integration.url}/eph`, context: { secret: 's3' } } }] }] } }
  }, as(admin.id))
  t.equal(sent.status, 201)
  const action = sent.json.props.attachments[0].actions[0]
  t.notOk('integration' in action)
  t.match(action.cookie, /^[A-Za-z0-9+/]+=*$/, 'an opaque cookie instead')
  t.notMatch(Buffer.from(action.cookie, 'base64').toString('latin1'), /s3/, 'the context is encrypted')

  integration.answer(() => ({ body: { ephemeral_text: 'Thanks' } }))
  const clicked = await mm.click(sent.json.id, 'ok', alice.id)
  t.equal(clicked.status, 200)
  t.same(integration.received[0]?.json?.context, { secret: 's3' })
  t.equal(integration.received[0]?.json?.post_id, sent.json.id)
  t.equal(clicked.ephemeral?.root_id, sent.json.id)

  const viaHttp = await call('POST', `/api/v4/posts/${sent.json.id}/actions/ok`, { cookie: action.cookie }, as(alice.id))
  t.equal(viaHttp.status, 200)
  t.equal((await call('POST', `/api/v4/posts/${sent.json.id}/actions/ok`, {}, as(alice.id))).status, 403, 'without the cookie the post is unknown')
  const tampered = await call('POST', `/api/v4/posts/${sent.json.id}/actions/ok`, { cookie: `A${String(action.cookie).slice(1)}` }, as(alice.id))
  t.equal(tampered.status, 400)
  t.equal(tampered.json.id, 'api.post.do_action.action_integration.app_error')
  const elsewhere = await call('POST', `/api/v4/posts/${newId()}/actions/ok`, { cookie: action.cookie }, as(alice.id))
  t.equal(elsewhere.json.detailed_error, "postId doesn't match", 'a cookie is bound to its post')
  t.equal((await mm.click(sent.json.id, 'ok', bob.id)).status, 403, 'bob was never shown it, so his web app has no cookie')

  integration.answer(() => ({ body: { update: { message: 'edited' } } }))
  t.equal((await mm.click(sent.json.id, 'ok', alice.id)).body.id, 'app.post.get.app_error', 'an ephemeral post cannot be updated')
})
