// Rounds, groups and the delivery outbox. The database is what keeps several instances from doubling work:
// a round is created under a row lock on its program (and (programId, number) is unique), and deliveries are
// claimed with FOR UPDATE SKIP LOCKED plus a lease.
import type { PrismaClient, Program, Participant, Delivery, DeliveryKind, DeliveryState, OutcomeAnswer } from '../generated/prisma/client.js'
import { GroupHistory } from '../core/matching/index.js'
import type { RoundPlan } from '../core/plan-round.js'
import { ROUND_BOUND_KINDS } from '../core/staleness.js'
import { droppedOut, membersWhoSatOut, type GroupOutcome } from '../core/outcomes.js'

export type { Delivery, DeliveryKind, DeliveryState }

export interface ProgramWithLastRound extends Program {
  lastRoundId: number | null
  lastSlot: Date | null
  lastNumber: number | null
}

export interface NewRound {
  programId: number
  /** The latest round number seen while planning; the round is not created if another instance moved on. */
  expectedLastNumber: number | null
  now: Date
  plan: RoundPlan
}

/** A claimed delivery with everything its post is made from (one query for a whole batch). */
export interface DeliveryToSend {
  id: number
  dedupeKey: string
  kind: DeliveryKind
  roundId: number
  groupId: number | null
  userId: string | null
  attempts: number
  program: { channelId: string, channelName: string, mode: 'optin' | 'channel', followupHours: number, cadenceDays: number }
  round: { number: number, startedAt: Date, latestNumber: number }
  /** Announcements only: what the channel is told about this round and the one before. */
  announcement: {
    people: number
    groups: number
    /** What each of the previous round's groups that were asked "did you meet?" answered so far; null in round 1. */
    lastRound: GroupOutcome[] | null
  } | null
  /** Intros, follow-ups and reminders. */
  group: {
    id: number
    icebreakers: string[]
    /** The intro's line on when the members can meet ('' for none). */
    meetingWindow: string
    channelId: string | null
    /** Full names and positions as they were when the group was made ('' when none). */
    members: { userId: string, username: string, fullName: string, position: string }[]
    /** Follow-ups and reminders only (empty otherwise): the answers so far, oldest first. */
    outcomes: { userId: string, answer: OutcomeAnswer }[]
    /** Follow-ups and reminders only: the state of the group's intro. */
    introState: DeliveryState | null
    /** Reminders only: the follow-up post the reminder answers in the thread of (null if it was never posted). */
    followupPostId: string | null
  } | null
}

/**
 * What became of a claimed delivery; written for many deliveries in one statement. A sent one names the channel it
 * went to (an intro's becomes its group's).
 */
export type DeliveryResult =
  | { id: number, state: 'sent', channelId: string, postId: string, at: Date }
  | { id: number, state: 'pending', nextAttemptAt: Date, error: string }
  | { id: number, state: 'failed' | 'skipped' | 'superseded' | 'expired', error: string }

/** A timestamp(3) parameter inside an array (an array of Dates is not something every driver adapter sends). */
const sqlTimestamp = (date: Date | null) => date === null ? null : date.toISOString().slice(0, -1)

/** Kinds sent in this order within a batch: a follow-up goes out before the next intro. */
const kindOrder = (column: string) => `CASE ${column} WHEN 'followup' THEN 0 WHEN 'reminder' THEN 1 WHEN 'autopause' THEN 2 WHEN 'intro' THEN 3 ELSE 4 END`

/** One row of the claim query: the delivery's own columns, then its program, round and group flattened. */
interface ClaimRow extends Omit<DeliveryToSend, 'program' | 'round' | 'group' | 'announcement'> {
  programChannelId: string
  channelName: string
  mode: 'optin' | 'channel'
  followupHours: number
  cadenceDays: number
  roundNumber: number
  roundStartedAt: Date
  latestNumber: number
  icebreakers: string[] | null
  meetingWindow: string | null
  groupChannelId: string | null
  members: NonNullable<DeliveryToSend['group']>['members'] | null
  outcomes: { userId: string, answer: OutcomeAnswer }[] | null
  introState: DeliveryState | null
  followupPostId: string | null
  announcement: DeliveryToSend['announcement']
}

export function createRoundsStore (prisma: PrismaClient) {
  return {
    async programs ({ channelId }: { channelId?: string } = {}): Promise<ProgramWithLastRound[]> {
      const programs = await prisma.program.findMany({
        where: channelId === undefined ? {} : { channelId },
        // Imported rounds (history from another tool) never move the schedule.
        include: { rounds: { where: { imported: false }, orderBy: { number: 'desc' }, take: 1, select: { id: true, startedAt: true, number: true } } },
        orderBy: { id: 'asc' }
      })
      return programs.map(({ rounds, ...program }) => ({ ...program, lastRoundId: rounds[0]?.id ?? null, lastSlot: rounds[0]?.startedAt ?? null, lastNumber: rounds[0]?.number ?? null }))
    },

    /** Records what the channel admins were last told stops the rounds ('' once rounds run again). */
    async setNoticeCause (programId: number, cause: string): Promise<void> {
      await prisma.program.update({ where: { id: programId }, data: { noticeCause: cause } })
    },

    participants (programId: number): Promise<Participant[]> {
      return prisma.participant.findMany({ where: { programId } })
    },

    /**
     * Every earlier group of the program for the matcher, in columns (core/matching/history.ts), read a round at a
     * time so that a year of an everyone-channel never sits in memory as rows; and each member's starters in their
     * latest group, which their next group avoids.
     */
    async pastGroups (programId: number): Promise<{ history: GroupHistory, starters: Map<string, readonly string[]> }> {
      const rounds = await prisma.round.findMany({ where: { programId }, select: { id: true, number: true }, orderBy: { number: 'asc' } })
      const history = new GroupHistory()
      for (const round of rounds) {
        const rows = await prisma.$queryRaw<{ groupId: number, userId: string }[]>`
          SELECT gm."groupId" AS "groupId", p."userId" AS "userId"
          FROM "Group" g
          JOIN "GroupMember" gm ON gm."groupId" = g.id
          JOIN "Participant" p ON p.id = gm."participantId"
          WHERE g."roundId" = ${round.id}
          ORDER BY gm."groupId"`
        for (let i = 0; i < rows.length;) {
          const members: number[] = []
          const groupId = rows[i]!.groupId
          for (; i < rows.length && rows[i]!.groupId === groupId; i++) members.push(history.person(rows[i]!.userId))
          history.addGroup(round.number, members)
        }
      }
      const latest = await prisma.$queryRaw<{ userId: string, icebreakers: string[] }[]>`
        SELECT DISTINCT ON (p."userId") p."userId" AS "userId", to_json(g.icebreakers) AS icebreakers
        FROM "GroupMember" gm
        JOIN "Group" g ON g.id = gm."groupId"
        JOIN "Round" r ON r.id = g."roundId"
        JOIN "Participant" p ON p.id = gm."participantId"
        WHERE r."programId" = ${programId}
        ORDER BY p."userId", r.number DESC`
      return { history, starters: new Map(latest.map((row) => [row.userId, row.icebreakers])) }
    },

    /**
     * Who sat out the program's latest round: left alone, or in a group that could not meet or whose other members
     * all dropped out (core/outcomes.ts membersWhoSatOut). Fair turns put them first in the next round.
     */
    async satOut (programId: number): Promise<string[]> {
      const round = await prisma.round.findFirst({
        where: { programId, imported: false },
        orderBy: { number: 'desc' },
        select: {
          createdAt: true,
          deliveries: { where: { kind: 'alone' }, select: { userId: true } },
          groups: {
            select: {
              members: { select: { participant: { select: { userId: true, status: true, skipNext: true, pausedUntil: true, autoPausedAt: true } } } },
              outcome: true
            }
          }
        }
      })
      if (round === null) return []
      const alone = round.deliveries.flatMap((d) => d.userId ?? [])
      const unmet = round.groups.flatMap((g) => membersWhoSatOut(
        g.outcome,
        g.members.map(({ participant }) => ({ userId: participant.userId, droppedOut: droppedOut(participant, round.createdAt) }))
      ))
      return [...new Set([...alone, ...unmet])]
    },

    /** Blocks that involve any of these people, in either direction. */
    async blocks (userIds: string[]): Promise<[string, string][]> {
      if (userIds.length === 0) return []
      // The ids go as one array: `in: userIds` sends a parameter per id, over Postgres's 65,535 in an everyone-channel.
      const rows = await prisma.$queryRaw<{ blockerId: string, blockedId: string }[]>`
        SELECT "blockerId", "blockedId" FROM "Block" WHERE "blockerId" = ANY(${userIds}::text[]) OR "blockedId" = ANY(${userIds}::text[])`
      return rows.map((b) => [b.blockerId, b.blockedId])
    },

    /** Pairs who said they already know each other in this program (as user ids): the matcher never groups them. */
    async acquaintedPairs (programId: number): Promise<[string, string][]> {
      const rows = await prisma.acquaintance.findMany({
        where: { programId },
        select: { participantA: { select: { userId: true } }, participantB: { select: { userId: true } } }
      })
      return rows.map((row) => [row.participantA.userId, row.participantB.userId])
    },

    /**
     * Commits a planned round with its groups and its messages; null when another instance got there first. One
     * statement per table, whatever the round's size: rows go in as arrays (unnest), and each count is checked.
     */
    async createRound ({ programId, expectedLastNumber, now, plan }: NewRound) {
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Program" WHERE id = ${programId} FOR UPDATE`
        const latest = await tx.round.findFirst({ where: { programId, imported: false }, orderBy: { number: 'desc' }, select: { number: true } })
        if ((latest?.number ?? null) !== expectedLastNumber || plan.number !== (latest?.number ?? 0) + 1) return null
        const expect = (what: string, count: number | bigint, expected: number) => {
          if (Number(count) !== expected) throw new Error(`creating round ${plan.number}: ${Number(count)} ${what} written, ${expected} planned`)
        }

        if (plan.newParticipants.length > 0) {
          await tx.$executeRaw`
            INSERT INTO "Participant" ("programId", "userId", username, "joinedAt", "updatedAt")
            SELECT ${programId}, u."userId", u.username, ${now}, ${now}
            FROM unnest(${plan.newParticipants.map((p) => p.userId)}::text[], ${plan.newParticipants.map((p) => p.username)}::text[]) AS u("userId", username)
            ON CONFLICT ("programId", "userId") DO NOTHING`
        }
        const round = await tx.round.create({
          data: { programId, number: plan.number, startedAt: plan.slot, followupAt: plan.followupAt, groupSize: plan.groupSize, eligibleCount: plan.eligibleCount, createdAt: now }
        })
        const indexes = plan.groups.map((_, index) => index)
        expect('groups', await tx.$executeRaw`
          INSERT INTO "Group" ("roundId", index, icebreakers, "meetingWindow")
          SELECT ${round.id}, u.index, ARRAY(SELECT jsonb_array_elements_text(u.icebreakers)), u."meetingWindow"
          FROM unnest(${indexes}::int[], ${plan.groups.map((g) => JSON.stringify(g.icebreakers))}::jsonb[], ${plan.groups.map((g) => g.meetingWindow)}::text[]) AS u(index, icebreakers, "meetingWindow")`, plan.groups.length)
        const memberIndexes = plan.groups.flatMap((g, index) => g.userIds.map(() => index))
        expect('group members', await tx.$executeRaw`
          INSERT INTO "GroupMember" ("groupId", "participantId", "fullName", position)
          SELECT g.id, p.id, u."fullName", u.position
          FROM unnest(${memberIndexes}::int[], ${plan.groups.flatMap((g) => g.userIds)}::text[],
                      ${plan.groups.flatMap((g) => g.names.map((n) => n.fullName))}::text[], ${plan.groups.flatMap((g) => g.names.map((n) => n.position))}::text[])
            AS u(index, "userId", "fullName", position)
          JOIN "Group" g ON g."roundId" = ${round.id} AND g.index = u.index
          JOIN "Participant" p ON p."programId" = ${programId} AND p."userId" = u."userId"`, memberIndexes.length)
        const messages = [
          ...plan.groups.map((g, index) => ({ key: g.introKey, kind: 'intro', index, userId: null })),
          ...plan.alone.map((a) => ({ key: a.key, kind: 'alone', index: null, userId: a.userId })),
          ...plan.autoPaused.map((p) => ({ key: p.key, kind: 'autopause', index: null, userId: p.userId })),
          ...(plan.announceKey === null ? [] : [{ key: plan.announceKey, kind: 'announce', index: null, userId: null }])
        ]
        expect('deliveries', await tx.$executeRaw`
          INSERT INTO "Delivery" ("dedupeKey", kind, "roundId", "groupId", "userId", "nextAttemptAt", "createdAt")
          SELECT u.key, u.kind::"DeliveryKind", ${round.id}, g.id, u."userId", ${now}, ${now}
          FROM unnest(${messages.map((m) => m.key)}::text[], ${messages.map((m) => m.kind)}::text[], ${messages.map((m) => m.index)}::int[], ${messages.map((m) => m.userId)}::text[])
            AS u(key, kind, index, "userId")
          LEFT JOIN "Group" g ON g."roundId" = ${round.id} AND g.index = u.index`, messages.length)
        // As arrays, like the inserts above: a parameter per id could pass Postgres's 65,535 in a large program.
        if (plan.autoPaused.length > 0) {
          await tx.$executeRaw`UPDATE "Participant" SET "autoPausedAt" = ${now} WHERE id = ANY(${plan.autoPaused.map((p) => p.id)}::int[])`
        }
        if (plan.skipsUsed.length > 0) {
          await tx.$executeRaw`UPDATE "Participant" SET "skipNext" = false WHERE id = ANY(${plan.skipsUsed}::int[])`
        }
        return { round }
      }, { timeout: 120_000, maxWait: 30_000 })
    },

    /**
     * Takes up to `limit` deliveries that are due and not leased by another sender, leasing them until
     * `leaseUntil` and counting the attempt, with what their posts are made from: one statement for the batch.
     * SKIP LOCKED lets several instances share the outbox. Intros of a superseded round come too, due or not, so
     * that they are retired (never sent) in the pass that started the newer round; those of the rounds in `holding`
     * (about to be superseded) are left alone.
     */
    async claimDeliveries (now: Date, leaseUntil: Date, limit: number, holding: readonly number[] = []): Promise<DeliveryToSend[]> {
      const rows = await prisma.$queryRawUnsafe<ClaimRow[]>(`
        WITH claimed AS (
          UPDATE "Delivery" SET "leaseUntil" = $2, attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM "Delivery"
            WHERE state = 'pending' AND ("leaseUntil" IS NULL OR "leaseUntil" <= $1)
              AND ("nextAttemptAt" <= $1
                -- superseded (core/staleness.ts): taken before it is due, to be marked so at once
                OR (kind::text = ANY($4::text[]) AND EXISTS (
                  SELECT 1 FROM "Round" r JOIN "Round" n ON n."programId" = r."programId" AND n.number > r.number
                  WHERE r.id = "Delivery"."roundId")))
              AND NOT (kind::text = ANY($4::text[]) AND "roundId" = ANY($5::int[]))
            ORDER BY ${kindOrder('kind')}, id
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
          RETURNING id, "dedupeKey", kind, "roundId", "groupId", "userId", attempts)
        SELECT c.id, c."dedupeKey", c.kind::text AS kind, c."roundId", c."groupId", c."userId", c.attempts,
               p."channelId" AS "programChannelId", p."channelName", p.mode::text AS mode, p."followupHours", p."cadenceDays", r.number AS "roundNumber", r."startedAt" AS "roundStartedAt",
               (SELECT max(l.number) FROM "Round" l WHERE l."programId" = r."programId") AS "latestNumber",
               to_json(g.icebreakers) AS icebreakers, g."meetingWindow", g."channelId" AS "groupChannelId",
               (SELECT json_agg(json_build_object('userId', pa."userId", 'username', pa.username, 'fullName', gm."fullName", 'position', gm.position) ORDER BY pa.id)
                FROM "GroupMember" gm JOIN "Participant" pa ON pa.id = gm."participantId" WHERE gm."groupId" = c."groupId") AS members,
               CASE WHEN c.kind IN ('followup', 'reminder') THEN
                 (SELECT json_agg(json_build_object('userId', o."userId", 'answer', o.answer) ORDER BY o."answeredAt")
                  FROM "Outcome" o WHERE o."groupId" = c."groupId") END AS outcomes,
               CASE WHEN c.kind IN ('followup', 'reminder') THEN
                 (SELECT i.state::text FROM "Delivery" i WHERE i."groupId" = c."groupId" AND i.kind = 'intro' ORDER BY i.id DESC LIMIT 1) END AS "introState",
               CASE WHEN c.kind = 'reminder' THEN
                 (SELECT f."postId" FROM "Delivery" f WHERE f."groupId" = c."groupId" AND f.kind = 'followup' AND f.state = 'sent' ORDER BY f.id DESC LIMIT 1) END AS "followupPostId",
               CASE WHEN c.kind = 'announce' THEN json_build_object(
                 'people', (SELECT count(*) FROM "GroupMember" am JOIN "Group" ag ON ag.id = am."groupId" WHERE ag."roundId" = c."roundId"),
                 'groups', (SELECT count(*) FROM "Group" ag WHERE ag."roundId" = c."roundId"),
                 'lastRound', CASE WHEN r.number > 1 THEN COALESCE((
                   SELECT json_agg(lg.outcome)
                   FROM "Group" lg JOIN "Round" lr ON lr.id = lg."roundId"
                   WHERE lr."programId" = r."programId" AND lr.number = r.number - 1
                     AND lg."askedAt" IS NOT NULL), '[]'::json) END) END AS announcement
        FROM claimed c
        JOIN "Round" r ON r.id = c."roundId"
        JOIN "Program" p ON p.id = r."programId"
        LEFT JOIN "Group" g ON g.id = c."groupId"
        ORDER BY ${kindOrder('c.kind')}, c.id`, now, leaseUntil, limit, [...ROUND_BOUND_KINDS], [...holding])
      return rows.map((row) => ({
        id: row.id,
        dedupeKey: row.dedupeKey,
        kind: row.kind,
        roundId: row.roundId,
        groupId: row.groupId,
        userId: row.userId,
        attempts: row.attempts,
        program: { channelId: row.programChannelId, channelName: row.channelName, mode: row.mode, followupHours: row.followupHours, cadenceDays: row.cadenceDays },
        round: { number: row.roundNumber, startedAt: row.roundStartedAt, latestNumber: row.latestNumber },
        announcement: row.announcement === null ? null : { people: Number(row.announcement.people), groups: Number(row.announcement.groups), lastRound: row.announcement.lastRound },
        group: row.groupId === null
          ? null
          : { id: row.groupId, icebreakers: row.icebreakers ?? [], meetingWindow: row.meetingWindow ?? '', channelId: row.groupChannelId, members: row.members ?? [], outcomes: row.outcomes ?? [], introState: row.introState, followupPostId: row.followupPostId }
      }))
    },

    /** Counts an extra attempt on a delivery this sender already holds. */
    async countAttempt (id: number): Promise<number> {
      const row = await prisma.delivery.update({ where: { id }, data: { attempts: { increment: 1 } }, select: { attempts: true } })
      return row.attempts
    },

    /**
     * Records what became of claimed deliveries, and releases them: one statement for them all. An intro that went out
     * gives its group its channel (where the follow-up goes); a follow-up that went out marks its group as asked.
     */
    async recordResults (results: readonly DeliveryResult[]): Promise<void> {
      if (results.length === 0) return
      const field = <T>(pick: (r: DeliveryResult) => T) => results.map(pick)
      const [counts] = await prisma.$queryRaw<{ deliveries: bigint }[]>`
        WITH u AS (
          SELECT * FROM unnest(
            ${field((r) => r.id)}::int[],
            ${field((r) => r.state)}::text[],
            ${field((r) => r.state === 'sent' ? r.channelId : null)}::text[],
            ${field((r) => r.state === 'sent' ? r.postId : null)}::text[],
            ${field((r) => sqlTimestamp(r.state === 'sent' ? r.at : null))}::text[],
            ${field((r) => sqlTimestamp(r.state === 'pending' ? r.nextAttemptAt : null))}::text[],
            ${field((r) => r.state === 'sent' ? null : r.error.slice(0, 1000))}::text[]
          ) AS u(id, state, "channelId", "postId", "sentAt", "nextAttemptAt", error)
        ),
        d AS (
          UPDATE "Delivery" d
          SET state = u.state::"DeliveryState",
              "channelId" = COALESCE(u."channelId", d."channelId"),
              "postId" = COALESCE(u."postId", d."postId"),
              "sentAt" = COALESCE(u."sentAt"::timestamp(3), d."sentAt"),
              "nextAttemptAt" = COALESCE(u."nextAttemptAt"::timestamp(3), d."nextAttemptAt"),
              "lastError" = u.error,
              "leaseUntil" = NULL
          FROM u
          WHERE d.id = u.id
          RETURNING d."groupId", d.kind, d.state, d."channelId", d."sentAt"
        ),
        -- One update of "Group" per statement: an intro and its follow-up are never in the same batch (the follow-up
        -- is only claimed once the intro is recorded).
        groups AS (
          UPDATE "Group" g
          SET "channelId" = CASE WHEN d.kind = 'intro' THEN d."channelId" ELSE g."channelId" END,
              "askedAt" = CASE WHEN d.kind = 'followup' THEN COALESCE(g."askedAt", d."sentAt") ELSE g."askedAt" END
          FROM d
          WHERE g.id = d."groupId" AND d.state = 'sent' AND d.kind IN ('intro', 'followup')
          RETURNING g.id
        )
        SELECT (SELECT count(*) FROM d) AS deliveries, (SELECT count(*) FROM groups) AS groups`
      const count = Number(counts?.deliveries)
      if (count !== results.length) throw new Error(`recording deliveries: ${count} of ${results.length} found`)
    },

    /** Whether deliveries are backing off after failures, their next attempt less than `horizon` away. */
    async backingOff (now: Date, horizon: Date): Promise<boolean> {
      const found = await prisma.delivery.findFirst({
        where: { state: 'pending', attempts: { gt: 0 }, nextAttemptAt: { gt: now, lt: horizon }, OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] },
        select: { id: true }
      })
      return found !== null
    },

    /** Mattermost answers again: what backingOff found is due now. Returns how many. */
    async retryBackedOff (now: Date, horizon: Date): Promise<number> {
      const { count } = await prisma.delivery.updateMany({
        where: { state: 'pending', attempts: { gt: 0 }, nextAttemptAt: { gt: now, lt: horizon }, OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] },
        data: { nextAttemptAt: now }
      })
      return count
    },

    /** Gives back deliveries a failed pass had claimed, so that the next pass need not wait for their lease. */
    async releaseLeases (ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return
      await prisma.$executeRaw`UPDATE "Delivery" SET "leaseUntil" = NULL WHERE id = ANY(${[...ids]}::int[]) AND state = 'pending'`
    },

    /**
     * Refreshes the planner's statistics of the tables a round fills. A round adds thousands of rows at once, and the
     * outbox's claim query is planned from these statistics: with the old ones (a table "empty" when it was
     * analyzed) Postgres chooses hash joins over whole tables, five to ten times slower per claim. Autovacuum catches
     * up only a minute later, and the embedded database has no autovacuum at all.
     */
    async refreshStatistics (): Promise<void> {
      await prisma.$executeRawUnsafe('ANALYZE "Participant", "Round", "Group", "GroupMember", "Delivery", "Outcome"')
    },

    async pendingCount (): Promise<number> {
      return prisma.delivery.count({ where: { state: 'pending' } })
    },

    /** A group's answers so far, oldest first (as claimDeliveries gives them to follow-ups and reminders). */
    async answers (groupId: number): Promise<{ userId: string, answer: OutcomeAnswer }[]> {
      return prisma.outcome.findMany({ where: { groupId }, orderBy: { answeredAt: 'asc' }, select: { userId: true, answer: true } })
    }
  }
}

export type RoundsStore = ReturnType<typeof createRoundsStore>
