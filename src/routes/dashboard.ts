// The dashboard: GET /dashboard/open/:token (a one-time link from /coffee dashboard) sets a session cookie; the
// channel's page, its settings form and its assets need that session. Refusals are pages that say what to do.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Clock } from '../clock.js'
import type { DashboardStore } from '../store/dashboard.js'
import type { ParticipationStore } from '../store/participation.js'
import type { ChatGateway } from '../mattermost/gateway.js'
import { helmetHeaders, DASHBOARD_HEADER_OPTIONS } from '../security-headers.js'
import { SESSION_COOKIE, SESSION_TTL_MS, hashLinkToken, signSession, verifySession, readCookie, sessionCookie, csrfToken, checkCsrf, type DashboardSession } from '../dashboard/session.js'
import { loadDashboard, type ViewDeps } from '../dashboard/view.js'
import { dashboardPage, messagePage, type FormState } from '../dashboard/page.js'
import { loadAssets } from '../dashboard/assets.js'
import { parseSetting, type SettingName, type ProgramSettings } from '../core/settings.js'
import { adminRole } from '../commands/config.js'
import { DashboardLinkUnusable, DashboardSignedOut, DashboardOtherChannel, DashboardFormStale, DashboardNotAdmin, MattermostNotConfigured, Internal } from '../errors.js'

export interface DashboardOptions extends ViewDeps {
  links: Pick<DashboardStore, 'useLink'>
  store: Pick<ParticipationStore, 'updateProgram'>
  /** Reading roles again before a change: the session may be hours old. */
  users: Pick<ChatGateway, 'getChannelMember' | 'getUser'> | undefined
  clock: Clock
  /** The dashboard's signing key (dashboardKey); undefined until Mattermost is configured. */
  key: Buffer | undefined
  /** Sessions get the Secure flag when PUBLIC_URL is https. */
  secureCookie: boolean
}

const ChannelParams = Type.Object({ channel_id: Type.String({ pattern: '^[A-Za-z0-9]{1,64}$' }) })
const PageQuery = Type.Object({
  person: Type.Optional(Type.String({ maxLength: 64 })),
  preview: Type.Optional(Type.String({ maxLength: 8 }))
})
const SettingsForm = Type.Object({
  csrf: Type.String({ maxLength: 200 }),
  cadenceDays: Type.String({ maxLength: 100 }),
  groupSize: Type.String({ maxLength: 100 }),
  followupHours: Type.String({ maxLength: 100 }),
  mode: Type.String({ maxLength: 100 }),
  // Optional: a form from a page served before these settings existed still saves the others.
  workingHours: Type.Optional(Type.String({ maxLength: 100 })),
  timezones: Type.Optional(Type.String({ maxLength: 100 }))
})
const SETTING_NAMES: readonly SettingName[] = ['cadenceDays', 'groupSize', 'followupHours', 'mode', 'workingHours', 'timezones']

const TITLES: Record<number, string> = { 401: 'Please sign in again', 403: 'Not for this link', 404: 'Not found' }

export const dashboardRoutes: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, options) => {
  const { links, store, users, clock, key, secureCookie } = options
  const headers = { ...helmetHeaders(DASHBOARD_HEADER_OPTIONS), 'cache-control': 'no-store' }
  const assets = loadAssets()

  // After the app's own hook: these pages may run Coffee's own script and style; nothing is cached.
  app.addHook('onRequest', async (_request, reply) => { reply.headers(headers) })
  // People read these answers, so errors are pages; the codes and words are still src/errors.ts's.
  app.setErrorHandler((error: Error & { statusCode?: number, code?: string }, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    const told = statusCode < 500 || error.code?.startsWith('COFFEE_') === true
    if (told) request.log.info({ err: error }, 'dashboard request refused')
    else request.log.error({ err: error }, 'dashboard request failed')
    return reply.code(statusCode).type('text/html; charset=utf-8')
      .send(messagePage(TITLES[statusCode] ?? 'Coffee dashboard', told ? error.message : new Internal().message).text)
  })

  function signingKey (): Buffer {
    if (key === undefined) throw new MattermostNotConfigured()
    return key
  }

  function session (request: FastifyRequest): { session: DashboardSession, cookie: string } {
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE)
    const found = verifySession(signingKey(), cookie, clock.now())
    if (found === null || cookie === undefined) throw new DashboardSignedOut()
    return { session: found, cookie }
  }

  function sessionFor (request: FastifyRequest, channelId: string) {
    const found = session(request)
    if (!found.session.systemAdmin && found.session.channelId !== channelId) throw new DashboardOtherChannel()
    return found
  }

  async function page (reply: FastifyReply, channelId: string, cookie: string, s: DashboardSession, extra: { person?: string | undefined, preview?: boolean, form?: FormState, status?: number }) {
    const view = await loadDashboard(options, channelId, {
      now: clock.now(),
      ...(extra.person === undefined ? {} : { person: extra.person }),
      preview: extra.preview === true,
      channels: s.systemAdmin
    })
    return reply.code(extra.status ?? 200).type('text/html; charset=utf-8')
      .send(dashboardPage(view, { csrf: csrfToken(signingKey(), cookie), ...(extra.form === undefined ? {} : { form: extra.form }) }).text)
  }

  app.get('/dashboard/open/:token', {
    schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 200 }) }) }
  }, async (request, reply) => {
    const now = clock.now()
    const used = await links.useLink(hashLinkToken(request.params.token), now)
    if (used === null) throw new DashboardLinkUnusable()
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS)
    const value = signSession(signingKey(), { ...used, expiresAt })
    request.log.info({ channelId: used.channelId, userId: used.userId }, 'dashboard link used')
    return reply.header('set-cookie', sessionCookie(value, { secure: secureCookie, maxAgeMs: SESSION_TTL_MS }))
      .redirect(`/dashboard/channels/${encodeURIComponent(used.channelId)}`, 303)
  })

  app.get('/dashboard', { schema: { hide: true } }, async (request, reply) => {
    const { session: s } = session(request)
    return reply.redirect(`/dashboard/channels/${encodeURIComponent(s.channelId)}`, 303)
  })

  app.get('/dashboard/channels/:channel_id', {
    schema: { hide: true, params: ChannelParams, querystring: PageQuery }
  }, async (request, reply) => {
    const { session: s, cookie } = sessionFor(request, request.params.channel_id)
    return page(reply, request.params.channel_id, cookie, s, { person: request.query.person, preview: request.query.preview === '1' })
  })

  app.post('/dashboard/channels/:channel_id/settings', {
    schema: { hide: true, params: ChannelParams, body: SettingsForm }
  }, async (request, reply) => {
    const channelId = request.params.channel_id
    const { session: s, cookie } = sessionFor(request, channelId)
    if (!checkCsrf(signingKey(), cookie, request.body.csrf)) throw new DashboardFormStale()
    // The same rule as /coffee config, asked of Mattermost again: roles may have changed since the link.
    if (users === undefined) throw new MattermostNotConfigured()
    if (await adminRole(users, channelId, s.userId) === null) throw new DashboardNotAdmin()
    const program = await options.stats.program(channelId)
    if (program === null) throw new DashboardOtherChannel()

    const form: FormState = { values: {}, errors: {}, done: [] }
    const patch: Partial<ProgramSettings> = {}
    for (const name of SETTING_NAMES) {
      const raw = request.body[name]
      if (raw === undefined) continue
      const typed = raw.trim()
      form.values[name] = typed
      const change = parseSetting(name, typed)
      if (!change.ok) { form.errors[name] = change.error; continue }
      const changed = Object.entries(change.patch).some(([field, value]) => program[field as SettingName] !== value)
      if (changed) { Object.assign(patch, change.patch); form.done.push(change.done) }
    }
    if (Object.keys(form.errors).length > 0) return page(reply, channelId, cookie, s, { form: { ...form, done: [] }, status: 422 })
    if (form.done.length > 0) {
      await store.updateProgram(program.id, patch)
      request.log.info({ channelId, userId: s.userId, patch }, 'settings changed on the dashboard')
    }
    return page(reply, channelId, cookie, s, { form: { ...form, values: {} } })
  })

  app.get('/dashboard/assets/:name', {
    schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 64 }) }) }
  }, async (request, reply) => {
    const found = assets.get(request.params.name)
    if (found === undefined) return reply.callNotFound()
    reply.header('cache-control', 'public, max-age=3600').header('etag', found.etag).type(found.type)
    if (request.headers['if-none-match'] === found.etag) return reply.code(304).send()
    return reply.send(found.body)
  })
}
