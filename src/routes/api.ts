// The admin JSON API (Bearer ADMIN_TOKEN) and the OpenAPI document that describes every route of the service.
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static, type TSchema } from 'typebox'
import swagger from '@fastify/swagger'
import type { Clock } from '../clock.js'
import type { StatsStore, RoundRecord, GroupRecord, DeliveryStatus } from '../store/stats.js'
import { GROUP_OUTCOMES } from '../core/outcomes.js'
import { DeliveryState, OutcomeAnswer } from '../generated/prisma/enums.js'
import { ADMIN_SECURITY, adminErrorResponses } from './admin.js'
import { ChannelNotSetUp, errorResponse } from '../errors.js'

export const PER_PAGE_DEFAULT = 20
export const PER_PAGE_MAX = 100
/** Far beyond any real history; it keeps OFFSET (page × per_page) a sane number. */
const PAGE_MAX = 100_000

export interface ApiOptions {
  stats: StatsStore
  clock: Clock
}

const errorResponses = {
  ...adminErrorResponses,
  400: errorResponse('Invalid path or query parameters'),
  404: errorResponse('Coffee has not been set up in this channel')
}

const ChannelParams = Type.Object({
  channel_id: Type.String({ pattern: '^[A-Za-z0-9]{1,64}$', description: 'The Mattermost channel id where Coffee runs' })
})

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const DateTime = (options: { description?: string } = {}) => Type.String({ format: 'date-time', ...options })

const Stats = Type.Object({
  participants: Type.Integer({ description: 'Everyone who ever joined, including those who left' }),
  active: Type.Integer({ description: 'Taking part and not paused right now' }),
  rounds: Type.Integer(),
  groups: Type.Integer({ description: 'Groups ever introduced' }),
  asked: Type.Integer({ description: 'Groups whose "did you meet?" follow-up went out; met + not_met + no_answer' }),
  met: Type.Integer({ description: 'Asked groups where someone answered "we met"' }),
  not_met: Type.Integer({ description: 'Asked groups that could not make it or were still "not yet"' }),
  no_answer: Type.Integer({ description: 'Asked groups where nobody answered' }),
  met_rate: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'met / asked, rounded to 3 decimals; null before any group was asked' }))
}, { description: "The channel's numbers" })

const DeliveryJson = Nullable(Type.Object({
  state: Type.Enum(DeliveryState),
  post_id: Nullable(Type.String())
}, { description: 'null when this message was never queued for the group' }))

const Member = Type.Object({
  user_id: Type.String(),
  username: Type.String(),
  answer: Nullable(Type.Enum(OutcomeAnswer)),
  answered_at: Nullable(DateTime())
})

const GroupJson = Type.Object({
  index: Type.Integer(),
  channel_id: Nullable(Type.String({ description: 'The group message in Mattermost, once created' })),
  members: Type.Array(Member),
  deliveries: Type.Object({ intro: DeliveryJson, followup: DeliveryJson, reminder: DeliveryJson }),
  asked: Type.Boolean({ description: 'Whether the follow-up went out' }),
  outcome: Type.Enum(GROUP_OUTCOMES, { description: 'What the answers add up to' })
})

const RoundJson = Type.Object({
  number: Type.Integer(),
  started_at: DateTime(),
  followup_at: DateTime({ description: 'When "did you meet?" is due' }),
  group_size: Type.Integer({ description: 'The setting the round was made with' }),
  eligible: Type.Integer({ description: 'People who could take part' }),
  imported: Type.Boolean({ description: 'History from another tool (numbered 0 and below): nothing was sent for it' }),
  groups: Type.Array(GroupJson)
})

const RoundsPage = Type.Object({
  page: Type.Integer({ description: 'Zero-based, as in the Mattermost API' }),
  per_page: Type.Integer(),
  total: Type.Integer({ description: 'Rounds in the channel, across all pages' }),
  rounds: Type.Array(RoundJson, { description: 'Newest first' })
}, { description: 'One page of rounds' })

function deliveryJson (status: DeliveryStatus | null): Static<typeof DeliveryJson> {
  return status === null ? null : { state: status.state, post_id: status.postId }
}

function groupJson (group: GroupRecord): Static<typeof GroupJson> {
  return {
    index: group.index,
    channel_id: group.channelId,
    members: group.members.map((m) => ({ user_id: m.userId, username: m.username, answer: m.answer, answered_at: m.answeredAt?.toISOString() ?? null })),
    deliveries: { intro: deliveryJson(group.deliveries.intro), followup: deliveryJson(group.deliveries.followup), reminder: deliveryJson(group.deliveries.reminder) },
    asked: group.asked,
    outcome: group.outcome
  }
}

function roundJson (round: RoundRecord): Static<typeof RoundJson> {
  return {
    number: round.number,
    started_at: round.startedAt.toISOString(),
    followup_at: round.followupAt.toISOString(),
    group_size: round.groupSize,
    eligible: round.eligibleCount,
    imported: round.imported,
    groups: round.groups.map(groupJson)
  }
}

export const apiRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { stats, clock }) => {
  app.get('/api/channels/:channel_id/stats', {
    schema: {
      summary: "A channel's coffee in numbers: people, rounds, groups and how many met",
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: ChannelParams,
      response: { 200: Stats, ...errorResponses }
    }
  }, async (request) => {
    const program = await stats.programRef(request.params.channel_id)
    if (program === null) throw new ChannelNotSetUp(request.params.channel_id)
    const numbers = await stats.programStats(program.id, { now: clock.now(), trendRounds: 0 })
    return {
      participants: numbers.participants,
      active: numbers.active,
      rounds: numbers.rounds,
      groups: numbers.groups,
      asked: numbers.outcomes.groups,
      met: numbers.outcomes.met,
      not_met: numbers.outcomes.not_met,
      no_answer: numbers.outcomes.no_answer,
      met_rate: numbers.outcomes.met_rate
    }
  })

  app.get('/api/channels/:channel_id/rounds', {
    schema: {
      summary: "A channel's rounds, newest first, with their groups, message states and answers",
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: ChannelParams,
      querystring: Type.Object({
        page: Type.Integer({ minimum: 0, maximum: PAGE_MAX, default: 0, description: 'Zero-based page' }),
        per_page: Type.Integer({ minimum: 1, maximum: PER_PAGE_MAX, default: PER_PAGE_DEFAULT })
      }),
      response: { 200: RoundsPage, ...errorResponses }
    }
  }, async (request) => {
    const program = await stats.programRef(request.params.channel_id)
    if (program === null) throw new ChannelNotSetUp(request.params.channel_id)
    const { page, per_page: perPage } = request.query
    const result = await stats.roundsPage(program.id, { page, perPage })
    return { page, per_page: perPage, total: result.total, rounds: result.rounds.map(roundJson) }
  })
}

function packageVersion (): string {
  // src/routes and dist/routes are both two levels below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
  return manifest.version ?? '0.0.0'
}

/**
 * Registers @fastify/swagger and serves its document at GET /docs/openapi.json. Call it on the root instance before
 * any route: swagger collects routes as they are added, so a route registered earlier would be missing.
 */
export async function registerOpenApi (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coffee',
        version: packageVersion(),
        description: 'Self-hosted coffee introductions for Mattermost. Admin endpoints take Authorization: Bearer <ADMIN_TOKEN>.'
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN the service was started with' }
        }
      }
    }
  })

  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
