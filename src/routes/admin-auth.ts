// Bearer ADMIN_TOKEN for the scheduler and admin endpoints, compared in constant time.
import type { FastifyRequest, FastifyReply } from 'fastify'
import { tokenChecker } from '../mattermost/slash.js'
import { AdminTokenUnset, AdminTokenWrong } from '../errors.js'

export function requireAdmin (adminToken: string | undefined) {
  const isAdminToken = tokenChecker(adminToken === undefined ? [] : [adminToken])
  return async function checkAdmin (request: FastifyRequest, reply: FastifyReply) {
    if (adminToken === undefined) {
      throw new AdminTokenUnset()
    }
    const match = /^bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    if (!isAdminToken(match?.[1])) {
      reply.header('www-authenticate', 'Bearer')
      throw new AdminTokenWrong()
    }
  }
}
