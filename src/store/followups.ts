// Follow-ups, answers and reminders, and finding people who stopped answering.
import type { PrismaClient, OutcomeAnswer } from '../generated/prisma/client.js'
import { UNANSWERED_ROUNDS_BEFORE_PAUSE } from '../core/participation.js'
import { groupOutcome } from '../core/outcomes.js'

/** Follow-ups more than this late are not worth sending. */
const FOLLOWUP_HORIZON_MS = 30 * 24 * 60 * 60_000

export function createFollowupsStore (prisma: PrismaClient) {
  return {
    /**
     * Queues the "did you meet?" post for every group whose follow-up time has come (or whose program starts its
     * next round now: `roundIds`), once its intro went out. Idempotent: the dedupe key makes each follow-up once.
     */
    async enqueueFollowups (now: Date, roundIds: readonly number[] = []): Promise<number> {
      return prisma.$executeRaw`
        INSERT INTO "Delivery" ("dedupeKey", kind, "roundId", "groupId", "nextAttemptAt", "createdAt")
        SELECT 'followup:' || g.id, 'followup', g."roundId", g.id, ${now}, ${now}
        FROM "Group" g
        JOIN "Round" r ON r.id = g."roundId"
        JOIN "Delivery" intro ON intro."groupId" = g.id AND intro.kind = 'intro' AND intro.state = 'sent'
        WHERE ((r."followupAt" <= ${now} AND r."followupAt" > ${new Date(now.getTime() - FOLLOWUP_HORIZON_MS)}) OR r.id = ANY(${[...roundIds]}::int[]))
          AND NOT EXISTS (SELECT 1 FROM "Delivery" f WHERE f."dedupeKey" = 'followup:' || g.id)
        ON CONFLICT ("dedupeKey") DO NOTHING`
    },

    /** Everything a button click is checked against and answered with. */
    groupToAnswer (groupId: number) {
      return prisma.group.findUnique({
        where: { id: groupId },
        include: {
          // In the order the intro named them (the claim query's), so that an updated intro reads the same.
          members: { orderBy: { participantId: 'asc' }, include: { participant: { select: { id: true, userId: true, username: true, status: true, skipNext: true, pausedUntil: true, autoPausedAt: true } } } },
          deliveries: { where: { kind: { in: ['intro', 'followup', 'reminder'] } }, select: { kind: true, postId: true, dedupeKey: true, state: true, attempts: true } },
          outcomes: { orderBy: { answeredAt: 'asc' } },
          round: { include: { program: true } }
        }
      })
    },

    /**
     * Records (or replaces) a member's answer, keeps what the group's answers add up to on the group, and counts it
     * as a sign of life. The group's row is locked first, so two members answering at once each fold both answers.
     */
    async recordAnswer (groupId: number, participantId: number, userId: string, answer: OutcomeAnswer, now: Date): Promise<void> {
      await prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Group" WHERE id = ${groupId} FOR UPDATE`
        await tx.outcome.upsert({
          where: { groupId_userId: { groupId, userId } },
          create: { groupId, userId, answer, answeredAt: now },
          update: { answer, answeredAt: now }
        })
        const answers = await tx.outcome.findMany({ where: { groupId }, select: { answer: true } })
        await tx.group.update({ where: { id: groupId }, data: { outcome: groupOutcome(answers.map((a) => a.answer)) } })
        await tx.participant.update({ where: { id: participantId }, data: { lastSeenAt: now } })
      })
    },

    /**
     * The intro's "Skip next round": the same change as /coffee skip, made only if they are not skipping already (so
     * that two clicks at once agree on which one did it). A click is a visit. False when they were already skipping.
     */
    async skipNextRound (participantId: number, now: Date): Promise<boolean> {
      const { count } = await prisma.participant.updateMany({ where: { id: participantId, skipNext: false }, data: { skipNext: true, lastSeenAt: now } })
      return count > 0
    },

    /**
     * The intro's "We already know each other": records the pairs (each ordered, core/acquaintances.ts) that are not
     * recorded yet; a click is a visit. Answers how many pairs were new (0 when all were known: a second click changes
     * nothing) and every pair recorded under this group's intro so far, oldest first.
     */
    async recordAcquaintances ({ programId, groupId, recordedById, pairs, now }: { programId: number, groupId: number, recordedById: number, pairs: readonly [number, number][], now: Date }) {
      const [{ count }, , recorded] = await prisma.$transaction([
        prisma.acquaintance.createMany({
          data: pairs.map(([a, b]) => ({ programId, participantAId: a, participantBId: b, groupId, recordedById, createdAt: now })),
          skipDuplicates: true
        }),
        prisma.participant.update({ where: { id: recordedById }, data: { lastSeenAt: now } }),
        prisma.acquaintance.findMany({ where: { groupId }, orderBy: [{ createdAt: 'asc' }, { recordedById: 'asc' }], select: { participantAId: true, participantBId: true, recordedById: true } })
      ])
      return { added: count, recorded }
    },

    /** One reminder per group, ever. */
    async ensureReminder (groupId: number, roundId: number, at: Date, now: Date): Promise<boolean> {
      const { count } = await prisma.delivery.createMany({
        data: [{ dedupeKey: `reminder:${groupId}`, kind: 'reminder', roundId, groupId, nextAttemptAt: at, createdAt: now }],
        skipDuplicates: true
      })
      return count > 0
    },

    /**
     * Active participants whose last UNANSWERED_ROUNDS_BEFORE_PAUSE groups that were asked "did you meet?" with a fair
     * time to answer (`fairMs` between the follow-up and the next round, or `now` for the latest round) got no answer
     * from anyone, and who have not used Coffee since the first of those rounds.
     */
    async unresponsive (programId: number, { now, fairMs }: { now: Date, fairMs: number }): Promise<{ id: number, userId: string }[]> {
      return prisma.$queryRaw<{ id: number, userId: string }[]>`
        WITH asked AS (
          SELECT gm."participantId", r."createdAt" AS "roundAt",
                 EXISTS (SELECT 1 FROM "Outcome" o WHERE o."groupId" = g.id) AS answered,
                 row_number() OVER (PARTITION BY gm."participantId" ORDER BY r.number DESC) AS recency
          FROM "GroupMember" gm
          JOIN "Group" g ON g.id = gm."groupId"
          JOIN "Round" r ON r.id = g."roundId"
          JOIN "Delivery" f ON f."groupId" = g.id AND f.kind = 'followup' AND f.state = 'sent'
          WHERE r."programId" = ${programId}
            AND f."sentAt" + ${fairMs} * interval '1 millisecond' <= COALESCE(
              (SELECT min(n."createdAt") FROM "Round" n WHERE n."programId" = r."programId" AND n.number > r.number AND NOT n.imported),
              ${now})
        )
        SELECT p.id, p."userId"
        FROM "Participant" p
        JOIN asked a ON a."participantId" = p.id AND a.recency <= ${UNANSWERED_ROUNDS_BEFORE_PAUSE}
        WHERE p."programId" = ${programId} AND p.status = 'active' AND p."autoPausedAt" IS NULL
        GROUP BY p.id, p."userId", p."lastSeenAt"
        HAVING count(*) = ${UNANSWERED_ROUNDS_BEFORE_PAUSE}
           AND NOT bool_or(a.answered)
           AND (p."lastSeenAt" IS NULL OR p."lastSeenAt" <= min(a."roundAt"))`
    }
  }
}

export type FollowupsStore = ReturnType<typeof createFollowupsStore>
