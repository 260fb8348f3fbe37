// Message buttons in the fake, as Mattermost's app/post_action.go runs them: a click posts to the button's integration
// URL (a tiny node:http server here), and the answer updates the post or becomes an ephemeral post to the clicker.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { startFakeMattermost, newId } from '../helpers/fake-mattermost.js'

interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  json: Record<string, unknown> | undefined
}

interface Answer {
  status?: number
  body?: string | Record<string, unknown>
}

/** An integration: records what it receives and answers with `answer` (by default 200 and an empty body). */
async function startIntegration (t: Test) {
  const received: Received[] = []
  let answer: (request: Received) => Answer = () => ({})
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      let json: Record<string, unknown> | undefined
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
      } catch {
        json = undefined
      }
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, json }
      received.push(request)
      const { status = 200, body = '' } = answer(request)
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
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

async function setup (t: Test) {
  const mm = await startFakeMattermost({ developerMode: true })
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

  async function call (method: string, path: string, body?: unknown) {
    const response = await fetch(`${mm.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: response.status, json: JSON.parse(await response.text()) }
  }

  /** The bot posts a message with buttons through the API, as Coffee does. */
  async function postButtons (options: { channelId?: string, context?: Record<string, unknown>, actions?: Record<string, unknown>[] } = {}) {
    const actions = options.actions ?? [
      { id: 'coffeemet', type: 'button', name: 'We met', style: 'success', integration: { url: `${integration.url}/actions`, context: options.context ?? { group: 7, answer: 'met' } } },
      { id: 'coffeenotyet', type: 'button', name: 'Not yet', integration: { url: `${integration.url}/actions`, context: { group: 7, answer: 'not_yet' } } }
    ]
    const created = await call('POST', '/api/v4/posts', {
      channel_id: options.channelId ?? channel.id,
      message: 'Did you meet?',
      props: { coffee_delivery: 'followup:7', attachments: [{ text: 'Let us know', actions }] }
    })
    if (created.status !== 201) throw new Error(`could not post: ${JSON.stringify(created.json)}`)
    return created.json as { id: string, props: { attachments: { actions?: Record<string, unknown>[] }[] } }
  }

  return { mm, integration, bot, alice, bob, carol, admin, channel, call, postButtons }
}

t.test('a click POSTs the documented JSON body to the integration URL, with no signature or auth', async (t) => {
  const { mm, integration, alice, channel, postButtons } = await setup(t)
  const post = await postButtons({ context: { group: 7, answer: 'met', a: { z: 1, y: [2] } } })
  const clicked = await mm.click(post.id, 'coffeemet', alice.id)

  t.equal(clicked.status, 200)
  t.same(Object.keys(clicked.body), ['status', 'trigger_id'])
  t.equal(clicked.body.status, 'OK')

  t.equal(integration.received.length, 1)
  const [request] = integration.received
  t.equal(request?.method, 'POST')
  t.equal(request?.path, '/actions')
  t.equal(request?.headers['content-type'], 'application/json')
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
    context: { group: 7, answer: 'met', a: { z: 1, y: [2] } }
  })
  t.type(body.trigger_id, 'string')

  const [recorded] = mm.integrationCalls()
  t.hasStrict(recorded, { url: `${integration.url}/actions`, postId: post.id, actionId: 'coffeemet', userId: alice.id, status: 200, responseBody: '', error: undefined })
  t.same(recorded?.body, body)
  t.same(clicked.integration, recorded)
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
  const { mm, integration, alice, channel, call, postButtons } = await setup(t)
  const post = await postButtons()
  const created = post.props.attachments[0]?.actions ?? []
  t.same(created, [{ id: 'coffeemet', type: 'button', name: 'We met', style: 'success' }, { id: 'coffeenotyet', type: 'button', name: 'Not yet' }], 'not even in the answer to the poster')

  const list = await call('GET', `/api/v4/channels/${channel.id}/posts`)
  const listed = list.json.posts[post.id]
  t.notOk('integration' in listed.props.attachments[0].actions[0], 'nor in post lists')
  t.equal(listed.props.attachments[0].text, 'Let us know')
  t.equal(listed.props.coffee_delivery, 'followup:7', 'other props are untouched')
  const patched = await call('PUT', `/api/v4/posts/${post.id}/patch`, { message: 'Did you meet? (edited)' })
  t.notOk('integration' in patched.json.props.attachments[0].actions[0], 'nor in a patch\'s answer')

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

t.test('ephemeral_text becomes an ephemeral post to the clicker, not a channel post', async (t) => {
  const { mm, integration, alice, channel, postButtons } = await setup(t)
  const post = await postButtons()
  integration.answer(() => ({ body: { ephemeral_text: 'Noted.' } }))
  const result = await mm.click(post.id, 'coffeenotyet', alice.id)
  t.equal(result.status, 200)
  t.same(result.ephemeral, { user_id: alice.id, channel_id: channel.id, root_id: post.id, message: 'Noted.' })
  t.equal(result.post?.message, 'Did you meet?', 'the post itself is untouched')
  t.equal(mm.posts(channel.id).length, 1, 'ephemeral posts are not channel posts')

  integration.answer(() => ({ body: { update: { message: 'Updated' }, ephemeral_text: 'Both' } }))
  const both = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(both.post?.message, 'Updated')
  t.equal(both.ephemeral?.message, 'Both')
})

t.test('an empty 200 is fine; a non-200 or an unreadable answer fails the click with the server\'s AppError', async (t) => {
  const { mm, integration, alice, postButtons } = await setup(t)
  const post = await postButtons()
  integration.answer(() => ({ status: 200, body: '' }))
  const empty = await mm.click(post.id, 'coffeemet', alice.id)
  t.equal(empty.status, 200)
  t.equal(empty.post?.message, 'Did you meet?')
  t.equal(empty.ephemeral, undefined)

  for (const status of [500, 404, 201, 204]) {
    integration.answer(() => ({ status, body: status === 204 ? '' : { update: { message: 'nope' }, ephemeral_text: 'nope' } }))
    const failed = await mm.click(post.id, 'coffeemet', alice.id)
    t.equal(failed.status, 400, `integration answered ${status}`)
    t.hasStrict(failed.body, { id: 'api.post.do_action.action_integration.app_error', message: 'Action integration error.', detailed_error: `status=${status}`, status_code: 400 })
    t.equal(failed.integration?.status, status, 'the call is recorded with the status')
    t.equal(failed.ephemeral, undefined)
  }
  for (const body of ['not json', '[]', '"text"', '{"ephemeral_text": 5}', '{"update": {"message": 7}}', '{"update": "x"}', ' ']) {
    integration.answer(() => ({ body }))
    const failed = await mm.click(post.id, 'coffeemet', alice.id)
    t.equal(failed.body.id, 'api.post.do_action.action_integration.app_error', `answer ${body}`)
  }
  integration.answer(() => ({ body: { update: { message: 'x'.repeat(16384) } } }))
  t.equal((await mm.click(post.id, 'coffeemet', alice.id)).body.id, 'model.post.is_valid.message_length.app_error', 'an invalid update fails the click')
  t.equal(mm.post(post.id)?.message, 'Did you meet?', 'nothing applied from failed clicks')
})

t.test('unknown and non-alphanumeric action ids are 404s, and nothing is called', async (t) => {
  const { mm, integration, alice, postButtons } = await setup(t)
  const post = await postButtons({
    actions: [
      { id: 'coffee_met', type: 'button', name: 'Underscore', integration: { url: `${integration.url}/actions` } },
      { id: 'nourl', type: 'button', name: 'No integration' }
    ]
  })
  const unknown = await mm.click(post.id, 'nosuchaction', alice.id)
  t.equal(unknown.status, 404)
  t.hasStrict(unknown.body, { id: 'api.post.do_action.action_id.app_error', message: 'Invalid action id.', status_code: 404 })
  t.equal((await mm.click(post.id, 'nourl', alice.id)).body.id, 'api.post.do_action.action_id.app_error', 'an action without integration is no action')
  t.equal((await mm.click(post.id, 'COFFEEMET', alice.id)).status, 404, 'ids are case-sensitive')
  const underscore = await mm.click(post.id, 'coffee_met', alice.id)
  t.equal(underscore.status, 404)
  t.equal(underscore.body.id, 'api.context.404.app_error', 'the route itself does not match')
  t.equal(integration.received.length, 0)
  t.same(mm.integrationCalls(), [])
})

t.test('a missing post: 404 for a system admin, 403 for anyone else (the permission check goes through the post)', async (t) => {
  const { mm, alice, admin } = await setup(t)
  const missing = newId()
  const forAdmin = await mm.click(missing, 'coffeemet', admin.id)
  t.equal(forAdmin.status, 404)
  t.hasStrict(forAdmin.body, { id: 'app.post.get.app_error', message: 'Unable to get post.' })
  const forAlice = await mm.click(missing, 'coffeemet', alice.id)
  t.equal(forAlice.status, 403)
  t.equal(forAlice.body.id, 'api.context.permissions.app_error')
  t.equal((await mm.click('abc', 'coffeemet', alice.id)).body.id, 'api.context.invalid_url_param.app_error')
})

t.test('a clicker who is not in the channel gets a 403; system admins may click anywhere', async (t) => {
  const { mm, integration, alice, carol, admin, channel, postButtons } = await setup(t)
  const post = await postButtons()
  const denied = await mm.click(post.id, 'coffeemet', carol.id)
  t.equal(denied.status, 403, 'a team member outside the channel')
  t.hasStrict(denied.body, { id: 'api.context.permissions.app_error', detailed_error: `userId=${carol.id}, permission=read_channel_content` })

  mm.removeMember(channel.id, alice.id)
  t.equal((await mm.click(post.id, 'coffeemet', alice.id)).status, 403, 'a former member')
  t.equal((await mm.click(post.id, 'coffeemet', admin.id)).status, 200, 'an admin outside the channel')
  t.equal(integration.received.length, 1, 'only the admin\'s click reached the integration')

  mm.deactivate(carol.id)
  t.equal((await mm.click(post.id, 'coffeemet', carol.id)).status, 401, 'a deactivated user has no session')
})

t.test('an integration that cannot be reached fails the click with a 400', async (t) => {
  const { mm, alice, postButtons } = await setup(t)
  const closed = http.createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise((resolve) => closed.close(resolve))
  const post = await postButtons({ actions: [{ id: 'gone', type: 'button', name: 'Gone', integration: { url: `http://127.0.0.1:${port}/actions` } }] })
  const result = await mm.click(post.id, 'gone', alice.id)
  t.equal(result.status, 400)
  t.equal(result.body.id, 'api.post.do_action.action_integration.app_error')
  t.equal(result.integration?.status, 0)
  t.match(result.integration?.error, /ECONNREFUSED/)
})
