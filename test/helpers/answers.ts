// A round's follow-ups and answers written through the store's own write paths, for tests that need a round in a
// given state without clicking through Mattermost: the group keeps "asked" and its outcome exactly as in service.
import type { PrismaClient, OutcomeAnswer } from '../../src/generated/prisma/client.js'
import { createRoundsStore } from '../../src/store/rounds.js'
import { createFollowupsStore } from '../../src/store/followups.js'

/** The group's "did you meet?" went out at `at` (queued as the outbox does, then recorded as sent). */
export async function markAsked (prisma: PrismaClient, group: { id: number, roundId: number }, at: Date, postId = `followuppost${group.id}`): Promise<void> {
  const delivery = await prisma.delivery.upsert({
    where: { dedupeKey: `followup:${group.id}` },
    create: { dedupeKey: `followup:${group.id}`, kind: 'followup', roundId: group.roundId, groupId: group.id, nextAttemptAt: at, createdAt: at },
    update: {},
    select: { id: true }
  })
  // Posted in the group's channel, as delivery posts it.
  const { channelId } = await prisma.group.findUniqueOrThrow({ where: { id: group.id }, select: { channelId: true } })
  await createRoundsStore(prisma).recordResults([{ id: delivery.id, state: 'sent', channelId: channelId ?? `groupchannel${group.id}`, postId, at }])
}

/** Each [userId, answer] is a member's click, in order. */
export async function recordAnswers (prisma: PrismaClient, groupId: number, answers: readonly (readonly [string, OutcomeAnswer])[], at: Date): Promise<void> {
  const followups = createFollowupsStore(prisma)
  for (const [userId, answer] of answers) {
    const member = await prisma.groupMember.findFirstOrThrow({ where: { groupId, participant: { userId } }, select: { participantId: true } })
    await followups.recordAnswer(groupId, member.participantId, userId, answer, at)
  }
}
