// The dashboard's way in, as a person uses it: /coffee dashboard, then the link it answers with.
import type { FastifyInstance } from 'fastify'
import { say, type SlashInput } from './slash.js'

/** The one-time link in /coffee dashboard's answer (throws when the answer has none). */
export async function dashboardLink (app: FastifyInstance, input: SlashInput = {}): Promise<string> {
  const text = await say(app, 'dashboard', input)
  const match = /\((https?:\/\/[^)\s]+\/dashboard\/open\/[^)\s]+)\)/.exec(text)
  if (match === null) throw new Error(`/coffee dashboard answered without a link: ${text}`)
  return match[1]!
}

/** The path of a URL (app.inject wants paths). */
export function pathOf (url: string): string {
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}

/** Opens a link with app.inject: the session cookie it sets (name=value) and where it sends the browser. */
export async function openLink (app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url: pathOf(url) })
  const setCookie = response.headers['set-cookie']
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie
  return { response, setCookie: header, cookie: header?.split(';')[0], location: response.headers.location }
}
