// The admin scope (app.ts registers POST /rounds and the JSON API inside it): every route there needs
// Authorization: Bearer ADMIN_TOKEN, compared in constant time, and declares ADMIN_SECURITY for the OpenAPI document.
import type { FastifyRequest, FastifyReply } from 'fastify'
import { tokenChecker } from '../mattermost/slash.js'
import { AdminTokenUnset, AdminTokenWrong, errorResponse } from '../errors.js'

/** The OpenAPI security requirement of every admin route (the scheme is defined in registerOpenApi). */
export const ADMIN_SECURITY = [{ bearerAuth: [] }]

/** The refusals every admin route can answer with. */
export const adminErrorResponses = {
  401: errorResponse('Missing or wrong Authorization: Bearer <ADMIN_TOKEN>'),
  503: errorResponse('ADMIN_TOKEN is not set, so the admin endpoints are closed; or the database did not answer in time (COFFEE_DATABASE_UNAVAILABLE)')
}

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
