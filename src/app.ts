// The app factory: everything the service is, built from explicit dependencies. Never reads process.env.
import Fastify, { type FastifyInstance, type FastifyServerOptions, type FastifyBaseLogger } from 'fastify'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import type { Config } from './config.js'
import { addSecurityHeaders } from './security-headers.js'
import type { Clock } from './clock.js'
import { systemClock } from './clock.js'
import type { PrismaClient } from './generated/prisma/client.js'
import { healthRoutes } from './routes/health.js'
import { slashRoutes } from './routes/slash.js'
import { createCoffeeCommands } from './commands/index.js'
import { createParticipationStore } from './store/participation.js'
import type { ChatGateway } from './mattermost/gateway.js'
import type { DeliveryOptions } from './rounds/deliver.js'
import { roundsRoutes } from './routes/rounds.js'
import { createRoundsStore } from './store/rounds.js'
import { createStatsStore } from './store/stats.js'
import { apiRoutes, registerOpenApi } from './routes/api.js'
import { requireAdmin } from './routes/admin.js'
import { createFollowupsStore } from './store/followups.js'
import { createHistoryStore } from './store/history.js'
import { historyRoutes } from './routes/history.js'
import { actionsRoutes } from './routes/actions.js'
import { actionsKey } from './core/buttons.js'
import { createRandom } from './core/matching/index.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { createDashboardStore } from './store/dashboard.js'
import { createDashboardLinks } from './dashboard/links.js'
import { dashboardKey } from './dashboard/session.js'
import { startDueRounds } from './rounds/start-rounds.js'
import { randomInt } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import { DatabaseUnavailable, Internal, NoSuchRoute, TooManyRequests } from './errors.js'
import { isDatabaseUnreachable } from './db/unreachable.js'

export interface AppDatabase {
  kind: 'postgres' | 'pglite'
  prisma: PrismaClient
}

export interface AppDeps {
  config: Config
  db: AppDatabase
  /** The Mattermost gateway; undefined when MATTERMOST_URL or MATTERMOST_BOT_TOKEN is missing. */
  gateway?: ChatGateway | undefined
  clock?: Clock
  /** Random source for matching; seeded in tests. Defaults to a fresh seed per process. */
  random?: () => number
  /** Delivery tuning (tests shorten the waits). */
  delivery?: Partial<DeliveryOptions>
  sleep?: (ms: number) => Promise<void>
  /** A pino logger (the server's), or Fastify logger options (tests pass false). */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger']
}

/** Mattermost posts at most this much; anything larger is not a slash command or a button click. */
export const BODY_LIMIT = 1024 * 1024

export async function buildApp ({ config, db, gateway, clock = systemClock, logger = false, random = createRandom(randomInt(2 ** 31)), delivery, sleep }: AppDeps): Promise<FastifyInstance> {
  const isInstance = typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function'
  const app = Fastify({
    ...(isInstance ? { loggerInstance: logger as FastifyBaseLogger } : { logger: logger as FastifyServerOptions['logger'] }),
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    // Options arrive as JSON or as query strings: some schemas accept a boolean or its spelling ("true").
    ajv: { customOptions: { allowUnionTypes: true } }
  })

  // The one place errors become answers: Coffee's own (src/errors.ts) and Fastify's (validation, body size, media
  // type) say what was wrong; anything else is a 500 that says nothing of the internals and is logged.
  app.setErrorHandler((raw: Error & { statusCode?: number, code?: string }, request, reply) => {
    // A database that did not answer is an outage to name (503), not a bug (500); the details go to the log.
    const unreachable = isDatabaseUnreachable(raw)
    if (unreachable) request.log.error({ err: raw }, 'the database did not answer')
    const error: Error & { statusCode?: number, code?: string } = unreachable ? new DatabaseUnavailable() : raw
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    const told = statusCode < 500 || error.code?.startsWith('COFFEE_') === true
    const answer = told ? error : new Internal()
    if (told && !unreachable) request.log.info({ err: error }, 'request refused')
    else request.log.error({ err: error }, 'request failed')
    return reply.code(statusCode).send({
      statusCode,
      code: answer.code,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: answer.message,
      ...(told ? {} : { requestId: request.id })
    })
  })
  app.setNotFoundHandler((request) => {
    throw new NoSuchRoute(request.method, request.url.split('?')[0])
  })

  await app.register(formbody, { bodyLimit: BODY_LIMIT })
  addSecurityHeaders(app)
  // Only routes that opt in (config.rateLimit) are limited: /coffee and /actions. Every slash command and click
  // comes from the Mattermost server's address, so the budget is per person (the user_id Mattermost names),
  // and per address only for requests that name nobody. Counted once the body is parsed.
  await app.register(rateLimit, {
    global: false,
    hook: 'preValidation',
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      // Before validation: the fields may be anything.
      const fields = request.method === 'GET' ? request.query : request.body
      const user = fields !== null && typeof fields === 'object' && 'user_id' in fields ? fields.user_id : undefined
      return typeof user === 'string' && user !== '' ? `user:${user.slice(0, 64)}` : `address:${request.ip}`
    },
    errorResponseBuilder: (_request, context) => new TooManyRequests(context.max, Math.ceil(context.ttl / 1000))
  })
  // Before every route: the OpenAPI document only knows routes added after it.
  await registerOpenApi(app)

  const store = createParticipationStore(db.prisma)
  const stats = createStatsStore(db.prisma)
  const commands = createCoffeeCommands()
  const followups = createFollowupsStore(db.prisma)
  const signingKey = config.mattermost === undefined ? undefined : actionsKey(config.actionsSecret, config.mattermost.botToken)
  const dashboardStore = createDashboardStore(db.prisma)
  // Links need somewhere to point and a key to sign sessions with.
  const dashboard = config.publicUrl === undefined || signingKey === undefined ? undefined : createDashboardLinks({ store: dashboardStore, publicUrl: config.publicUrl })

  await app.register(healthRoutes, { prisma: db.prisma, gateway, mattermostUrl: config.mattermost?.url })
  const limited = config.rateLimitPerMinute > 0 ? { rateLimit: {} } : {}
  await app.register(slashRoutes, { slashTokens: config.slashTokens, commands, deps: { store, stats, users: gateway, dashboard }, clock, routeConfig: limited, deadlineMs: config.commandTimeoutMs })
  await app.register(actionsRoutes, { followups, clock, actionsKey: signingKey, publicUrl: config.publicUrl, routeConfig: limited, deadlineMs: config.commandTimeoutMs })
  await app.register(dashboardRoutes, {
    links: dashboardStore,
    store,
    stats,
    gateway,
    users: gateway,
    preview: gateway === undefined ? undefined : (channelId) => previewRound({ store: createRoundsStore(db.prisma), followups, gateway, clock, random, log: app.log }, channelId),
    clock,
    key: signingKey === undefined ? undefined : dashboardKey(signingKey),
    secureCookie: config.publicUrl?.startsWith('https:') === true
  })
  // The admin scope: the scheduler's POST /rounds and the JSON API, behind Bearer ADMIN_TOKEN.
  await app.register(async (admin) => {
    admin.addHook('onRequest', requireAdmin(config.adminToken))
    await admin.register(apiRoutes, { stats, clock })
    await admin.register(historyRoutes, { history: createHistoryStore(db.prisma), stats, gateway, clock })
    await admin.register(roundsRoutes, {
      passDeps: gateway === undefined
        ? undefined
        : {
            store: createRoundsStore(db.prisma),
            followups,
            gateway,
            clock,
            random,
            publicUrl: config.publicUrl,
            actionsKey: signingKey,
            delivery: { concurrency: config.deliveryConcurrency, ...delivery },
            abandonedLeases: new Set<number>(),
            ...(sleep !== undefined ? { sleep } : {})
          }
    })
  })

  return app
}

/** The dashboard's preview: the channel's next round as a dry run (nothing is saved or sent). */
async function previewRound (deps: Parameters<typeof startDueRounds>[0], channelId: string) {
  const summary = await startDueRounds(deps, { channelId, force: true, dryRun: true })
  const plan = summary.started[0]?.plan
  if (plan !== undefined) return plan
  return summary.skipped[0]?.reason ?? summary.errors[0]?.message ?? 'there is nothing to preview'
}
