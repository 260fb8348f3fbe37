// The admin JSON API (Bearer ADMIN_TOKEN) and the OpenAPI document that describes every route of the service.
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify'
import swagger from '@fastify/swagger'
import type { Clock } from '../clock.js'
import type { StatsStore, RoundRecord, GroupRecord, DeliveryStatus, GroupDeliveryKind } from '../store/stats.js'
import { GROUP_DELIVERY_KINDS } from '../store/stats.js'
import { DeliveryState, OutcomeAnswer } from '../generated/prisma/enums.js'
import { requireAdmin } from './admin-auth.js'
import { ChannelNotSetUp, errorSchema } from '../errors.js'

export const PER_PAGE_DEFAULT = 20
export const PER_PAGE_MAX = 100
/** Far beyond any real history; it keeps OFFSET (page × per_page) a sane number. */
const PAGE_MAX = 100_000

export interface ApiOptions {
  adminToken: string | undefined
  stats: StatsStore
  clock: Clock
}

const SECURITY = [{ bearerAuth: [] }]

const errorResponses = {
  400: { description: 'Invalid path or query parameters', ...errorSchema },
  401: { description: 'Missing or wrong Authorization: Bearer <ADMIN_TOKEN>', ...errorSchema },
  404: { description: 'Coffee has not been set up in this channel', ...errorSchema },
  503: { description: 'ADMIN_TOKEN is not set, so the API is closed', ...errorSchema }
} as const

const channelParams = {
  type: 'object',
  required: ['channel_id'],
  properties: {
    channel_id: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$', description: 'The Mattermost channel id where Coffee runs' }
  }
} as const

const metRate = {
  type: ['number', 'null'],
  minimum: 0,
  maximum: 1,
  description: 'met / asked, rounded to 3 decimals; null before any group was asked'
} as const

const statsSchema = {
  description: "The channel's numbers",
  type: 'object',
  required: ['participants', 'active', 'rounds', 'groups', 'asked', 'met', 'not_met', 'no_answer', 'met_rate'],
  properties: {
    participants: { type: 'integer', description: 'Everyone who ever joined, including those who left' },
    active: { type: 'integer', description: 'Taking part and not paused right now' },
    rounds: { type: 'integer' },
    groups: { type: 'integer', description: 'Groups ever introduced' },
    asked: { type: 'integer', description: 'Groups whose "did you meet?" follow-up went out; met + not_met + no_answer' },
    met: { type: 'integer', description: 'Asked groups where someone answered "we met"' },
    not_met: { type: 'integer', description: 'Asked groups that could not make it or were still "not yet"' },
    no_answer: { type: 'integer', description: 'Asked groups where nobody answered' },
    met_rate: metRate
  }
} as const

const deliveryStatus = {
  type: ['object', 'null'],
  description: 'null when this message was never queued for the group',
  required: ['state', 'post_id'],
  properties: {
    state: { type: 'string', enum: Object.values(DeliveryState) },
    post_id: { type: ['string', 'null'] }
  }
} as const

const outcomeEnum = ['met', 'cancelled', 'not_yet', 'no_answer']

const roundsSchema = {
  description: 'One page of rounds',
  type: 'object',
  required: ['page', 'per_page', 'total', 'rounds'],
  properties: {
    page: { type: 'integer', description: 'Zero-based, as in the Mattermost API' },
    per_page: { type: 'integer' },
    total: { type: 'integer', description: 'Rounds in the channel, across all pages' },
    rounds: {
      type: 'array',
      description: 'Newest first',
      items: {
        type: 'object',
        required: ['number', 'started_at', 'followup_at', 'group_size', 'eligible', 'groups'],
        properties: {
          number: { type: 'integer' },
          started_at: { type: 'string', format: 'date-time' },
          followup_at: { type: 'string', format: 'date-time', description: 'When "did you meet?" is due' },
          group_size: { type: 'integer', description: 'The setting the round was made with' },
          eligible: { type: 'integer', description: 'People who could take part' },
          groups: {
            type: 'array',
            items: {
              type: 'object',
              required: ['index', 'channel_id', 'members', 'deliveries', 'asked', 'outcome'],
              properties: {
                index: { type: 'integer' },
                channel_id: { type: ['string', 'null'], description: 'The group message in Mattermost, once created' },
                members: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['user_id', 'username', 'answer', 'answered_at'],
                    properties: {
                      user_id: { type: 'string' },
                      username: { type: 'string' },
                      answer: { type: ['string', 'null'], enum: [...Object.values(OutcomeAnswer), null] },
                      answered_at: { type: ['string', 'null'], format: 'date-time' }
                    }
                  }
                },
                deliveries: {
                  type: 'object',
                  required: [...GROUP_DELIVERY_KINDS],
                  properties: Object.fromEntries(GROUP_DELIVERY_KINDS.map((kind) => [kind, deliveryStatus]))
                },
                asked: { type: 'boolean', description: 'Whether the follow-up went out' },
                outcome: { type: 'string', enum: outcomeEnum, description: 'What the answers add up to' }
              }
            }
          }
        }
      }
    }
  }
} as const

function deliveryJson (status: DeliveryStatus | null) {
  return status === null ? null : { state: status.state, post_id: status.postId }
}

function groupJson (group: GroupRecord) {
  return {
    index: group.index,
    channel_id: group.channelId,
    members: group.members.map((m) => ({ user_id: m.userId, username: m.username, answer: m.answer, answered_at: m.answeredAt })),
    deliveries: Object.fromEntries(GROUP_DELIVERY_KINDS.map((kind) => [kind, deliveryJson(group.deliveries[kind])])) as Record<GroupDeliveryKind, ReturnType<typeof deliveryJson>>,
    asked: group.asked,
    outcome: group.outcome
  }
}

function roundJson (round: RoundRecord) {
  return {
    number: round.number,
    started_at: round.startedAt,
    followup_at: round.followupAt,
    group_size: round.groupSize,
    eligible: round.eligibleCount,
    groups: round.groups.map(groupJson)
  }
}

export const apiRoutes: FastifyPluginAsync<ApiOptions> = async (app, { adminToken, stats, clock }) => {
  const checkAdmin = requireAdmin(adminToken)

  app.get<{ Params: { channel_id: string } }>('/api/channels/:channel_id/stats', {
    onRequest: checkAdmin,
    schema: {
      summary: "A channel's coffee in numbers: people, rounds, groups and how many met",
      tags: ['admin'],
      security: SECURITY,
      params: channelParams,
      response: { 200: statsSchema, ...errorResponses }
    }
  }, async (request, reply) => {
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

  app.get<{ Params: { channel_id: string }, Querystring: { page: number, per_page: number } }>('/api/channels/:channel_id/rounds', {
    onRequest: checkAdmin,
    schema: {
      summary: "A channel's rounds, newest first, with their groups, message states and answers",
      tags: ['admin'],
      security: SECURITY,
      params: channelParams,
      querystring: {
        type: 'object',
        properties: {
          page: { type: 'integer', minimum: 0, maximum: PAGE_MAX, default: 0, description: 'Zero-based page' },
          per_page: { type: 'integer', minimum: 1, maximum: PER_PAGE_MAX, default: PER_PAGE_DEFAULT }
        }
      },
      response: { 200: roundsSchema, ...errorResponses }
    }
  }, async (request, reply) => {
    const program = await stats.programRef(request.params.channel_id)
    if (program === null) throw new ChannelNotSetUp(request.params.channel_id)
    const { page, per_page: perPage } = request.query
    const result = await stats.roundsPage(program.id, { page, perPage })
    return { page, per_page: perPage, total: result.total, rounds: result.rounds.map(roundJson) }
  })
}

/** The name requireAdmin gives its hook: how the document tells which routes need the bearer token. */
const ADMIN_HOOK = requireAdmin(undefined).name

function needsAdmin (route: RouteOptions): boolean {
  const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]
  return hooks.some((hook) => typeof hook === 'function' && hook.name === ADMIN_HOOK)
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
    },
    // Routes guarded by requireAdmin but written before this document existed (POST /rounds) say so here.
    transform ({ schema, url, route }) {
      if (!needsAdmin(route) || schema?.security !== undefined) return { schema, url }
      return { schema: { ...schema, security: SECURITY }, url }
    }
  })

  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
