// Rounds, groups and the delivery outbox. The database is what keeps several instances from doubling work:
// a round is created under a row lock on its program (and (programId, number) is unique), and deliveries are
// claimed with FOR UPDATE SKIP LOCKED plus a lease.
import type { PrismaClient, Program, Participant, Delivery, DeliveryKind } from '../generated/prisma/client.js'
import type { PastGroup } from '../core/matching/index.js'

export type { Delivery, DeliveryKind }

export interface ProgramWithLastRound extends Program {
  lastRoundId: number | null
  lastSlot: Date | null
  lastNumber: number | null
}

export interface NewRound {
  programId: number
  /** The latest round number seen while planning; the round is not created if another instance moved on. */
  expectedLastNumber: number | null
  slot: Date
  now: Date
  followupAt: Date
  groupSize: number
  eligibleCount: number
  /** Channel members taking part for the first time (everyone-here mode): rows to create. */
  newParticipants: { userId: string, username: string }[]
  groups: { userIds: string[], icebreaker: string }[]
  alone: string[]
  /** Participants whose "skip the next round" this round used up. */
  skipsUsed: number[]
  /** Participants this round pauses for not answering; each is told in a direct message. */
  autoPaused: { id: number, userId: string }[]
}

function chunks<T> (items: readonly T[], size = 1000): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Kinds sent in this order within a batch: a follow-up goes out before the next intro. */
const KIND_ORDER = "CASE kind WHEN 'followup' THEN 0 WHEN 'reminder' THEN 1 WHEN 'autopause' THEN 2 WHEN 'intro' THEN 3 ELSE 4 END"

export function createRoundsStore (prisma: PrismaClient) {
  return {
    async programs ({ channelId }: { channelId?: string } = {}): Promise<ProgramWithLastRound[]> {
      const programs = await prisma.program.findMany({
        where: channelId === undefined ? {} : { channelId },
        include: { rounds: { orderBy: { number: 'desc' }, take: 1, select: { id: true, startedAt: true, number: true } } },
        orderBy: { id: 'asc' }
      })
      return programs.map(({ rounds, ...program }) => ({ ...program, lastRoundId: rounds[0]?.id ?? null, lastSlot: rounds[0]?.startedAt ?? null, lastNumber: rounds[0]?.number ?? null }))
    },

    participants (programId: number): Promise<Participant[]> {
      return prisma.participant.findMany({ where: { programId } })
    },

    /** Every earlier group of the program, as user ids, for the matcher. */
    async pastGroups (programId: number): Promise<PastGroup[]> {
      const rows = await prisma.$queryRaw<{ groupId: number, round: number, userId: string }[]>`
        SELECT g.id AS "groupId", r.number AS round, p."userId" AS "userId"
        FROM "GroupMember" gm
        JOIN "Group" g ON g.id = gm."groupId"
        JOIN "Round" r ON r.id = g."roundId"
        JOIN "Participant" p ON p.id = gm."participantId"
        WHERE r."programId" = ${programId}
        ORDER BY g.id`
      const groups = new Map<number, PastGroup & { members: string[] }>()
      for (const row of rows) {
        let group = groups.get(row.groupId)
        if (group === undefined) {
          group = { round: Number(row.round), members: [] }
          groups.set(row.groupId, group)
        }
        group.members.push(row.userId)
      }
      return [...groups.values()]
    },

    /** Blocks that involve any of these people, in either direction. */
    async blocks (userIds: string[]): Promise<[string, string][]> {
      if (userIds.length === 0) return []
      const rows = await prisma.block.findMany({ where: { OR: [{ blockerId: { in: userIds } }, { blockedId: { in: userIds } }] } })
      return rows.map((b) => [b.blockerId, b.blockedId])
    },

    /** Commits a planned round with its groups and its intro deliveries; null when another instance got there first. */
    async createRound (plan: NewRound) {
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Program" WHERE id = ${plan.programId} FOR UPDATE`
        const latest = await tx.round.findFirst({ where: { programId: plan.programId }, orderBy: { number: 'desc' }, select: { number: true } })
        if ((latest?.number ?? null) !== plan.expectedLastNumber) return null

        if (plan.newParticipants.length > 0) {
          await tx.participant.createMany({
            data: plan.newParticipants.map((p) => ({ programId: plan.programId, userId: p.userId, username: p.username, joinedAt: plan.now })),
            skipDuplicates: true
          })
        }
        const userIds = [...plan.groups.flatMap((g) => g.userIds), ...plan.alone]
        const rows = await tx.participant.findMany({ where: { programId: plan.programId, userId: { in: userIds } }, select: { id: true, userId: true } })
        const participantId = new Map(rows.map((r) => [r.userId, r.id]))

        const round = await tx.round.create({
          data: {
            programId: plan.programId,
            number: (latest?.number ?? 0) + 1,
            startedAt: plan.slot,
            followupAt: plan.followupAt,
            groupSize: plan.groupSize,
            eligibleCount: plan.eligibleCount,
            createdAt: plan.now
          }
        })
        // In chunks: one statement for 10,000 rows costs Prisma far more memory than ten of 1,000.
        const groups: { id: number, index: number }[] = []
        for (const part of chunks(plan.groups.map((g, index) => ({ roundId: round.id, index, icebreaker: g.icebreaker })))) {
          groups.push(...await tx.group.createManyAndReturn({ data: part, select: { id: true, index: true } }))
        }
        groups.sort((a, b) => a.index - b.index)
        for (const part of chunks(groups.flatMap((group) => plan.groups[group.index]!.userIds.map((userId) => ({ groupId: group.id, participantId: participantId.get(userId)! }))))) {
          await tx.groupMember.createMany({ data: part })
        }
        const deliveries = [
          ...groups.map((group) => ({ dedupeKey: `intro:${group.id}`, kind: 'intro' as const, roundId: round.id, groupId: group.id, nextAttemptAt: plan.now, createdAt: plan.now })),
          ...plan.alone.map((userId) => ({ dedupeKey: `alone:${round.id}:${userId}`, kind: 'alone' as const, roundId: round.id, userId, nextAttemptAt: plan.now, createdAt: plan.now }))
        ]
        for (const part of chunks(deliveries)) await tx.delivery.createMany({ data: part })
        if (plan.autoPaused.length > 0) {
          await tx.participant.updateMany({ where: { id: { in: plan.autoPaused.map((p) => p.id) } }, data: { autoPausedAt: plan.now } })
          await tx.delivery.createMany({
            data: plan.autoPaused.map((p) => ({ dedupeKey: `autopause:${round.id}:${p.userId}`, kind: 'autopause' as const, roundId: round.id, userId: p.userId, nextAttemptAt: plan.now, createdAt: plan.now })),
            skipDuplicates: true
          })
        }
        if (plan.skipsUsed.length > 0) {
          await tx.participant.updateMany({ where: { id: { in: plan.skipsUsed } }, data: { skipNext: false } })
        }
        return { round, groupIds: groups.map((g) => g.id) }
      }, { timeout: 120_000, maxWait: 30_000 })
    },

    /**
     * Takes up to `limit` deliveries that are due and not leased by another sender, leasing them until
     * `leaseUntil` and counting the attempt. SKIP LOCKED lets several instances share the outbox.
     */
    async claimDeliveries (now: Date, leaseUntil: Date, limit: number): Promise<Delivery[]> {
      return prisma.$queryRawUnsafe<Delivery[]>(`
        UPDATE "Delivery" SET "leaseUntil" = $2, attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM "Delivery"
          WHERE state = 'pending' AND "nextAttemptAt" <= $1 AND ("leaseUntil" IS NULL OR "leaseUntil" <= $1)
          ORDER BY ${KIND_ORDER}, id
          LIMIT $3
          FOR UPDATE SKIP LOCKED)
        RETURNING *`, now, leaseUntil, limit)
    },

    /** Counts an extra attempt on a delivery this sender already holds. */
    async countAttempt (id: number): Promise<number> {
      const row = await prisma.delivery.update({ where: { id }, data: { attempts: { increment: 1 } }, select: { attempts: true } })
      return row.attempts
    },

    /** What an intro or follow-up needs: the group's people and program. */
    groupToDeliver (groupId: number) {
      return prisma.group.findUniqueOrThrow({
        where: { id: groupId },
        include: {
          members: { include: { participant: { select: { userId: true, username: true } } } },
          outcomes: { select: { userId: true, answer: true }, orderBy: { answeredAt: 'asc' } },
          round: { include: { program: true } }
        }
      })
    },

    programOfRound (roundId: number) {
      return prisma.round.findUniqueOrThrow({ where: { id: roundId }, include: { program: true } })
    },

    /**
     * Remembers the channel before posting, so an interrupted send can be checked there later. An intro's group gets
     * it in the same statement: a retry never records the channel again once its delivery has one, so a crash
     * between two writes would leave the group without a channel (and its follow-up with nowhere to go) for good.
     */
    async recordChannel (delivery: Delivery, channelId: string): Promise<void> {
      if (delivery.groupId !== null && delivery.kind === 'intro') {
        await prisma.$executeRaw`
          WITH d AS (UPDATE "Delivery" SET "channelId" = ${channelId} WHERE id = ${delivery.id})
          UPDATE "Group" SET "channelId" = ${channelId} WHERE id = ${delivery.groupId}`
      } else {
        await prisma.delivery.update({ where: { id: delivery.id }, data: { channelId } })
      }
    },

    async markSent (id: number, postId: string, now: Date): Promise<void> {
      await prisma.delivery.update({ where: { id }, data: { state: 'sent', postId, sentAt: now, leaseUntil: null, lastError: null } })
    },

    async markRetry (id: number, nextAttemptAt: Date, error: string): Promise<void> {
      await prisma.delivery.update({ where: { id }, data: { nextAttemptAt, leaseUntil: null, lastError: error.slice(0, 1000) } })
    },

    /** A message that turned out to be unnecessary; it will never be sent. */
    async markSkipped (id: number, reason: string): Promise<void> {
      await prisma.delivery.update({ where: { id }, data: { state: 'skipped', leaseUntil: null, lastError: reason } })
    },

    async markFailed (id: number, error: string): Promise<void> {
      await prisma.delivery.update({ where: { id }, data: { state: 'failed', leaseUntil: null, lastError: error.slice(0, 1000) } })
    },

    async pendingCount (): Promise<number> {
      return prisma.delivery.count({ where: { state: 'pending' } })
    }
  }
}

export type RoundsStore = ReturnType<typeof createRoundsStore>
