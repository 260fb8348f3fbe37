import type { FastifyPluginAsync } from 'fastify'
import type { PrismaClient } from '../generated/prisma/client.js'

export interface HealthOptions {
  prisma: PrismaClient
  databaseKind: string
  /** How long the database may take to answer before we call it down. */
  timeoutMs?: number
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { prisma, databaseKind, timeoutMs = 2000 }) => {
  app.get('/health', {
    schema: {
      summary: 'Liveness and database check, for load balancers and container health checks',
      response: {
        200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' } } },
        503: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' }, reason: { type: 'string' } } }
      }
    }
  }, async (request, reply) => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        prisma.$queryRawUnsafe('SELECT 1'),
        new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs) })
      ])
      return { status: 'ok', database: databaseKind }
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database is not answering')
      return reply.code(503).send({ status: 'unavailable', database: databaseKind, reason: `the database is not answering (${(error as Error).message})` })
    } finally {
      clearTimeout(timer)
    }
  })
}
