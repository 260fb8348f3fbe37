// A channel's groups as history: imported from another tool (imported rounds, one per date) and exported.
import type { PrismaClient } from '../generated/prisma/client.js'
import { groupKey, type ImportPlan } from '../core/history.js'

export interface ImportResult extends ImportPlan {
  /** Imported rounds made for dates the channel had none for. */
  newRounds: number
}

export function createHistoryStore (prisma: PrismaClient) {
  return {
    /** Every group of the program, native and imported, oldest first, with members as Coffee last saw them. */
    async groups (programId: number): Promise<{ date: Date, userIds: string[], usernames: string[] }[]> {
      const rows = await prisma.$queryRaw<{ groupId: number, startedAt: Date, userId: string, username: string }[]>`
        SELECT g.id AS "groupId", r."startedAt" AS "startedAt", p."userId" AS "userId", p.username
        FROM "Round" r
        JOIN "Group" g ON g."roundId" = r.id
        JOIN "GroupMember" gm ON gm."groupId" = g.id
        JOIN "Participant" p ON p.id = gm."participantId"
        WHERE r."programId" = ${programId}
        ORDER BY r."startedAt", r.number, g.index, p.username`
      const groups = new Map<number, { date: Date, userIds: string[], usernames: string[] }>()
      for (const row of rows) {
        let group = groups.get(row.groupId)
        if (group === undefined) groups.set(row.groupId, group = { date: row.startedAt, userIds: [], usernames: [] })
        group.userIds.push(row.userId)
        group.usernames.push(row.username)
      }
      return [...groups.values()]
    },

    /**
     * Imports what `plan` decides, given the keys of the groups the channel has: under a lock on the program row, so
     * that two imports of the same file cannot both add it. People new to the program get a row in the state of
     * someone who never chose (taking part in an everyone-here channel, not in an opt-in one). Imported rounds are
     * renumbered by date afterwards, 0 for the latest and down from there, below every round Coffee ran: the matcher
     * reads round numbers as time.
     */
    async importHistory (programId: number, now: Date, plan: (existing: ReadonlySet<string>) => ImportPlan): Promise<ImportResult> {
      return prisma.$transaction(async (tx) => {
        const [program] = await tx.$queryRaw<{ mode: string, groupSize: number }[]>`
          SELECT mode::text AS mode, "groupSize" FROM "Program" WHERE id = ${programId} FOR UPDATE`
        const existing = new Set<string>()
        const rows = await tx.$queryRaw<{ startedAt: Date, userIds: string[] }[]>`
          SELECT r."startedAt" AS "startedAt", array_agg(p."userId") AS "userIds"
          FROM "Round" r
          JOIN "Group" g ON g."roundId" = r.id
          JOIN "GroupMember" gm ON gm."groupId" = g.id
          JOIN "Participant" p ON p.id = gm."participantId"
          WHERE r."programId" = ${programId}
          GROUP BY g.id, r."startedAt"`
        for (const row of rows) existing.add(groupKey(row.startedAt, row.userIds))
        const decided = plan(existing)
        if (decided.groups.length === 0) return { ...decided, newRounds: 0 }

        const userIds = [...new Set(decided.groups.flatMap((g) => g.userIds))]
        await tx.$executeRaw`
          INSERT INTO "Participant" ("programId", "userId", status, "joinedAt", "updatedAt")
          SELECT ${programId}, u."userId", ${program?.mode === 'channel' ? 'active' : 'left'}::"ParticipantStatus", ${now}, ${now}
          FROM unnest(${userIds}::text[]) AS u("userId")
          ON CONFLICT ("programId", "userId") DO NOTHING`

        // One imported round per date; a date the channel already has an imported round for gets more groups.
        const dates = [...new Set(decided.groups.map((g) => g.date.getTime()))].map((t) => new Date(t))
        const known = await tx.round.findMany({ where: { programId, imported: true, startedAt: { in: dates } }, select: { id: true, startedAt: true } })
        const roundOf = new Map(known.map((r) => [r.startedAt.getTime(), r.id]))
        const lowest = await tx.round.findFirst({ where: { programId }, orderBy: { number: 'asc' }, select: { number: true } })
        let next = Math.min(lowest?.number ?? 0, 0) - 1
        let newRounds = 0
        for (const date of dates) {
          if (roundOf.has(date.getTime())) continue
          const round = await tx.round.create({
            data: { programId, number: next--, startedAt: date, followupAt: date, groupSize: program?.groupSize ?? 2, eligibleCount: 0, imported: true, createdAt: now }
          })
          roundOf.set(date.getTime(), round.id)
          newRounds++
        }

        const roundIds = decided.groups.map((g) => roundOf.get(g.date.getTime())!)
        const members = decided.groups.flatMap((g, i) => g.userIds.map(() => i))
        // Each new group takes the next index of its round, in file order.
        await tx.$executeRaw`
          WITH u AS (SELECT * FROM unnest(${decided.groups.map((_, i) => i)}::int[], ${roundIds}::int[]) WITH ORDINALITY AS u(i, "roundId", ord)),
          numbered AS (
            SELECT u.i, u."roundId",
                   COALESCE((SELECT max(g.index) FROM "Group" g WHERE g."roundId" = u."roundId"), -1)
                     + row_number() OVER (PARTITION BY u."roundId" ORDER BY u.ord) AS index
            FROM u),
          groups AS (
            INSERT INTO "Group" ("roundId", index, icebreaker)
            SELECT n."roundId", n.index, '' FROM numbered n
            RETURNING id, "roundId", index)
          INSERT INTO "GroupMember" ("groupId", "participantId")
          SELECT g.id, p.id
          FROM unnest(${members}::int[], ${decided.groups.flatMap((g) => g.userIds)}::text[]) AS m(i, "userId")
          JOIN numbered n ON n.i = m.i
          JOIN groups g ON g."roundId" = n."roundId" AND g.index = n.index
          JOIN "Participant" p ON p."programId" = ${programId} AND p."userId" = m."userId"`

        // Imported rounds in date order: out of the way first (ids are distinct), then 0, -1, -2… from the latest.
        await tx.$executeRaw`UPDATE "Round" SET number = -1000000000 - id WHERE "programId" = ${programId} AND imported`
        await tx.$executeRaw`
          UPDATE "Round" r
          SET number = 1 - o.rank,
              "eligibleCount" = (SELECT count(DISTINCT gm."participantId")::int FROM "Group" g JOIN "GroupMember" gm ON gm."groupId" = g.id WHERE g."roundId" = r.id)
          FROM (SELECT id, row_number() OVER (ORDER BY "startedAt" DESC) AS rank FROM "Round" WHERE "programId" = ${programId} AND imported) o
          WHERE r.id = o.id`
        return { ...decided, newRounds }
      }, { timeout: 120_000, maxWait: 30_000 })
    }
  }
}

export type HistoryStore = ReturnType<typeof createHistoryStore>
