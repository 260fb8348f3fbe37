// POST /rounds: the scheduler's endpoint. Cron (or a Kubernetes CronJob) calls it as often as it likes; each call
// does what is due. Bearer ADMIN_TOKEN; one pass at a time per instance (the database guards across instances).
import type { FastifyPluginAsync } from 'fastify'
import type { PassDeps, PassSummary } from '../rounds/pass.js'
import { runPass } from '../rounds/pass.js'
import { requireAdmin } from './admin-auth.js'
import { MattermostNotConfigured, PassRunning } from '../errors.js'

export interface RoundsRouteOptions {
  adminToken: string | undefined
  /** Undefined when Mattermost is not configured: the endpoint explains what is missing. */
  passDeps: Omit<PassDeps, 'log'> | undefined
}

const truthy = (value: unknown) => value === true || value === 'true' || value === '1' || value === 'yes'

export const roundsRoutes: FastifyPluginAsync<RoundsRouteOptions> = async (app, { adminToken, passDeps }) => {
  let running: Promise<PassSummary> | null = null

  app.post('/rounds', {
    onRequest: requireAdmin(adminToken),
    schema: {
      summary: 'Do everything that is due: start rounds, send intros and follow-ups, retry what failed',
      querystring: {
        type: 'object',
        properties: { force: { type: 'string' }, channel_id: { type: 'string' }, dry_run: { type: 'string' } }
      },
      body: {
        type: ['object', 'null'],
        properties: { force: { type: ['boolean', 'string'] }, channel_id: { type: 'string', minLength: 1, maxLength: 64 }, dry_run: { type: ['boolean', 'string'] } },
        additionalProperties: false
      }
    }
  }, async (request, reply) => {
    if (passDeps === undefined) {
      throw new MattermostNotConfigured()
    }
    if (running !== null) {
      throw new PassRunning()
    }
    const query = request.query as Record<string, string | undefined>
    const body = (request.body ?? {}) as Record<string, unknown>
    const channelId = (body.channel_id ?? query.channel_id) as string | undefined
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
