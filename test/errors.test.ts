// The error vocabulary (src/errors.ts) as callers see it: every refusal has the same shape and a stable code, and an
// unexpected failure says nothing of the internals.
import t from 'tap'
import { STATUS_CODES } from 'node:http'
import type { InjectOptions } from 'fastify'
import { createTestApp } from './helpers/app.js'
import { slashFields, slashHeaders } from './helpers/slash.js'

t.test('each refusal: the same shape, its own code, the reason phrase, a message that says what to do', async (t) => {
  const { app } = await createTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '1' } })
  const cases: [string, InjectOptions, number, string, RegExp][] = [
    ['wrong slash token', { method: 'POST', url: '/coffee', headers: slashHeaders('wrong'), payload: slashFields({ token: 'wrong', userName: 'mallory' }).toString() }, 401, 'COFFEE_SLASH_TOKEN_WRONG', /MATTERMOST_SLASH_TOKEN/],
    ['not a slash command', { method: 'POST', url: '/coffee', headers: slashHeaders(), payload: 'token=xk3s9pq7rj8mbd5ty1cz4hn6wa&text=join' }, 400, 'COFFEE_NOT_A_SLASH_COMMAND', /missing team_id, channel_id, user_id, command/],
    ['rate limited', { method: 'POST', url: '/coffee', headers: slashHeaders(), payload: slashFields({ text: 'help' }).toString() }, 429, 'COFFEE_TOO_MANY_REQUESTS', /1 requests a minute from one person\. Try again in \d+ s/],
    ['no admin token', { method: 'POST', url: '/rounds' }, 401, 'COFFEE_ADMIN_TOKEN_WRONG', /Bearer <ADMIN_TOKEN>/],
    ['no Mattermost', { method: 'POST', url: '/rounds', headers: { authorization: 'Bearer admin-token-0123456789abcdef' } }, 503, 'COFFEE_MATTERMOST_NOT_CONFIGURED', /MATTERMOST_URL/],
    ['unknown route', { method: 'GET', url: '/nowhere?x=1' }, 404, 'COFFEE_NO_SUCH_ROUTE', /^No route for GET \/nowhere$/],
    ['malformed body', { method: 'POST', url: '/actions', headers: { 'content-type': 'application/json' }, payload: '{' }, 400, 'FST_ERR_CTP_INVALID_JSON_BODY', /JSON/]
  ]
  // The rate limit counts per person: spend this person's one request first.
  await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(), payload: slashFields({ text: 'help' }).toString() })
  for (const [name, request, status, code, message] of cases) {
    const response = await app.inject(request)
    t.equal(response.statusCode, status, name)
    const body = response.json() as Record<string, unknown>
    t.same(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode'], `${name}: the shape`)
    t.match(body, { statusCode: status, code, message }, name)
    t.equal(body.error, STATUS_CODES[status], `${name}: the reason phrase`)
  }
})

t.test('an unexpected failure is a 500 that names no internals, with a request id to find it in the log', async (t) => {
  const { app, db } = await createTestApp(t)
  await db.close() // the database is gone: /coffee stays friendly, the admin API fails
  const response = await app.inject({ method: 'GET', url: '/api/channels/chanaaaaaaaaaaaaaaaaaaaaaa/stats', headers: { authorization: 'Bearer admin-token-0123456789abcdef' } })
  t.equal(response.statusCode, 500)
  const body = response.json() as Record<string, unknown>
  t.match(body, { statusCode: 500, code: 'COFFEE_INTERNAL', error: 'Internal Server Error', message: 'Something went wrong on our side. It has been logged.' })
  t.match(body.requestId, /^req-/)
  t.notMatch(response.body, /prisma|pglite|closed|Error:/i)
})
