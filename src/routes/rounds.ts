// POST /rounds: the scheduler's endpoint. Cron (or a Kubernetes CronJob) calls it as often as it likes; each call
// does what is due. One pass at a time per instance (the database guards across instances). Admin scope.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { PassDeps, PassSummary } from '../rounds/pass.js'
import { runPass } from '../rounds/pass.js'
import { MattermostNotConfigured, PassRunning, errorResponse } from '../errors.js'
import { ADMIN_SECURITY, adminErrorResponses } from './admin.js'

export interface RoundsRouteOptions {
  /** Undefined when Mattermost is not configured: the endpoint explains what is missing. */
  passDeps: Omit<PassDeps, 'log'> | undefined
}

/** Options arrive as JSON or as query strings, so a flag is a boolean or its spelling ("true", "1", "yes"). */
const Flag = Type.Union([Type.Boolean(), Type.String({ maxLength: 8 })])
const ChannelId = Type.String({ minLength: 1, maxLength: 64 })

const schema = {
  summary: 'Do everything that is due: start rounds, send intros and follow-ups, retry what failed',
  tags: ['admin'],
  security: ADMIN_SECURITY,
  querystring: Type.Object({
    force: Type.Optional(Type.String({ maxLength: 8 })),
    channel_id: Type.Optional(Type.String({ maxLength: 64 })),
    dry_run: Type.Optional(Type.String({ maxLength: 8 }))
  }),
  body: Type.Union([
    Type.Object({ force: Type.Optional(Flag), channel_id: Type.Optional(ChannelId), dry_run: Type.Optional(Flag) }, { additionalProperties: false }),
    Type.Null()
  ]),
  response: {
    // Described, not constrained: a schema here would drop every field it does not name from the answer.
    200: Type.Unknown({ description: 'The pass summary (rounds, skipped, deliveries, errors), also when the database went away part-way: errors then says so and deliveries.pending is null' }),
    ...adminErrorResponses,
    409: errorResponse('A pass is already running on this instance; this call did nothing'),
    503: errorResponse('ADMIN_TOKEN is not set, Mattermost is not configured, or the database did not answer in time (COFFEE_DATABASE_UNAVAILABLE: no round was started and nothing was sent; the next call does what is due)')
  }
}

const truthy = (value: boolean | string | undefined) => value === true || value === 'true' || value === '1' || value === 'yes'

export const roundsRoutes: FastifyPluginAsyncTypebox<RoundsRouteOptions> = async (app, { passDeps }) => {
  let running: Promise<PassSummary> | null = null

  app.post('/rounds', { schema }, async (request) => {
    if (passDeps === undefined) {
      throw new MattermostNotConfigured()
    }
    if (running !== null) {
      throw new PassRunning()
    }
    const { query } = request
    const body = request.body ?? {}
    const channelId = body.channel_id ?? query.channel_id
    const options = {
      force: truthy(body.force ?? query.force),
      dryRun: truthy(body.dry_run ?? query.dry_run),
      ...(channelId !== undefined && channelId !== '' ? { channelId } : {})
    }
    running = runPass({ ...passDeps, log: request.log }, options)
    try {
      return await running
    } finally {
      running = null
    }
  })
}
