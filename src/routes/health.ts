import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { PrismaClient } from '../generated/prisma/client.js'

export interface HealthOptions {
  prisma: PrismaClient
  databaseKind: string
  /** How long the database may take to answer before we call it down. */
  timeoutMs?: number
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, { prisma, databaseKind, timeoutMs = 2000 }) => {
  app.get('/health', {
    schema: {
      summary: 'Liveness and database check, for load balancers and container health checks',
      response: {
        200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }, { description: 'Serving, and the database answers' }),
        503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String(), reason: Type.String() }, { description: 'The database does not answer' })
      }
    }
  }, async (request, reply) => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        prisma.$queryRawUnsafe('SELECT 1'),
        new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs) })
      ])
      return { status: 'ok' as const, database: databaseKind }
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database is not answering')
      return reply.code(503).send({ status: 'unavailable', database: databaseKind, reason: `the database is not answering (${(error as Error).message})` })
    } finally {
      clearTimeout(timer)
    }
  })
}
