// Programs, participants and blocks: the state /coffee commands read and change.
import type { PrismaClient, Program, Participant } from '../generated/prisma/client.js'
import { SEEN_PRECISION_MS } from '../core/participation.js'
import { followupDue } from '../core/plan-round.js'

export type { Program, Participant }

export interface ChannelRef {
  teamId: string
  channelId: string
  channelName: string
}

export type ParticipantPatch = Partial<Pick<Participant, 'status' | 'skipNext' | 'pausedUntil' | 'autoPausedAt' | 'leftAt' | 'lastSeenAt' | 'username'>>

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
  /** Usernames of the group a participant was in during a round, or null when they were not in one. */
  async function groupOf (roundId: number, participantId: number): Promise<string[] | null> {
    const group = await prisma.group.findFirst({
      where: { roundId, members: { some: { participantId } } },
      include: { members: { include: { participant: { select: { username: true } } } } }
    })
    return group === null ? null : group.members.map((m) => m.participant.username)
  }

  return {
    /** The channel's program and this person's row, in one query. */
    async membership (channelId: string, userId: string): Promise<{ program: Program | null, participant: Participant | null }> {
      const found = await prisma.program.findUnique({ where: { channelId }, include: { participants: { where: { userId } } } })
      if (found === null) return { program: null, participant: null }
      const { participants: [participant = null], ...program } = found
      return { program, participant }
    },

    /** Everything /coffee status shows; null when Coffee never ran in the channel. */
    async statusView (channelId: string, userId: string): Promise<StatusView | null> {
      const found = await prisma.program.findUnique({
        where: { channelId },
        include: {
          participants: { where: { userId } },
          rounds: { where: { imported: false }, orderBy: { number: 'desc' }, take: 1, select: { id: true, number: true, startedAt: true } }
        }
      })
      if (found === null) return null
      const { participants: [participant = null], rounds: [round = null], ...program } = found
      const group = participant === null || round === null ? null : await groupOf(round.id, participant.id)
      return { program, participant, round, group }
    },

    /**
     * The channel whose intro brought this person into this group message (the latest, if the same people met in
     * several channels); null when the conversation is not one of Coffee's groups with them in it.
     */
    async introChannel (conversationId: string, userId: string): Promise<ChannelRef | null> {
      const intro = await prisma.delivery.findFirst({
        where: { channelId: conversationId, kind: 'intro', group: { members: { some: { participant: { userId } } } } },
        orderBy: { id: 'desc' },
        select: { round: { select: { program: { select: { teamId: true, channelId: true, channelName: true } } } } }
      })
      return intro?.round.program ?? null
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

    /** The slot of the program's latest round; null before round 1. */
    async lastSlot (programId: number): Promise<Date | null> {
      const round = await prisma.round.findFirst({ where: { programId, imported: false }, orderBy: { number: 'desc' }, select: { startedAt: true } })
      return round?.startedAt ?? null
    },

    /** Changes settings; a new follow-up delay also moves the follow-up of every round whose follow-up is not out yet. */
    async updateProgram (programId: number, patch: Partial<Pick<Program, 'cadenceDays' | 'groupSize' | 'followupHours' | 'mode' | 'paused' | 'channelName' | 'startAt' | 'timezone' | 'workingHours' | 'timezones'>>): Promise<Program> {
      const hours = patch.followupHours
      if (hours === undefined) return prisma.program.update({ where: { id: programId }, data: patch })
      return prisma.$transaction(async (tx) => {
        const program = await tx.program.update({ where: { id: programId }, data: patch })
        // Rounds Coffee ran (the round's createdAt is when it began) none of whose groups has a follow-up queued.
        const open = await tx.round.findMany({
          where: { programId, imported: false, groups: { none: { deliveries: { some: { kind: 'followup' } } } } },
          select: { id: true, createdAt: true }
        })
        if (open.length > 0) {
          await tx.$executeRaw`
            UPDATE "Round" r SET "followupAt" = u.at::timestamp(3)
            FROM unnest(${open.map((r) => r.id)}::int[], ${open.map((r) => followupDue(r.createdAt, hours).toISOString().slice(0, -1))}::text[]) AS u(id, at)
            WHERE r.id = u.id`
        }
        return program
      })
    },

    findParticipant (programId: number, userId: string): Promise<Participant | null> {
      return prisma.participant.findUnique({ where: { programId_userId: { programId, userId } } })
    },

    /**
     * A new row for someone who has none in the program, in one statement; false when they had one (a concurrent
     * first join of the same person, say), and nothing was written.
     */
    async createParticipant (programId: number, userId: string, data: ParticipantPatch & { joinedAt: Date }): Promise<boolean> {
      try {
        await prisma.participant.create({ data: { programId, userId, ...data }, select: { id: true } })
        return true
      } catch (error) {
        if (isUniqueViolation(error)) return false
        throw error
      }
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
     * Records a visit that writes nothing else (/coffee status): a sign of life, which keeps Coffee from pausing an
     * unresponsive person. Written at most once per SEEN_PRECISION, so that repeated looks do not each cost a write.
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
    }
  }
}

export type ParticipationStore = ReturnType<typeof createParticipationStore>
