// Security headers for every answer. Coffee serves JSON, so the strictest set costs nothing: nothing to frame, no
// scripts, no referrer to leak; the dashboard's pages get a set of their own (DASHBOARD_HEADER_OPTIONS). The
// headers are helmet's, computed once at start-up (@fastify/helmet builds a new helmet middleware for every
// request, a few percent of a slash command's CPU) and set by one hook.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet, { type HelmetOptions } from 'helmet'

export const SECURITY_HEADER_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }
}

/**
 * The dashboard's pages: scripts and styles from Coffee itself only (its JSON data blocks are not scripts), forms
 * posting back to Coffee only, nothing framed, no referrer (a link token must never leave in one).
 */
export const DASHBOARD_HEADER_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"]
    }
  },
  referrerPolicy: { policy: 'no-referrer' }
}

/** The headers helmet sets with these options (lower-case names); helmet's only per-request inputs are functions. */
export function helmetHeaders (options: HelmetOptions = SECURITY_HEADER_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader (name: string, value: string | number) { headers[name.toLowerCase()] = String(value) },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  let failure: unknown
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => { failure = error })
  if (failure !== undefined) throw failure
  return headers
}

/** Adds the headers to every reply of `app` (register it on the root instance, before the routes). */
export function addSecurityHeaders (app: FastifyInstance, headers: Record<string, string> = helmetHeaders()): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
}
