// POST /actions: Mattermost's callback when someone clicks a follow-up button or one of the intro's ("Skip next round",
// "We already know each other"). Mattermost does not sign it, so
// the button's context carries an HMAC; the post and the clicker are checked against the database as well.
// Mattermost shows our answer only from a 200: refusals are a 200 with ephemeral_text, and change nothing.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Clock } from '../clock.js'
import type { FollowupsStore } from '../store/followups.js'
import { verifyContext, INTRO_ACTIONS } from '../core/buttons.js'
import { pairsOfClick, acquaintedBy } from '../core/acquaintances.js'
import { renderIntro, DELIVERY_PROP } from '../rounds/render.js'
import { participationState } from '../core/participation.js'
import { SKIP_DONE, SKIP_ALREADY, ACQUAINTED_DONE, ACQUAINTED_ALREADY } from '../core/messages.js'
import type { Answer } from '../core/outcomes.js'
import { within, LATE } from '../deadline.js'
import { followupPost } from '../core/followup-post.js'
import { nextSlot, programSchedule, reminderTime } from '../core/schedule.js'

export interface ActionsOptions {
  followups: FollowupsStore
  clock: Clock
  /** Undefined when Mattermost is not configured. */
  actionsKey: string | undefined
  publicUrl: string | undefined
  /** Route config that opts into the app's per-person rate limit (or nothing). */
  routeConfig?: Record<string, unknown>
  /** How long a click may take before the person is told to click again (the work may still finish). */
  deadlineMs: number
}

const REFUSED = {
  forged: "This button isn't one of mine, so I ignored it.",
  gone: 'This coffee round no longer exists, so I ignored the click.',
  wrongPost: "This button doesn't belong to this conversation, so I ignored it.",
  notMember: 'Only the people in this group can answer for it.',
  notJoined: (channel: string) => `You're not taking part in coffee in ${channel} any more, so there is no round to skip. \`/coffee join\` there brings you back.`
} as const
const UNSURE = 'Sorry, my database did not answer in time, so I am not sure your answer was recorded. Please click again in a minute.'
const FAILED = 'Sorry, something went wrong on my side, so I could not finish recording your answer. Please click again in a minute; if it keeps happening, tell your Mattermost admin.'

/** Mattermost's integration-action request (PostActionIntegrationRequest); the context is ours, signed. */
const ActionRequest = Type.Object({
  user_id: Type.String({ minLength: 1, maxLength: 64 }),
  user_name: Type.Optional(Type.String()),
  channel_id: Type.Optional(Type.String()),
  post_id: Type.String({ minLength: 1, maxLength: 64 }),
  team_id: Type.Optional(Type.String()),
  trigger_id: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  context: Type.Record(Type.String(), Type.Unknown())
})

export const actionsRoutes: FastifyPluginAsyncTypebox<ActionsOptions> = async (app, { followups, clock, actionsKey, publicUrl, routeConfig = {}, deadlineMs }) => {
  app.post('/actions', {
    config: routeConfig,
    schema: {
      summary: "Mattermost's button callback: the follow-up ('did you meet?') buttons and the intro's 'Skip next round' and 'We already know each other'",
      body: ActionRequest
    }
  }, async (request) => {
    const { body } = request
    if (actionsKey === undefined) return { ephemeral_text: 'Coffee is not connected to Mattermost yet, so I could not record that.' }
    const verified = verifyContext(actionsKey, body.context)
    if (verified === null) {
      request.log.warn({ userId: body.user_id, postId: body.post_id }, 'button click with a forged or tampered context')
      return { ephemeral_text: REFUSED.forged }
    }
    const log = request.log.child({ userId: body.user_id, postId: body.post_id })
    try {
      const answered = await within(record(body, verified, actionsKey), deadlineMs)
      if (answered !== LATE) return answered
      // Mattermost gives up on its own; the person should hear something before that (a stalled database).
      log.error({ deadlineMs }, 'button click did not finish in time')
      return { ephemeral_text: UNSURE }
    } catch (error) {
      log.error({ err: error }, 'button click failed')
      return { ephemeral_text: FAILED }
    }
  })

  async function record (body: Static<typeof ActionRequest>, verified: NonNullable<ReturnType<typeof verifyContext>>, key: string) {
    const group = await followups.groupToAnswer(verified.group)
    if (group === null) return { ephemeral_text: REFUSED.gone }
    // Skip and know belong under the intro, an answer under the follow-up (or an old reminder with buttons).
    const post = group.deliveries.find((d) => d.postId === body.post_id && INTRO_ACTIONS.includes(verified.answer) === (d.kind === 'intro'))
    if (post === undefined) {
      app.log.warn({ userId: body.user_id, postId: body.post_id, group: group.id }, 'button context replayed against another post')
      return { ephemeral_text: REFUSED.wrongPost }
    }
    const member = group.members.find((m) => m.participant.userId === body.user_id)
    if (member === undefined) return { ephemeral_text: REFUSED.notMember }

    const now = clock.now()
    if (verified.answer === 'skip') {
      // Only the clicker hears back (an ephemeral answer, no update): the intro stays as the others see it.
      const { program } = group.round
      if (!participationState(program, member.participant, now).joined) return { ephemeral_text: REFUSED.notJoined(program.channelName === '' ? 'that channel' : `~${program.channelName}`) }
      return { ephemeral_text: await followups.skipNextRound(member.participant.id, now) ? SKIP_DONE : SKIP_ALREADY }
    }
    if (verified.answer === 'know') {
      const { program } = group.round
      const { added, recorded } = await followups.recordAcquaintances({
        programId: program.id,
        groupId: group.id,
        recordedById: member.participant.id,
        pairs: pairsOfClick(member.participant.id, group.members.map((m) => m.participant.id)),
        now
      })
      // Said once: a click that adds no pair leaves the intro as it is and answers the clicker alone.
      if (added === 0) return { ephemeral_text: ACQUAINTED_ALREADY }
      const usernameOf = new Map(group.members.map((m) => [m.participant.id, m.participant.username]))
      const name = (id: number) => usernameOf.get(id) ?? 'someone'
      const intro = renderIntro({
        program,
        roundNumber: group.round.number,
        group: { id: group.id, icebreakers: group.icebreakers, meetingWindow: group.meetingWindow, members: group.members.map((m) => ({ username: m.participant.username, fullName: m.fullName, position: m.position })) },
        acquainted: acquaintedBy(recorded.map((a) => ({ recordedBy: name(a.recordedById), a: name(a.participantAId), b: name(a.participantBId) })))
      }, { actionsUrl: publicUrl === undefined ? undefined : `${publicUrl}/actions`, actionsKey: key })
      return {
        update: { message: intro.message, props: { ...intro.props, [DELIVERY_PROP]: post.dedupeKey } },
        ephemeral_text: ACQUAINTED_DONE
      }
    }
    const answer: Answer = verified.answer
    const previous = group.outcomes.find((o) => o.userId === body.user_id)?.answer
    // A second click on the same answer changes nothing (not even when it was given).
    if (previous !== answer) await followups.recordAnswer(group.id, member.participant.id, body.user_id, answer, now)
    const answers = new Map(group.outcomes.map((o) => [o.userId, o.answer]))
    answers.set(body.user_id, answer)
    const usernames = new Map(group.members.map((m) => [m.participant.userId, m.participant.username]))
    const updated = followupPost({
      kind: post.kind === 'followup' ? 'followup' : 'reminder',
      groupId: group.id,
      members: group.members.map((m) => m.participant.username),
      answers: [...answers].map(([userId, answer]) => ({ username: usernames.get(userId) ?? userId, answer })),
      buttons: publicUrl === undefined ? undefined : { actionsUrl: `${publicUrl}/actions`, key },
      // Once the reminder's delivery has begun it may have marked the post already: a click keeps that mark.
      reminded: post.kind === 'followup' && group.deliveries.some((d) => d.kind === 'reminder' && (d.state === 'sent' || (d.state === 'pending' && d.attempts > 0)))
    })
    // "Not yet" earns the group one reminder, unless someone in it already said they met (or could not make it).
    let remind = false
    if (answer === 'not_yet' && !updated.settled) {
      const { program } = group.round
      const at = reminderTime(now, nextSlot(programSchedule(program, group.round.startedAt)))
      if (at !== null) {
        await followups.ensureReminder(group.id, group.roundId, at, now)
        remind = true
      }
    }
    return {
      update: {
        message: updated.message,
        props: { coffee_delivery: post.dedupeKey, attachments: updated.attachments }
      },
      ephemeral_text: answer === 'met'
        ? 'Thanks! Glad you met. ☕'
        : answer === 'not_yet'
          ? remind ? "Thanks — I'll send one reminder before the next round." : 'Thanks, noted.'
          : 'Thanks for letting me know. Maybe next round!'
    }
  }
}
