// GET /docs/openapi.json: a valid OpenAPI 3 document covering every route, with the bearer token where it is
// needed, whose schemas the real responses satisfy.
import t from 'tap'
import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance, type HTTPMethods } from 'fastify'
import { createTestApp, ADMIN_TOKEN } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { markAsked, recordAnswers } from '../helpers/answers.js'

interface Operation {
  summary?: string
  parameters?: { in: string, name: string, required?: boolean, schema?: object }[]
  security?: Record<string, string[]>[]
  responses: Record<string, { description?: unknown, content?: Record<string, { schema: object }> }>
  requestBody?: { content: Record<string, { schema: object }> }
  operationId?: string
}

interface Document {
  openapi: string
  info: { title: string, version: string }
  components: { securitySchemes: Record<string, { type: string, scheme?: string }>, schemas?: Record<string, object> }
  paths: Record<string, Record<string, Operation>>
  security?: unknown
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

async function fetchDocument (app: FastifyInstance) {
  const response = await app.inject({ method: 'GET', url: '/docs/openapi.json' })
  return { status: response.statusCode, type: response.headers['content-type'], doc: response.json() as Document }
}

/** Every $ref in the document, as JSON pointers. */
function refs (value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, found)
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item)
      else refs(item, found)
    }
  }
  return found
}

function resolvePointer (doc: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined
  return pointer.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce<unknown>(
    (node, key) => node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined, doc)
}

/**
 * A validator for the document's schemas, built from Fastify's own (Ajv with formats) but strict: no coercion and no
 * removal, so a response that only passes after fixing up fails here.
 */
async function schemaValidator (t: Parameters<typeof createTestApp>[0], schema: object) {
  const checker = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, allowUnionTypes: true } } })
  checker.post('/', { schema: { body: schema } }, async () => ({ ok: true }))
  await checker.ready()
  t.teardown(() => checker.close())
  return async (value: unknown) => {
    const response = await checker.inject({ method: 'POST', url: '/', payload: JSON.stringify(value), headers: { 'content-type': 'application/json' } })
    return response.statusCode === 200 ? null : (response.json() as { message: string }).message
  }
}

t.test('the document is public, OpenAPI 3, titled and versioned like the package', async (t) => {
  const { app } = await createTestApp(t)
  const { status, type, doc } = await fetchDocument(app)
  t.equal(status, 200, 'no token needed')
  t.match(type, /^application\/json/)
  t.match(doc.openapi, /^3\.\d+\.\d+$/)
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  t.same(doc.info.title, 'Coffee')
  t.equal(doc.info.version, manifest.version)
  t.match(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' })
  t.equal(doc.security, undefined, 'no blanket requirement: public routes stay public')
})

t.test('every route is described, with valid structure, and only admin routes need the token', async (t) => {
  const { app } = await createTestApp(t)
  const { doc } = await fetchDocument(app)
  for (const path of ['/health', '/coffee', '/rounds', '/api/channels/{channel_id}/stats', '/api/channels/{channel_id}/rounds']) {
    t.ok(doc.paths[path], `${path} is in the document`)
  }
  t.notOk(doc.paths['/docs/openapi.json'], 'the document does not describe itself')

  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(doc.paths)) {
    t.match(path, /^\/[^:]*$/, `${path}: parameters in OpenAPI form, not :name`)
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`
      t.ok(METHODS.includes(method), `${where}: a real method`)
      t.ok(app.hasRoute({ method: method.toUpperCase() as HTTPMethods, url: path.replace(/\{([^}]+)\}/g, ':$1') }), `${where}: a real route`)
      const codes = Object.keys(operation.responses)
      t.ok(codes.length > 0 && codes.every((code) => /^[1-5]\d\d$|^[1-5]XX$|^default$/.test(code)), `${where}: responses by status code`)
      for (const code of codes) t.type(operation.responses[code]!.description, 'string', `${where} ${code}: a description`)
      const pathParameters = (operation.parameters ?? []).filter((p) => p.in === 'path')
      t.same(pathParameters.map((p) => p.name).sort(), [...templated].sort(), `${where}: every path parameter declared`)
      t.ok(pathParameters.every((p) => p.required === true), `${where}: path parameters are required`)
      for (const requirement of operation.security ?? []) {
        for (const scheme of Object.keys(requirement)) t.ok(doc.components.securitySchemes[scheme], `${where}: security scheme ${scheme} is defined`)
      }
      if (operation.operationId !== undefined) {
        t.notOk(operationIds.has(operation.operationId), `${where}: unique operationId`)
        operationIds.add(operation.operationId)
      }
    }
  }
  for (const ref of refs(doc)) t.ok(resolvePointer(doc, ref), `${ref} resolves`)

  const bearer = [{ bearerAuth: [] }]
  t.same(doc.paths['/api/channels/{channel_id}/stats']!.get!.security, bearer)
  t.same(doc.paths['/api/channels/{channel_id}/rounds']!.get!.security, bearer)
  t.same(doc.paths['/rounds']!.post!.security, bearer, 'POST /rounds is marked too: it checks the same token')
  t.equal(doc.paths['/health']!.get!.security, undefined)
  t.equal(doc.paths['/coffee']!.post!.security, undefined, 'Mattermost signs slash commands with its own token')

  const stats = doc.paths['/api/channels/{channel_id}/stats']!.get!
  t.same(Object.keys(stats.responses).sort(), ['200', '400', '401', '404', '503'])
  t.match(stats.parameters, [{ in: 'path', name: 'channel_id', required: true, schema: { type: 'string' } }])
  const history = doc.paths['/api/channels/{channel_id}/history']!
  t.same(history.post!.security, bearer)
  t.same(Object.keys(history.post!.requestBody!.content).sort(), ['application/json', 'text/csv', 'text/plain'], 'the import reads CSV and JSON')
  t.same(Object.keys(history.get!.responses['200']!.content!).sort(), ['application/json', 'text/csv'], 'the export writes both')
  const rounds = doc.paths['/api/channels/{channel_id}/rounds']!.get!
  t.match(rounds.parameters, [
    { in: 'query', name: 'page', schema: { type: 'integer', minimum: 0, default: 0 } },
    { in: 'query', name: 'per_page', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
    { in: 'path', name: 'channel_id', required: true }
  ])
})

t.test('the routes the document marks as admin are exactly those that ask a caller for the admin token', async (t) => {
  const { app } = await createTestApp(t)
  const { doc } = await fetchDocument(app)
  let admin = 0
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const url = path.replace(/\{[^}]+\}/g, 'abc123')
      const response = await app.inject({ method: method.toUpperCase() as HTTPMethods, url })
      const marked = operation.security !== undefined
      if (marked) admin++
      t.equal(response.json().code === 'COFFEE_ADMIN_TOKEN_WRONG', marked, `${method.toUpperCase()} ${path}: ${marked ? 'needs' : 'does not need'} the token`)
    }
  }
  t.equal(admin, 5, 'POST /rounds, stats, rounds, and the history in and out')
})

t.test('real responses satisfy the documented schemas', async (t) => {
  const world = await createMattermostWorld(t)
  const { app, db, clock } = await createTestApp(t, { gateway: world.gateway, env: world.env })
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    world.person(name)
    await say(app, 'join', { userName: name })
  }
  await startNow(db.prisma, clock.now())
  await pass(app)
  // One group asked, with an answer and a reminder queued; the other not asked: every shape of a group appears.
  const group = await db.prisma.group.findFirstOrThrow({ include: { members: { include: { participant: true } } } })
  const now = clock.now()
  await markAsked(db.prisma, group, now, 'followuppostxxxxxxxxxxxxxx')
  await db.prisma.delivery.create({ data: { dedupeKey: `reminder:${group.id}`, kind: 'reminder', roundId: group.roundId, groupId: group.id, nextAttemptAt: now } })
  await recordAnswers(db.prisma, group.id, [[group.members[0]!.participant.userId, 'met']], now)

  const { doc } = await fetchDocument(app)
  const schemaOf = (path: string, code: string) => doc.paths[path]!.get!.responses[code]!.content!['application/json']!.schema
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const cases: [string, string, Record<string, string>][] = [
    [`/api/channels/${CHANNEL_ID}/stats`, '200', auth],
    [`/api/channels/${CHANNEL_ID}/rounds`, '200', auth],
    [`/api/channels/${CHANNEL_ID}/rounds?per_page=1`, '200', auth],
    [`/api/channels/${CHANNEL_ID}/stats`, '401', {}],
    [`/api/channels/${mmId('nowhere')}/rounds`, '404', auth],
    [`/api/channels/${CHANNEL_ID}/rounds?per_page=1000`, '400', auth]
  ]
  for (const [url, code, headers] of cases) {
    const response = await app.inject({ method: 'GET', url, headers })
    t.equal(String(response.statusCode), code, url)
    const path = url.split('?')[0]!.replace(/\/api\/channels\/[^/]+\//, '/api/channels/{channel_id}/')
    const validate = await schemaValidator(t, schemaOf(path, code))
    t.equal(await validate(response.json()), null, `${url} (${code}) matches the document`)
  }
  const rounds = await app.inject({ method: 'GET', url: `/api/channels/${CHANNEL_ID}/rounds`, headers: auth })
  const validate = await schemaValidator(t, schemaOf('/api/channels/{channel_id}/rounds', '200'))
  const broken = rounds.json()
  broken.rounds[0].groups[0].outcome = 'maybe'
  t.match(await validate(broken), /outcome must be equal to one of the allowed values/, 'the check itself has teeth')

  const history = '/api/channels/{channel_id}/history'
  const imported = await app.inject({ method: 'POST', url: `/api/channels/${CHANNEL_ID}/history`, headers: { ...auth, 'content-type': 'text/csv' }, payload: '2026-10-05,alice,bob\n2026-10-05,alice,nobody\n' })
  const importSchema = doc.paths[history]!.post!.responses['200']!.content!['application/json']!.schema
  t.equal(await (await schemaValidator(t, importSchema))(imported.json()), null, 'the import report matches the document')
  const exported = await app.inject({ method: 'GET', url: `/api/channels/${CHANNEL_ID}/history`, headers: auth })
  const exportSchema = doc.paths[history]!.get!.responses['200']!.content!['application/json']!.schema
  t.equal(await (await schemaValidator(t, exportSchema))(exported.json()), null, 'the JSON export matches the document')
})
