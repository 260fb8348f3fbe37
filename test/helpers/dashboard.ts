// The dashboard's way in, as a person uses it: /coffee dashboard, then the link it answers with.
import type { PrismaClient } from '../../src/generated/prisma/client.js'
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

export interface SeedPerson {
  userId: string
  username: string
}

/**
 * A year of weekly rounds written straight into the database (the matcher is not what is measured): groups of two,
 * every follow-up sent, about 60% of groups answering "we met" and some "not yet". Returns the program id.
 */
export async function seedRounds (prisma: PrismaClient, { channelId, teamId, people, rounds, start }: {
  channelId: string
  teamId: string
  people: readonly SeedPerson[]
  rounds: number
  start: Date
}): Promise<number> {
  const program = await prisma.program.create({ data: { channelId, teamId, channelName: 'town-square', createdAt: start } })
  const participants = await prisma.participant.createManyAndReturn({
    data: people.map((p) => ({ programId: program.id, userId: p.userId, username: p.username, joinedAt: start })),
    select: { id: true, userId: true }
  })
  for (let r = 0; r < rounds; r++) {
    const startedAt = new Date(start.getTime() + r * 7 * 24 * 3600_000)
    // Attendance grows over the year: a fifth of the people at first, everyone by the end.
    const taking = participants.slice(0, Math.max(2, Math.round(participants.length * (0.2 + 0.8 * r / Math.max(1, rounds - 1)))) & ~1)
    const round = await prisma.round.create({ data: { programId: program.id, number: r + 1, startedAt, followupAt: new Date(startedAt.getTime() + 72 * 3600_000), groupSize: 2, eligibleCount: taking.length } })
    const shift = (r * 7) % taking.length
    const order = [...taking.slice(shift), ...taking.slice(0, shift)]
    const groups = await prisma.group.createManyAndReturn({
      data: Array.from({ length: order.length / 2 }, (_, index) => ({ roundId: round.id, index, icebreakers: ['Coffee or tea?'] })),
      select: { id: true, index: true }
    })
    await prisma.groupMember.createMany({ data: groups.flatMap((g) => [order[2 * g.index]!, order[2 * g.index + 1]!].map((p) => ({ groupId: g.id, participantId: p.id }))) })
    const asked = r < rounds - 1 ? groups : groups.slice(0, Math.floor(groups.length / 2))
    await prisma.delivery.createMany({ data: asked.map((g) => ({ dedupeKey: `followup:${g.id}`, kind: 'followup' as const, roundId: round.id, groupId: g.id, state: 'sent' as const, nextAttemptAt: startedAt, sentAt: startedAt })) })
    await prisma.outcome.createMany({
      data: asked.flatMap((g) => {
        // A met rate that drifts between 40% and 80% over the year, so the chart has something to show.
        const roll = (g.index * 7 + r * 13) % 10
        const met = 4 + Math.round(2 + 2 * Math.sin(r / 5))
        if (roll >= 9) return []
        return [{ groupId: g.id, userId: order[2 * g.index]!.userId, answer: roll < met ? 'met' as const : 'not_yet' as const, answeredAt: startedAt }]
      })
    })
  }
  return program.id
}
