// A channel's history of groups, in and out: POST imports what another tool remembers (CSV or JSON), GET exports
// every group (CSV with Accept: text/csv, else JSON) in the same format, so an export imports again to the same state.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import type { Clock } from '../clock.js'
import type { ChatGateway } from '../mattermost/gateway.js'
import type { HistoryStore } from '../store/history.js'
import type { StatsStore } from '../store/stats.js'
import { formatHistoryCsv, historyFromJson, historyUsernames, parseHistoryCsv, planHistoryImport, SKIP_REASONS, type HistoryLine } from '../core/history.js'
import { ADMIN_SECURITY, adminErrorResponses } from './admin.js'
import { ChannelNotSetUp, HistoryEmpty, MattermostNotConfigured, errorResponse } from '../errors.js'

/** A year of weekly pairs in a 10,000-person channel is about 8 MB of CSV. */
export const HISTORY_BODY_LIMIT = 16 * 1024 * 1024
const MAX_GROUPS = 500_000

export interface HistoryOptions {
  history: HistoryStore
  stats: Pick<StatsStore, 'programRef'>
  gateway: Pick<ChatGateway, 'getUsersByUsernames'> | undefined
  clock: Clock
}

const ChannelParams = Type.Object({
  channel_id: Type.String({ pattern: '^[A-Za-z0-9]{1,64}$', description: 'The Mattermost channel id where Coffee runs' })
})

const Entry = Type.Object({
  date: Type.String({ maxLength: 100, description: 'The day the group met, YYYY-MM-DD (UTC)' }),
  usernames: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000, description: 'Mattermost usernames, with or without @' })
}, { additionalProperties: false })

const HistoryJson = Type.Array(Entry, { maxItems: MAX_GROUPS })

const CsvBody = Type.String({ description: 'One group per line, `date,username,username[,username…]`; a header line starting with "date" is optional' })

const ImportReport = Type.Object({
  imported: Type.Object({
    groups: Type.Integer({ description: 'Groups added to the history' }),
    rounds: Type.Integer({ description: 'Imported rounds made for dates the channel had none for (one per date)' }),
    people: Type.Integer({ description: 'Different people in the groups added' })
  }),
  skipped: Type.Array(Type.Object({
    line: Type.Integer({ description: 'The line of the CSV file (counting from 1, header included), or the position in the JSON array' }),
    reason: Type.Enum(SKIP_REASONS, { description: 'bad_date (not YYYY-MM-DD, or in the future), too_small (fewer than 2 people), unknown_user (Mattermost has no such username), duplicate (already in the history)' }),
    message: Type.String()
  }), { description: 'Every line not imported, and why' })
}, { description: 'What the import did' })

const errorResponses = {
  ...adminErrorResponses,
  400: errorResponse('A malformed body or parameters, or no groups at all'),
  404: errorResponse('Coffee has not been set up in this channel'),
  413: errorResponse('The body is larger than 16 MB'),
  415: errorResponse('Neither text/csv nor application/json')
}

export const historyRoutes: FastifyPluginAsyncTypebox<HistoryOptions> = async (app, { history, stats, gateway, clock }) => {
  // Only this plugin's routes read CSV.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: HISTORY_BODY_LIMIT }, (_request, body, done) => { done(null, body) })

  app.post('/api/channels/:channel_id/history', {
    bodyLimit: HISTORY_BODY_LIMIT,
    schema: {
      summary: "Imports groups from another tool into the channel's history (idempotent): CSV or JSON",
      description: 'Imported groups count as history for matching (no repeats) and for stats, in "imported" rounds that send nothing and do not move the schedule. Usernames are resolved through Mattermost.',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: ChannelParams,
      body: { content: { 'text/csv': { schema: CsvBody }, 'text/plain': { schema: CsvBody }, 'application/json': { schema: HistoryJson } } },
      response: { 200: ImportReport, ...errorResponses, 503: errorResponse('ADMIN_TOKEN is not set, Mattermost is not configured, or the database did not answer') }
    }
  }, async (request) => {
    const program = await stats.programRef(request.params.channel_id)
    if (program === null) throw new ChannelNotSetUp(request.params.channel_id)
    if (gateway === undefined) throw new MattermostNotConfigured()
    // Fastify validated the body against its content type's schema; the check tells the type checker which one.
    const body = request.body
    const lines: HistoryLine[] = typeof body === 'string' ? parseHistoryCsv(body) : Value.Check(HistoryJson, body) ? historyFromJson(body) : []
    if (lines.length === 0) throw new HistoryEmpty()
    const users = await gateway.getUsersByUsernames(historyUsernames(lines))
    const known = new Map(users.map((u) => [u.username, u.id]))
    const now = clock.now()
    const result = await history.importHistory(program.id, now, (existing) => planHistoryImport({ lines, known, existing, now }))
    request.log.info({ channelId: program.channelId, groups: result.groups.length, skipped: result.skipped.length }, 'history imported')
    return {
      imported: {
        groups: result.groups.length,
        rounds: result.newRounds,
        people: new Set(result.groups.flatMap((g) => g.userIds)).size
      },
      skipped: result.skipped
    }
  })

  app.get('/api/channels/:channel_id/history', {
    schema: {
      summary: "Exports every group of the channel's history (Coffee's rounds and imported ones), oldest first",
      description: 'Accept: text/csv gives the CSV POST takes (date,username,username…; dates in UTC); otherwise JSON.',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      produces: ['text/csv', 'application/json'],
      params: ChannelParams,
      response: {
        200: {
          description: 'The groups',
          content: {
            'text/csv': { schema: Type.String() },
            'application/json': { schema: HistoryJson }
          }
        },
        ...errorResponses
      }
    }
  }, async (request, reply) => {
    const program = await stats.programRef(request.params.channel_id)
    if (program === null) throw new ChannelNotSetUp(request.params.channel_id)
    const groups = await history.groups(program.id)
    if (wantsCsv(request.headers.accept)) {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="coffee-history-${program.channelId}.csv"`).send(formatHistoryCsv(groups))
    }
    return reply.type('application/json; charset=utf-8').send(groups.map((g) => ({ date: g.date.toISOString().slice(0, 10), usernames: g.usernames })))
  })
}

/** CSV when the caller asks for it before (or instead of) JSON. */
function wantsCsv (accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase())
  const csv = types.indexOf('text/csv')
  const json = types.indexOf('application/json')
  return csv >= 0 && (json < 0 || csv < json)
}
