// Bearer ADMIN_TOKEN for the scheduler and admin endpoints, compared in constant time.
import type { FastifyRequest, FastifyReply } from 'fastify'
import { tokenChecker } from '../mattermost/slash.js'

export function requireAdmin (adminToken: string | undefined) {
  const isAdminToken = tokenChecker(adminToken === undefined ? [] : [adminToken])
  return async function checkAdmin (request: FastifyRequest, reply: FastifyReply) {
    if (adminToken === undefined) {
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'ADMIN_TOKEN is not set, so this endpoint is closed. Set it and restart Coffee.' })
    }
    const match = /^bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    if (!isAdminToken(match?.[1])) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ statusCode: 401, error: 'Unauthorized', message: 'Send Authorization: Bearer <ADMIN_TOKEN>.' })
    }
  }
}
