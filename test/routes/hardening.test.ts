// Limits that keep the service up: rate limits, security headers, and parsers that never crash (fuzzed).
import t from 'tap'
import fc from 'fast-check'
import { createTestApp } from '../helpers/app.js'
import { helmetHeaders } from '../../src/security-headers.js'
import { slash, slashFields, slashHeaders } from '../helpers/slash.js'

t.test('/coffee and /actions are rate limited per person; the rest is not', async (t) => {
  const { app } = await createTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '3' } })
  for (let i = 0; i < 3; i++) t.equal((await slash(app, { text: 'help' })).status, 200)
  const limited = await slash(app, { text: 'help' })
  t.equal(limited.status, 429)
  t.match(limited.body.message, /3 requests a minute from one person/)
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/actions', payload: {} })
  t.equal((await app.inject({ method: 'POST', url: '/actions', payload: {} })).statusCode, 429)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health is never limited')
  t.equal((await slash(app, { text: 'help', userName: 'bob' })).status, 200, 'another person has their own budget, from the same Mattermost server')
  const other = await app.inject({ method: 'POST', url: '/actions', remoteAddress: '10.1.2.3', payload: {} })
  t.equal(other.statusCode, 400, 'requests that name nobody are counted per address')
})

t.test('RATE_LIMIT_PER_MINUTE=0 turns the limit off', async (t) => {
  const { app } = await createTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '0' } })
  for (let i = 0; i < 20; i++) t.equal((await slash(app, { text: 'help' })).status, 200)
})

t.test('security headers on every answer: success, errors, unknown routes', async (t) => {
  const { app } = await createTestApp(t)
  const answers = [
    await app.inject({ method: 'GET', url: '/health' }),
    await app.inject({ method: 'GET', url: '/nowhere' }),
    await app.inject({ method: 'POST', url: '/rounds' }),
    await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders('wrong'), payload: slashFields({ token: 'wrong' }).toString() })
  ]
  t.same(answers.map((r) => r.statusCode), [200, 404, 401, 401])
  for (const response of answers) {
    t.equal(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", 'nothing may load, nothing may frame')
    t.equal(response.headers['x-content-type-options'], 'nosniff')
    t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
    t.equal(response.headers['referrer-policy'], 'no-referrer')
    t.match(response.headers['strict-transport-security'], /^max-age=\d+/)
    t.equal(response.headers['x-powered-by'], undefined)
  }
})

t.test('the headers are helmet\'s own, computed once', async (t) => {
  const headers = helmetHeaders()
  t.equal(headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'")
  t.equal(headers['cross-origin-resource-policy'], 'same-origin')
  t.notOk('x-powered-by' in headers)
  t.throws(() => helmetHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ['self'] } } }), /quoted/, 'helmet\'s own option checks still apply')
})

const NOT_500 = (status: number) => status < 500

t.test('fuzzing the slash command: random fields, unicode, huge values, arrays — never a 500', async (t) => {
  const { app } = await createTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '0' } })
  const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', maxLength: 300 }), fc.constant(''), fc.constant('x'.repeat(20_000)))
  const text = fc.oneof(
    value,
    fc.tuple(fc.constantFrom('join', 'leave', 'skip', 'pause', 'resume', 'status', 'block', 'unblock', 'config', 'stats', 'history', 'help', 'JOIN'), value).map(([w, v]) => `${w} ${v}`)
  )
  await fc.assert(fc.asyncProperty(
    fc.record({
      text,
      user_id: fc.oneof(fc.constant('aliceidxxxxxxxxxxxxxxxxxxx'), value),
      channel_id: fc.oneof(fc.constant('chanaaaaaaaaaaaaaaaaaaaaaa'), value),
      channel_name: value,
      team_id: value,
      user_name: value
    }, { requiredKeys: ['text'] }),
    fc.array(fc.tuple(fc.constantFrom('user_mentions', 'user_mentions_ids', 'text', 'command', 'token'), value), { maxLength: 4 }),
    async (fields, extra) => {
      const form = slashFields()
      for (const [key, v] of Object.entries(fields)) form.set(key, v)
      for (const [key, v] of extra) form.append(key, v)
      const response = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(), payload: form.toString() })
      if (!NOT_500(response.statusCode)) throw new Error(`${response.statusCode}: ${response.body}`)
      if (response.statusCode === 200 && typeof response.json().text !== 'string') throw new Error('a 200 without text')
    }
  ), { seed: 20261122, numRuns: 150 })
  t.equal((await slash(app, { text: 'help' })).status, 200, 'still up')
})

t.test('fuzzing the button callback: any JSON, any bytes — a 200 or a 400, never a 500', async (t) => {
  const { app, db } = await createTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '0', MATTERMOST_URL: 'http://mm.invalid', MATTERMOST_BOT_TOKEN: 'bottoken' } })
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.anything().map((v) => ({ type: 'application/json', body: JSON.stringify(v) ?? 'null' })),
      fc.record({ user_id: fc.string(), post_id: fc.string(), context: fc.object() }).map((v) => ({ type: 'application/json', body: JSON.stringify(v) })),
      fc.record({
        user_id: fc.string({ minLength: 1 }),
        post_id: fc.string({ minLength: 1 }),
        context: fc.record({ v: fc.constantFrom(1, 2, '1'), group: fc.oneof(fc.integer(), fc.double(), fc.string()), answer: fc.string(), sig: fc.string() }, { requiredKeys: [] })
      }).map((v) => ({ type: 'application/json', body: JSON.stringify(v) })),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ type: 'application/json', body: Buffer.from(bytes).toString('latin1') })),
      fc.string().map((s) => ({ type: 'text/plain', body: s }))
    ),
    async ({ type, body }) => {
      const response = await app.inject({ method: 'POST', url: '/actions', headers: { 'content-type': type }, payload: body })
      if (!NOT_500(response.statusCode)) throw new Error(`${response.statusCode} for ${body.slice(0, 200)}: ${response.body}`)
    }
  ), { seed: 20261122, numRuns: 300 })
  t.equal(await db.prisma.outcome.count(), 0, 'nothing was recorded')
})
