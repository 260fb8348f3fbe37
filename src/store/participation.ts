// Programs, participants and blocks: the state /coffee commands read and change.
import type { PrismaClient, Program, Participant } from '../generated/prisma/client.js'

export type { Program, Participant }

export interface ChannelRef {
  teamId: string
  channelId: string
  channelName: string
}

export type ParticipantPatch = Partial<Pick<Participant, 'status' | 'skipNext' | 'pausedUntil' | 'autoPausedAt' | 'leftAt' | 'lastSeenAt' | 'username'>>

const PROGRAM_DATES = ['createdAt', 'updatedAt'] as const
const PARTICIPANT_DATES = ['pausedUntil', 'autoPausedAt', 'lastSeenAt', 'joinedAt', 'leftAt', 'updatedAt'] as const

/** A row read as JSON (to_jsonb) back into Prisma's shape: timestamps (stored in UTC, without zone) become Dates. */
function fromJson<T> (row: Record<string, unknown> | null, dates: readonly string[]): T | null {
  if (row === null) return null
  for (const key of dates) {
    const value = row[key]
    if (typeof value === 'string') row[key] = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
  }
  return row as T
}

/** lastSeenAt only has to tell rounds apart (days), so a visit within a minute of the last one is not written. */
export const SEEN_PRECISION_MS = 60_000

function isUniqueViolation (error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2002'
}

export interface StatusView {
  program: Program
  participant: Participant | null
  round: { id: number, number: number, startedAt: Date } | null
  /** Usernames of the participant's group in that round. */
  group: string[] | null
}

export function createParticipationStore (prisma: PrismaClient) {
  return {
    /** The channel's program and this person's row, in one query (the hot path of every command). */
    async membership (channelId: string, userId: string): Promise<{ program: Program | null, participant: Participant | null }> {
      const rows = await prisma.$queryRaw<{ program: Record<string, unknown>, participant: Record<string, unknown> | null }[]>`
        SELECT to_jsonb(pr) AS program, to_jsonb(pa) AS participant
        FROM "Program" pr
        LEFT JOIN "Participant" pa ON pa."programId" = pr.id AND pa."userId" = ${userId}
        WHERE pr."channelId" = ${channelId}`
      const row = rows[0]
      if (row === undefined) return { program: null, participant: null }
      return { program: fromJson<Program>(row.program, PROGRAM_DATES), participant: fromJson<Participant>(row.participant, PARTICIPANT_DATES) }
    },

    /**
     * Joins someone who has no row in the channel's program yet, in one call (the SQL function coffee_join_new of
     * prisma/migrations/…_command_functions, whose plans Postgres keeps): the row is inserted as a new
     * active participant (this visit recorded), unless the person already has one. Returns the program and the new
     * row; `participant` is null when the person already had a row (nothing written), and the whole result is null
     * when the channel has no program yet.
     */
    async joinIfNew (channelId: string, userId: string, username: string, now: Date): Promise<{ program: Program, participant: Participant | null } | null> {
      const rows = await prisma.$queryRaw<{ program: Record<string, unknown>, participant: Record<string, unknown> | null }[]>`
        SELECT program, participant FROM coffee_join_new(${channelId}, ${userId}, ${username}, ${now})`
      const row = rows[0]
      if (row === undefined) return null
      return { program: fromJson<Program>(row.program, PROGRAM_DATES)!, participant: fromJson<Participant>(row.participant, PARTICIPANT_DATES) }
    },

    /**
     * Everything /coffee status shows, in one call (the SQL function coffee_status) that also records the person's
     * visit (lastSeenAt).
     * Null when Coffee never ran in the channel.
     */
    async statusView (channelId: string, userId: string, now: Date): Promise<StatusView | null> {
      const rows = await prisma.$queryRaw<{ program: Record<string, unknown>, participant: Record<string, unknown> | null, round: Record<string, unknown> | null, members: string[] | null }[]>`
        SELECT program, participant, round, members
        FROM coffee_status(${channelId}, ${userId}, ${now}, ${new Date(now.getTime() - SEEN_PRECISION_MS)})`
      const row = rows[0]
      if (row === undefined) return null
      return {
        program: fromJson<Program>(row.program, PROGRAM_DATES)!,
        participant: fromJson<Participant>(row.participant, PARTICIPANT_DATES),
        round: fromJson<{ id: number, number: number, startedAt: Date }>(row.round, ['startedAt']),
        group: row.members
      }
    },

    findProgram (channelId: string): Promise<Program | null> {
      return prisma.program.findUnique({ where: { channelId } })
    },

    /** The channel's program, created with default settings on first use (a race with another request is fine). */
    async ensureProgram ({ teamId, channelId, channelName }: ChannelRef): Promise<Program> {
      const existing = await prisma.program.findUnique({ where: { channelId } })
      if (existing !== null) return existing
      try {
        return await prisma.program.create({ data: { teamId, channelId, channelName } })
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        return prisma.program.findUniqueOrThrow({ where: { channelId } })
      }
    },

    updateProgram (programId: number, patch: Partial<Pick<Program, 'cadenceDays' | 'groupSize' | 'followupHours' | 'mode' | 'paused' | 'channelName'>>): Promise<Program> {
      return prisma.program.update({ where: { id: programId }, data: patch })
    },

    findParticipant (programId: number, userId: string): Promise<Participant | null> {
      return prisma.participant.findUnique({ where: { programId_userId: { programId, userId } } })
    },

    /**
     * Applies the patch to the person's row, creating it if `existing` (what the caller just read) is null.
     * One statement either way; a concurrent first write by the same person falls back to an update.
     */
    async saveParticipant (existing: Participant | null, programId: number, userId: string, patch: ParticipantPatch & { joinedAt?: Date }): Promise<Participant> {
      const { joinedAt, ...rest } = patch
      if (existing !== null) return prisma.participant.update({ where: { id: existing.id }, data: rest })
      try {
        return await prisma.participant.create({ data: { programId, userId, ...rest, ...(joinedAt !== undefined ? { joinedAt } : {}) } })
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        return prisma.participant.update({ where: { programId_userId: { programId, userId } }, data: rest })
      }
    },

    /**
     * Any use of /coffee in a channel is a sign of life (it keeps Coffee from pausing an unresponsive person).
     * Written at most once per SEEN_PRECISION, so that busy read-only commands do not each cost a write.
     */
    async touch (channelId: string, userId: string, now: Date): Promise<void> {
      await prisma.$executeRaw`
        UPDATE "Participant" SET "lastSeenAt" = ${now}
        WHERE "userId" = ${userId} AND "programId" = (SELECT id FROM "Program" WHERE "channelId" = ${channelId})
          AND ("lastSeenAt" IS NULL OR "lastSeenAt" < ${new Date(now.getTime() - SEEN_PRECISION_MS)})`
    },

    /** Returns false when the block already existed. */
    async addBlock (blockerId: string, blockedId: string, now: Date): Promise<boolean> {
      const { count } = await prisma.block.createMany({ data: [{ blockerId, blockedId, createdAt: now }], skipDuplicates: true })
      return count > 0
    },

    /** Returns false when there was no such block. */
    async removeBlock (blockerId: string, blockedId: string): Promise<boolean> {
      const { count } = await prisma.block.deleteMany({ where: { blockerId, blockedId } })
      return count > 0
    },

    /** Usernames of the group a participant was in during a round, or null when they were not in one. */
    async groupOf (roundId: number, participantId: number): Promise<string[] | null> {
      const group = await prisma.group.findFirst({
        where: { roundId, members: { some: { participantId } } },
        include: { members: { include: { participant: { select: { username: true } } } } }
      })
      return group === null ? null : group.members.map((m) => m.participant.username)
    }
  }
}

export type ParticipationStore = ReturnType<typeof createParticipationStore>
