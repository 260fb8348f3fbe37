// Who is in a round, decided directly: one person for each reason to be left out, in both modes.
import t from 'tap'
import { candidateIds, decideEligibility, type EligibilityParticipant, type EligibilityUser } from '../../src/core/eligibility.js'

const now = new Date('2026-11-23T09:00:00Z')
let nextId = 1
function participant (userId: string, patch: Partial<EligibilityParticipant> = {}): EligibilityParticipant {
  return { id: nextId++, userId, username: userId, status: 'active', skipNext: false, pausedUntil: null, autoPausedAt: null, ...patch }
}
const user = (id: string, patch: Partial<EligibilityUser> = {}): [string, EligibilityUser] => [id, { id, username: id, delete_at: 0, ...patch }]

t.test('opt-in: everyone who joined, minus one person for each reason to be left out', async (t) => {
  const unresponsive = participant('ulla')
  const participants = [
    participant('ann'),
    participant('ben'),
    participant('lea', { status: 'left' }),
    participant('nina'), // not in the channel any more
    participant('dora'), // deactivated
    participant('pat', { pausedUntil: new Date('2026-12-01T00:00:00Z') }),
    participant('paul', { pausedUntil: new Date('2026-11-01T00:00:00Z') }), // a pause that has ended
    participant('auto', { autoPausedAt: new Date('2026-11-01T00:00:00Z') }),
    participant('sam', { skipNext: true }),
    unresponsive
  ]
  const members = new Set(['bot', 'ann', 'ben', 'lea', 'dora', 'pat', 'paul', 'auto', 'sam', 'ulla', 'outsider'])
  const users = new Map([user('ann'), user('ben'), user('lea'), user('dora', { delete_at: 1 }), user('pat'), user('paul'), user('auto'), user('sam'), user('ulla')])
  const result = decideEligibility({ mode: 'optin', participants, channelMemberIds: members, users, botUserId: 'bot', now, unresponsive: new Set([unresponsive.id]) })
  t.same(result.eligible.map((e) => e.userId), ['ann', 'ben', 'paul'])
  t.same(result.excluded, { left: 1, notMember: 1, inactive: 1, paused: 2, skipping: 1, unresponsive: 1 })
  t.same(result.skipsUsed, [participants[8]!.id], 'the skip is used up by this round')
  t.same(result.autoPaused, [unresponsive.id], 'this round pauses the unresponsive')
  t.same(candidateIds('optin', participants, members).sort(), ['ann', 'auto', 'ben', 'dora', 'pat', 'paul', 'sam', 'ulla'], 'only active participants in the channel are looked up')
})

t.test('everyone here: every member but the bot, other bots and those who left; no row needed', async (t) => {
  const participants = [participant('lea', { status: 'left' }), participant('ann', { skipNext: true })]
  const members = new Set(['bot', 'ann', 'ben', 'cid', 'lea', 'robot'])
  const users = new Map([user('ann'), user('ben'), user('cid'), user('lea'), user('robot', { is_bot: true })])
  const result = decideEligibility({ mode: 'channel', participants, channelMemberIds: members, users, botUserId: 'bot', now })
  t.same(result.eligible, [{ userId: 'ben', username: 'ben', participantId: null }, { userId: 'cid', username: 'cid', participantId: null }])
  t.match(result.excluded, { left: 1, inactive: 1, skipping: 1 })
  t.same(candidateIds('channel', participants, members).sort(), [...members].sort())
})

t.test('someone Mattermost no longer knows is left out as inactive', async (t) => {
  const result = decideEligibility({ mode: 'optin', participants: [participant('ghost'), participant('ann')], channelMemberIds: new Set(['ghost', 'ann']), users: new Map([user('ann')]), botUserId: 'bot', now })
  t.same(result.eligible.map((e) => e.userId), ['ann'])
  t.equal(result.excluded.inactive, 1)
})
