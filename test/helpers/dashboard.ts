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
 * Planned in JavaScript, written with one INSERT … SELECT FROM unnest(…) per table (times as UTC ISO text): through
 * Prisma's createMany, round by round, it took most of a minute on a loaded machine.
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
  const plans = Array.from({ length: rounds }, (_, r) => {
    const startedAt = new Date(start.getTime() + r * 7 * 24 * 3600_000)
    // Attendance grows over the year: a fifth of the people at first, everyone by the end.
    const taking = participants.slice(0, Math.max(2, Math.round(participants.length * (0.2 + 0.8 * r / Math.max(1, rounds - 1)))) & ~1)
    const shift = (r * 7) % taking.length
    const order = [...taking.slice(shift), ...taking.slice(0, shift)]
    return { number: r + 1, startedAt, order, groups: order.length / 2, asked: r < rounds - 1 ? order.length / 2 : Math.floor(order.length / 4) }
  })
  const made = await prisma.round.createManyAndReturn({
    data: plans.map((p) => ({ programId: program.id, number: p.number, startedAt: p.startedAt, followupAt: new Date(p.startedAt.getTime() + 72 * 3600_000), groupSize: 2, eligibleCount: p.order.length })),
    select: { id: true, number: true }
  })
  const roundIdOf = new Map(made.map((r) => [r.number, r.id]))
  const groupRounds: number[] = []
  const groupIndexes: number[] = []
  for (const plan of plans) {
    for (let index = 0; index < plan.groups; index++) { groupRounds.push(roundIdOf.get(plan.number)!); groupIndexes.push(index) }
  }
  const groups = await prisma.$queryRaw<{ id: number, roundId: number, index: number }[]>`
    INSERT INTO "Group" ("roundId", index, icebreakers)
    SELECT g."roundId", g.index, ARRAY['Coffee or tea?'] FROM unnest(${groupRounds}::int[], ${groupIndexes}::int[]) AS g("roundId", index)
    RETURNING id, "roundId", index`
  const groupIdOf = new Map(groups.map((g) => [`${g.roundId}:${g.index}`, g.id]))
  const members: [number[], number[]] = [[], []]
  const asked: [number[], number[], string[]] = [[], [], []]
  const outcomes: [number[], string[], string[], string[]] = [[], [], [], []]
  for (const [r, plan] of plans.entries()) {
    const roundId = roundIdOf.get(plan.number)!
    for (let index = 0; index < plan.groups; index++) {
      const groupId = groupIdOf.get(`${roundId}:${index}`)!
      for (const p of [plan.order[2 * index]!, plan.order[2 * index + 1]!]) { members[0].push(groupId); members[1].push(p.id) }
      if (index >= plan.asked) continue
      asked[0].push(roundId); asked[1].push(groupId); asked[2].push(plan.startedAt.toISOString())
      // A met rate that drifts between 40% and 80% over the year, so the chart has something to show.
      const roll = (index * 7 + r * 13) % 10
      const met = 4 + Math.round(2 + 2 * Math.sin(r / 5))
      if (roll >= 9) continue
      outcomes[0].push(groupId); outcomes[1].push(plan.order[2 * index]!.userId); outcomes[2].push(roll < met ? 'met' : 'not_yet'); outcomes[3].push(plan.startedAt.toISOString())
    }
  }
  await prisma.$executeRaw`
    INSERT INTO "GroupMember" ("groupId", "participantId") SELECT * FROM unnest(${members[0]}::int[], ${members[1]}::int[])`
  await prisma.$executeRaw`
    INSERT INTO "Delivery" ("dedupeKey", kind, "roundId", "groupId", state, "nextAttemptAt", "sentAt")
    SELECT 'followup:' || d."groupId", 'followup', d."roundId", d."groupId", 'sent', d.at, d.at
    FROM unnest(${asked[0]}::int[], ${asked[1]}::int[], ${asked[2]}::text[]::timestamp[]) AS d("roundId", "groupId", at)`
  await prisma.$executeRaw`
    INSERT INTO "Outcome" ("groupId", "userId", answer, "answeredAt")
    SELECT o."groupId", o."userId", o.answer::"OutcomeAnswer", o.at
    FROM unnest(${outcomes[0]}::int[], ${outcomes[1]}::text[], ${outcomes[2]}::text[], ${outcomes[3]}::text[]::timestamp[]) AS o("groupId", "userId", answer, at)`
  // What the service keeps on each group as follow-ups go out and answers come in (one answer per group here).
  await prisma.$executeRaw`
    UPDATE "Group" g SET "askedAt" = d.at FROM unnest(${asked[1]}::int[], ${asked[2]}::text[]::timestamp[]) AS d("groupId", at) WHERE g.id = d."groupId"`
  await prisma.$executeRaw`
    UPDATE "Group" g SET outcome = o.answer::"GroupOutcome" FROM unnest(${outcomes[0]}::int[], ${outcomes[2]}::text[]) AS o("groupId", answer) WHERE g.id = o."groupId"`
  // Every round's pass leaves the planner statistics current (store.refreshStatistics); a year of them would have.
  await prisma.$executeRawUnsafe('ANALYZE')
  return program.id
}
