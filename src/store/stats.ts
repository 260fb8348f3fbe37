// Read-only numbers and history for /coffee stats, /coffee history and the admin API. A program can hold 10,000
// people and a year of weekly rounds (hundreds of thousands of groups), so every method is a fixed handful of
// queries whatever the size: each group keeps whether it was asked and its outcome, and only small summaries come back to Node.
import type { PrismaClient, DeliveryKind, DeliveryState } from '../generated/prisma/client.js'
import { outcomeTotals, type Answer, type GroupOutcome, type OutcomeCount, type OutcomeTotals } from '../core/outcomes.js'

export type { Answer, GroupOutcome, OutcomeTotals }

export interface ProgramRef {
  id: number
  channelId: string
  channelName: string
}

export interface RoundTrend {
  number: number
  startedAt: Date
  /** People who could take part in the round. */
  eligible: number
  /** Groups the round made. */
  groups: number
  /** Over the groups that were asked "did you meet?" (outcomes.groups counts those). */
  outcomes: OutcomeTotals
}

export interface ProgramStats {
  /** Everyone who ever had a row in the program, including those who left. */
  participants: number
  /** Taking part and not paused right now. */
  active: number
  rounds: number
  /** Groups ever made; outcomes.groups counts the ones that were asked. */
  groups: number
  outcomes: OutcomeTotals
  /** The latest rounds, oldest first. */
  trend: RoundTrend[]
}

export interface Person {
  userId: string
  username: string
}

export interface HistoryEntry {
  roundNumber: number
  /** From another tool (an imported round): never asked, numbered 0 and below. */
  imported: boolean
  startedAt: Date
  /** The other members of the group. */
  others: Person[]
  /** Whether the follow-up ("did you meet?") went out to the group. */
  asked: boolean
  outcome: GroupOutcome
  /** What this person answered, if anything. */
  answer: Answer | null
  /** The others in the group this person said (or was told, by their click) they already know: never grouped again. */
  acquainted: Person[]
}

/** The group messages whose state an admin may want to see; alone and autopause are direct messages. */
export const GROUP_DELIVERY_KINDS = ['intro', 'followup', 'reminder'] as const satisfies readonly DeliveryKind[]
export type GroupDeliveryKind = typeof GROUP_DELIVERY_KINDS[number]

export interface DeliveryStatus {
  state: DeliveryState
  postId: string | null
}

export interface MemberRecord extends Person {
  answer: Answer | null
  answeredAt: Date | null
}

export interface GroupRecord {
  index: number
  /** The Mattermost group message, once created. */
  channelId: string | null
  members: MemberRecord[]
  /** null: not created (yet) for this group. */
  deliveries: Record<GroupDeliveryKind, DeliveryStatus | null>
  asked: boolean
  outcome: GroupOutcome
}

export interface RoundRecord {
  number: number
  startedAt: Date
  followupAt: Date
  groupSize: number
  eligibleCount: number
  /** History from another tool (POST /api/channels/:id/history): nothing was sent for it. */
  imported: boolean
  groups: GroupRecord[]
}

export interface RoundsPage {
  /** Rounds in the program, on every page. */
  total: number
  /** Newest first. */
  rounds: RoundRecord[]
}

/** One row per round and kind of group: how many groups had which answers, and whether they were asked. */
interface OutcomeCountRow {
  number: number
  startedAt: Date
  eligible: number
  /** null (with count 0) for a round without groups. */
  asked: boolean | null
  outcome: GroupOutcome | null
  count: number
}

/** No limit on a round's groups (an int4, as Group.index is). */
const ALL_GROUPS = 2 ** 31 - 1

export function createStatsStore (prisma: PrismaClient) {
  return {
    programRef (channelId: string): Promise<ProgramRef | null> {
      return prisma.program.findUnique({ where: { channelId }, select: { id: true, channelId: true, channelName: true } })
    },

    /** Every program, by channel name (a system admin's list of dashboards). */
    programRefs (): Promise<ProgramRef[]> {
      return prisma.program.findMany({ orderBy: [{ channelName: 'asc' }, { id: 'asc' }], select: { id: true, channelId: true, channelName: true } })
    },

    /** A program with its settings; null when Coffee never ran in the channel. */
    program (channelId: string) {
      return prisma.program.findUnique({ where: { channelId } })
    },

    /** Everyone with a row in the program, for eligibility person by person. */
    participants (programId: number) {
      return prisma.participant.findMany({
        where: { programId },
        orderBy: { id: 'asc' },
        select: { id: true, userId: true, username: true, status: true, skipNext: true, pausedUntil: true, autoPausedAt: true, leftAt: true }
      })
    },

    /** The participant of a program with this username (as Coffee last saw it), if any. */
    participantByUsername (programId: number, username: string): Promise<Person | null> {
      return prisma.participant.findFirst({ where: { programId, username }, orderBy: { id: 'asc' }, select: { userId: true, username: true } })
    },

    async programStats (programId: number, { now, trendRounds = 8 }: { now: Date, trendRounds?: number }): Promise<ProgramStats> {
      // Two statements at once: on Postgres each has its own connection (PGlite runs them one after the other).
      const peopleQuery = prisma.$queryRaw<{ participants: number, active: number }[]>`
        SELECT count(*)::int AS participants,
               (count(*) FILTER (WHERE status = 'active' AND "autoPausedAt" IS NULL
                                   AND ("pausedUntil" IS NULL OR "pausedUntil" <= ${now})))::int AS active
        FROM "Participant"
        WHERE "programId" = ${programId}`
      // Each group keeps whether it was asked and what its answers add up to (recordResults, recordAnswer), so this
      // counts groups per round without reading a single answer or delivery: a few rows per round however many groups.
      const rowsQuery = prisma.$queryRaw<OutcomeCountRow[]>`
        SELECT r.number, r."startedAt" AS "startedAt", r."eligibleCount" AS eligible,
               g."askedAt" IS NOT NULL AS asked, g.outcome::text AS outcome, count(g.id)::int AS count
        FROM "Round" r
        LEFT JOIN "Group" g ON g."roundId" = r.id
        WHERE r."programId" = ${programId}
        GROUP BY r.id, g."askedAt" IS NOT NULL, g.outcome
        ORDER BY r.number`
      const [[people], rows] = await Promise.all([peopleQuery, rowsQuery])

      const rounds = new Map<number, { startedAt: Date, eligible: number, groups: number, asked: OutcomeCount[] }>()
      for (const row of rows) {
        let round = rounds.get(row.number)
        if (round === undefined) {
          round = { startedAt: row.startedAt, eligible: row.eligible, groups: 0, asked: [] }
          rounds.set(row.number, round)
        }
        round.groups += row.count
        if (row.asked === true && row.outcome !== null) round.asked.push({ outcome: row.outcome, count: row.count })
      }
      const all = [...rounds.entries()]
      return {
        participants: people?.participants ?? 0,
        active: people?.active ?? 0,
        rounds: all.length,
        groups: all.reduce((sum, [, round]) => sum + round.groups, 0),
        outcomes: outcomeTotals(all.flatMap(([, round]) => round.asked)),
        trend: all.slice(Math.max(0, all.length - trendRounds)).map(([number, round]) => ({
          number,
          startedAt: round.startedAt,
          eligible: round.eligible,
          groups: round.groups,
          outcomes: outcomeTotals(round.asked)
        }))
      }
    },

    /** A person's latest groups in a program, newest first, with whom there they already knew; null when they never took part there. */
    async personHistory (programId: number, userId: string, limit = 10): Promise<HistoryEntry[] | null> {
      const participant = await prisma.participant.findUnique({
        where: { programId_userId: { programId, userId } },
        select: { id: true, acquaintedAsA: { select: { participantB: { select: { userId: true } } } }, acquaintedAsB: { select: { participantA: { select: { userId: true } } } } }
      })
      if (participant === null) return null
      const acquainted = new Set([...participant.acquaintedAsA.map((a) => a.participantB.userId), ...participant.acquaintedAsB.map((a) => a.participantA.userId)])
      const groups = await prisma.group.findMany({
        where: { members: { some: { participantId: participant.id } } },
        orderBy: { round: { number: 'desc' } },
        take: limit,
        select: {
          round: { select: { number: true, startedAt: true, imported: true } },
          members: { select: { participant: { select: { userId: true, username: true } } } },
          askedAt: true,
          outcome: true,
          outcomes: { select: { userId: true, answer: true } }
        }
      })
      return groups.map((group) => ({
        roundNumber: group.round.number,
        imported: group.round.imported,
        startedAt: group.round.startedAt,
        others: group.members.map((m) => m.participant).filter((p) => p.userId !== userId).sort(byUsername),
        asked: group.askedAt !== null,
        outcome: group.outcome,
        answer: group.outcomes.find((o) => o.userId === userId)?.answer ?? null,
        acquainted: group.members.map((m) => m.participant).filter((p) => acquainted.has(p.userId)).sort(byUsername)
      }))
    },

    /**
     * One page of the program's rounds, newest first, with everything about their groups: all of them, or the first
     * `groups` of each round (by index), for a page that shows a 1,000-group round a hundred groups at a time.
     */
    async roundsPage (programId: number, { page, perPage, groups: groupLimit = ALL_GROUPS }: { page: number, perPage: number, groups?: number }): Promise<RoundsPage> {
      const [total, rounds] = await Promise.all([
        prisma.round.count({ where: { programId } }),
        prisma.round.findMany({
          where: { programId },
          orderBy: { number: 'desc' },
          skip: page * perPage,
          take: perPage,
          select: { id: true, number: true, startedAt: true, followupAt: true, groupSize: true, eligibleCount: true, imported: true }
        })
      ])
      if (rounds.length === 0) return { total, rounds: [] }
      // The page is a contiguous run of round numbers, so a range on the (programId, number) index selects its
      // groups without shipping thousands of ids back to the database.
      const low = rounds[rounds.length - 1]!.number
      const high = rounds[0]!.number
      const membersQuery = prisma.$queryRaw<{ groupId: number, roundId: number, index: number, channelId: string | null, asked: boolean, outcome: GroupOutcome, userId: string | null, username: string | null }[]>`
        SELECT g.id AS "groupId", g."roundId" AS "roundId", g.index, g."channelId" AS "channelId",
               g."askedAt" IS NOT NULL AS asked, g.outcome::text AS outcome, p."userId" AS "userId", p.username
        FROM "Round" r
        JOIN "Group" g ON g."roundId" = r.id
        LEFT JOIN "GroupMember" gm ON gm."groupId" = g.id
        LEFT JOIN "Participant" p ON p.id = gm."participantId"
        WHERE r."programId" = ${programId} AND r.number BETWEEN ${low} AND ${high} AND g.index < ${groupLimit}
        ORDER BY g."roundId", g.index`
      const outcomesQuery = prisma.$queryRaw<{ groupId: number, userId: string, answer: Answer, answeredAt: Date }[]>`
        SELECT o."groupId" AS "groupId", o."userId" AS "userId", o.answer::text AS answer, o."answeredAt" AS "answeredAt"
        FROM "Round" r
        JOIN "Group" g ON g."roundId" = r.id
        JOIN "Outcome" o ON o."groupId" = g.id
        WHERE r."programId" = ${programId} AND r.number BETWEEN ${low} AND ${high} AND g.index < ${groupLimit}`
      const deliveriesQuery = prisma.$queryRaw<{ groupId: number, kind: GroupDeliveryKind, state: DeliveryState, postId: string | null }[]>`
        SELECT d."groupId" AS "groupId", d.kind::text AS kind, d.state::text AS state, d."postId" AS "postId"
        FROM "Round" r
        JOIN "Delivery" d ON d."roundId" = r.id
        JOIN "Group" g ON g.id = d."groupId"
        WHERE r."programId" = ${programId} AND r.number BETWEEN ${low} AND ${high} AND g.index < ${groupLimit}
          AND d.kind IN ('intro', 'followup', 'reminder')
        ORDER BY d.id`
      const [members, outcomes, deliveries] = await Promise.all([membersQuery, outcomesQuery, deliveriesQuery])

      const answersOf = new Map<number, Map<string, { answer: Answer, answeredAt: Date }>>()
      for (const row of outcomes) {
        let answers = answersOf.get(row.groupId)
        if (answers === undefined) answersOf.set(row.groupId, answers = new Map())
        answers.set(row.userId, { answer: row.answer, answeredAt: row.answeredAt })
      }
      const deliveriesOf = new Map<number, Record<GroupDeliveryKind, DeliveryStatus | null>>()
      for (const row of deliveries) {
        let byKind = deliveriesOf.get(row.groupId)
        if (byKind === undefined) deliveriesOf.set(row.groupId, byKind = { intro: null, followup: null, reminder: null })
        // Ordered by id: should a kind ever repeat for a group, the latest one is the one that counts.
        byKind[row.kind] = { state: row.state, postId: row.postId }
      }
      const groupsOf = new Map<number, GroupRecord[]>()
      const groupById = new Map<number, GroupRecord>()
      for (const row of members) {
        let group = groupById.get(row.groupId)
        if (group === undefined) {
          const byKind = deliveriesOf.get(row.groupId) ?? { intro: null, followup: null, reminder: null }
          group = {
            index: row.index,
            channelId: row.channelId,
            members: [],
            deliveries: byKind,
            asked: row.asked,
            outcome: row.outcome
          }
          groupById.set(row.groupId, group)
          const list = groupsOf.get(row.roundId)
          if (list === undefined) groupsOf.set(row.roundId, [group])
          else list.push(group)
        }
        if (row.userId === null) continue
        const answer = answersOf.get(row.groupId)?.get(row.userId)
        group.members.push({ userId: row.userId, username: row.username ?? '', answer: answer?.answer ?? null, answeredAt: answer?.answeredAt ?? null })
      }
      for (const group of groupById.values()) group.members.sort(byUsername)
      return {
        total,
        rounds: rounds.map(({ id, ...round }) => ({ ...round, groups: groupsOf.get(id) ?? [] }))
      }
    }
  }
}

function byUsername (a: Person, b: Person): number {
  return a.username.localeCompare(b.username) || a.userId.localeCompare(b.userId)
}

export type StatsStore = ReturnType<typeof createStatsStore>
