// What the real Mattermost sends to an integration, recorded and compared with what the fast suite imitates
// (test/helpers/slash.ts for slash commands, test/helpers/actions.ts for button clicks): if Mattermost changes its
// form, its headers or its click body, this fails and says which.
import t, { type Test } from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWorld, testMattermostUrl } from '../helpers/real-mattermost.js'
import { slashFields, slashHeaders } from '../helpers/slash.js'
import { clickBody } from '../helpers/actions.js'

const url = testMattermostUrl()

interface Recorded { method: string, path: string, headers: http.IncomingHttpHeaders, body: string }

/** A stand-in integration on loopback that records each request and answers like Coffee would. */
async function recorder (t: Test, answer: unknown): Promise<{ url: string, requests: Recorded[] }> {
  const requests: Recorded[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

if (url === undefined) t.plan(0, 'no real Mattermost (TEST_MATTERMOST_URL)')
else {
  t.test('a slash command: the form fields and headers the fast suite sends are the ones Mattermost sends', async (t) => {
    const world = await createWorld(t, url)
    const alice = await world.person('alice')
    const bob = await world.person('bob')
    const probe = await recorder(t, { response_type: 'ephemeral', text: 'recorded' })
    const command = await world.server.admin.addCommand({ team_id: world.team.id, trigger: 'probe', url: `${probe.url}/probe`, method: 'P' } as Parameters<typeof world.server.admin.addCommand>[0])
    const answer = await alice.client.executeCommand(`/probe block @${bob.username}`, { channel_id: world.channel.id, team_id: world.team.id } as Parameters<typeof alice.client.executeCommand>[1])
    t.equal((answer as { text?: string }).text, 'recorded', 'the person sees the integration\'s text')

    const [request] = probe.requests
    t.equal(request?.method, 'POST')
    const fields = new URLSearchParams(request?.body)
    const imitated = slashFields({ text: 'block', mentions: { bob: 'x' } })
    t.same([...new Set(fields.keys())].sort(), [...new Set(imitated.keys())].sort(), 'the same form fields')
    t.equal(fields.get('token'), command.token)
    t.equal(fields.get('text'), `block @${bob.username}`, 'the text after the trigger, as typed')
    t.equal(fields.get('command'), '/probe')
    t.equal(fields.get('user_id'), alice.id)
    t.equal(fields.get('user_name'), alice.username)
    t.equal(fields.get('channel_name'), world.channel.name)
    t.equal(fields.get('team_domain'), world.team.name)
    t.same(fields.getAll('user_mentions'), [bob.username], 'mentions resolved by Mattermost')
    t.same(fields.getAll('user_mentions_ids'), [bob.id])
    t.match(fields.get('response_url'), new RegExp(`^${world.server.url}/hooks/commands/[a-z0-9]{26}$`))
    const headers = slashHeaders(command.token)
    for (const name of Object.keys(headers)) t.equal(request?.headers[name], headers[name], `header ${name}`)
  })

  t.test('a button click: the body the fast suite sends is the one Mattermost sends, without auth', async (t) => {
    const world = await createWorld(t, url)
    const alice = await world.person('alice')
    const probe = await recorder(t, { update: { message: 'answered', props: {} }, ephemeral_text: 'thanks' })
    const context = { v: 1, group: 7, answer: 'met', sig: 'signature' }
    const post = await world.bot.client.createPost({
      channel_id: world.channel.id,
      message: 'did you meet?',
      props: { attachments: [{ fallback: 'buttons', actions: [{ id: 'coffeemet', type: 'button', name: 'We met', style: 'success', integration: { url: `${probe.url}/actions`, context } }] }] }
    } as Parameters<typeof world.bot.client.createPost>[0])
    await alice.client.doPostAction(post.id, 'coffeemet')

    const [request] = probe.requests
    t.equal(request?.method, 'POST')
    t.equal(request?.path, '/actions')
    t.match(request?.headers['content-type'], /^application\/json/)
    t.equal(request?.headers.authorization, undefined, 'Mattermost signs nothing: Coffee signs the context itself')
    const body = JSON.parse(request?.body ?? '{}') as Record<string, unknown>
    const imitated = clickBody({ userId: alice.id, postId: post.id, channelId: world.channel.id, context })
    t.same(Object.keys(body).sort(), Object.keys(imitated).sort(), 'the same fields')
    t.hasStrict(body, { user_id: alice.id, user_name: alice.username, channel_id: world.channel.id, post_id: post.id, context })
    const updated = await alice.client.getPost(post.id)
    t.equal(updated.message, 'answered', 'Mattermost applied the update')
  })
}
