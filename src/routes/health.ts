// GET /health: for load balancers, container health checks and people looking from outside. It says in words whether
// the database and Mattermost answer, and nothing of how they are reached; the details go to the log.
// Only the database decides the status code: restarting Coffee does not bring Mattermost back.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { PrismaClient } from '../generated/prisma/client.js'
import type { ChatGateway } from '../mattermost/gateway.js'
import { checkConnection, MATTERMOST_STATES } from '../mattermost/connection.js'
import { within, LATE } from '../deadline.js'

export interface HealthOptions {
  prisma: PrismaClient
  gateway: Pick<ChatGateway, 'whoAmI'> | undefined
  mattermostUrl: string | undefined
  /** How long the database and Mattermost may take to answer before we call them down. */
  timeoutMs?: number
}

const Mattermost = Type.Enum(MATTERMOST_STATES, {
  description: 'ok; not_configured (no MATTERMOST_URL or bot token); unreachable; token_rejected (401); failing (another error)'
})

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, { prisma, gateway, mattermostUrl, timeoutMs = 3000 }) => {
  async function databaseAnswers (): Promise<boolean> {
    try {
      if (await within(prisma.$queryRaw`SELECT 1`, timeoutMs) !== LATE) return true
      app.log.warn({ timeoutMs }, 'health check: the database is not answering (no answer in time)')
    } catch (error) {
      app.log.warn({ err: error }, 'health check: the database is not answering')
    }
    return false
  }

  app.get('/health', {
    schema: {
      summary: 'Whether the database and Mattermost answer, for load balancers and container health checks',
      response: {
        200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok'), mattermost: Mattermost }, { description: 'Serving: the database answers' }),
        503: Type.Object({ status: Type.Literal('unavailable'), database: Type.Literal('unreachable'), mattermost: Mattermost }, { description: 'The database does not answer' })
      }
    }
  }, async (request, reply) => {
    const [database, mattermost] = await Promise.all([databaseAnswers(), checkConnection(gateway, mattermostUrl, timeoutMs)])
    if (mattermost.state !== 'ok' && mattermost.state !== 'not_configured') request.log.warn(`health check: ${mattermost.detail}`)
    if (database) return { status: 'ok' as const, database: 'ok' as const, mattermost: mattermost.state }
    return await reply.code(503).send({ status: 'unavailable' as const, database: 'unreachable' as const, mattermost: mattermost.state })
  })
}
