// Programs, participants and blocks: the state /coffee commands read and change.
import type { PrismaClient, Program, Participant } from '../generated/prisma/client.js'

export type { Program, Participant }

export interface ChannelRef {
  teamId: string
  channelId: string
  channelName: string
}

export type ParticipantPatch = Partial<Pick<Participant, 'status' | 'skipNext' | 'pausedUntil' | 'autoPausedAt' | 'leftAt' | 'lastSeenAt' | 'username'>>

export function createParticipationStore (prisma: PrismaClient) {
  return {
    findProgram (channelId: string): Promise<Program | null> {
      return prisma.program.findUnique({ where: { channelId } })
    },

    /** The channel's program, created with default settings on first use. */
    ensureProgram ({ teamId, channelId, channelName }: ChannelRef): Promise<Program> {
      return prisma.program.upsert({
        where: { channelId },
        create: { teamId, channelId, channelName },
        update: {}
      })
    },

    updateProgram (programId: number, patch: Partial<Pick<Program, 'cadenceDays' | 'groupSize' | 'followupHours' | 'mode' | 'paused' | 'channelName'>>): Promise<Program> {
      return prisma.program.update({ where: { id: programId }, data: patch })
    },

    findParticipant (programId: number, userId: string): Promise<Participant | null> {
      return prisma.participant.findUnique({ where: { programId_userId: { programId, userId } } })
    },

    /** Creates the row with the patch applied, or applies the patch to the existing row. */
    upsertParticipant (programId: number, userId: string, patch: ParticipantPatch & { joinedAt?: Date }): Promise<Participant> {
      const { joinedAt, ...rest } = patch
      return prisma.participant.upsert({
        where: { programId_userId: { programId, userId } },
        create: { programId, userId, ...rest, ...(joinedAt !== undefined ? { joinedAt } : {}) },
        update: rest
      })
    },

    /** Any use of /coffee in a channel is a sign of life (it keeps Coffee from pausing an unresponsive person). */
    async touch (channelId: string, userId: string, now: Date): Promise<void> {
      await prisma.participant.updateMany({ where: { userId, program: { channelId } }, data: { lastSeenAt: now } })
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

    /** The slot of the program's latest round, for "next round" messages and scheduling. */
    async latestRound (programId: number) {
      return prisma.round.findFirst({ where: { programId }, orderBy: { number: 'desc' } })
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
