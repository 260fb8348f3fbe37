// Round planning, called directly: due or not, who takes part, the groups, and the keys of the messages it owes.
import t from 'tap'
import { deliveryKeys, fitGroups, planRound, roundDue, type PlanInputs, type PlanProgram } from '../../src/core/plan-round.js'
import { createRandom } from '../../src/core/matching/index.js'
import { ICEBREAKERS, starterCount } from '../../src/core/icebreakers.js'
import type { EligibilityParticipant, EligibilityUser } from '../../src/core/eligibility.js'

const now = new Date('2026-11-23T09:00:00Z')
const DAY = 24 * 60 * 60_000

function program (patch: Partial<PlanProgram> = {}): PlanProgram {
  return { id: 7, mode: 'optin', paused: false, cadenceDays: 7, groupSize: 2, followupHours: 72, announce: true, startAt: now, timezone: '', timezones: true, workingHours: '9-17', lastSlot: null, lastNumber: null, ...patch }
}

function inputs (names: string[], patch: Partial<PlanInputs> = {}): PlanInputs {
  const participants: EligibilityParticipant[] = names.map((name, i) => ({ id: i + 1, userId: name, username: `@${name}`, status: 'active', skipNext: false, pausedUntil: null, autoPausedAt: null }))
  const users = new Map<string, EligibilityUser>(names.map((name) => [name, { id: name, username: name, delete_at: 0 }]))
  return {
    program: program(),
    slot: now,
    now,
    participants,
    channelMemberIds: new Set(['bot', ...names]),
    users,
    botUserId: 'bot',
    unresponsive: [],
    history: [],
    blocks: [],
    random: createRandom(1),
    ...patch
  }
}

t.test('roundDue: paused never, forced now, otherwise the schedule', async (t) => {
  t.equal(roundDue(program({ paused: true }), now, true), null)
  t.same(roundDue(program(), now), now, 'a first round is due at its start')
  t.equal(roundDue(program({ startAt: null }), now), null, 'and waits without one')
  t.same(roundDue(program({ startAt: null }), now, true), now, 'unless forced')
  const started = new Date(now.getTime() - 8 * DAY)
  t.equal(roundDue(program({ startAt: started, lastSlot: new Date(now.getTime() - DAY) }), now), null, 'not a day after the last one')
  t.same(roundDue(program({ startAt: started, lastSlot: new Date(now.getTime() - 7 * DAY) }), now), now, 'a cadence later')
})

t.test('fitGroups splits a group too big for a group message', async (t) => {
  t.same(fitGroups([['a', 'b']]), [['a', 'b']])
  t.same(fitGroups([['1', '2', '3', '4', '5', '6', '7', '8']]).map((g) => g.length), [4, 4])
})

t.test('fewer than two eligible: no plan, and why', async (t) => {
  t.same(planRound(inputs(['ann'])), { ok: false, reason: 'fewer than 2 people can take part (1 eligible)', eligible: 1, excluded: { left: 0, notMember: 0, inactive: 0, paused: 0, skipping: 0, unresponsive: 0 } })
})

t.test('a plan: groups with icebreakers and keys, the follow-up time, and who is left out', async (t) => {
  const names = ['ann', 'ben', 'cat', 'dan', 'eve']
  const result = planRound(inputs(names, { program: program({ lastNumber: 4, lastSlot: new Date(now.getTime() - 7 * DAY) }) }))
  if (!result.ok) throw new Error(result.reason)
  const { plan } = result
  t.equal(plan.number, 5)
  t.same(plan.followupAt, new Date(now.getTime() + 72 * 60 * 60_000))
  t.equal(plan.eligibleCount, 5)
  t.same(plan.groups.map((g) => g.userIds.length).sort(), [2, 3], 'an odd count makes a trio')
  t.same(plan.groups.flatMap((g) => g.userIds).sort(), names, 'everyone once')
  plan.groups.forEach((g, index) => {
    t.equal(g.introKey, `intro:7:5:${index}`)
    t.equal(g.icebreakers.length, starterCount(g.userIds.length), 'two starters for a pair, three for a trio')
    t.equal(new Set(g.icebreakers).size, g.icebreakers.length, 'all different')
    t.ok(g.icebreakers.every((starter) => ICEBREAKERS.includes(starter)))
    t.same(g.usernames, g.userIds, 'usernames as Mattermost has them now, in the same order')
    t.same(g.names, g.userIds.map(() => ({ fullName: '', position: '' })), 'no names in Mattermost: none in the intro')
  })
  t.same(plan.alone, [])
  t.same(planRound(inputs(names, { program: program({ lastNumber: 4 }) })), result, 'the same seed, the same plan')
})

t.test('skips used, unresponsive people paused and told, newcomers of an everyone-here channel', async (t) => {
  const base = inputs(['ann', 'ben', 'cat', 'dan'])
  const participants = base.participants.map((p) => p.userId === 'cat' ? { ...p, skipNext: true } : p)
  const dan = participants.find((p) => p.userId === 'dan')!
  const users = new Map(base.users)
  users.set('newbie', { id: 'newbie', username: 'newbie', delete_at: 0 })
  const result = planRound({
    ...base,
    program: program({ mode: 'channel' }),
    participants,
    channelMemberIds: new Set(['bot', 'ann', 'ben', 'cat', 'dan', 'newbie']),
    users,
    unresponsive: [{ id: dan.id, userId: 'dan' }]
  })
  if (!result.ok) throw new Error(result.reason)
  const { plan } = result
  t.same(plan.skipsUsed, [participants.find((p) => p.userId === 'cat')!.id])
  t.same(plan.autoPaused, [{ id: dan.id, userId: 'dan', key: deliveryKeys.autopause(7, 1, 'dan') }])
  t.same(plan.newParticipants, [{ userId: 'newbie', username: 'newbie' }])
  t.same(plan.groups.flatMap((g) => g.userIds).sort(), ['ann', 'ben', 'newbie'])
  t.match(plan.excluded, { skipping: 1, unresponsive: 1 })
})

t.test('someone nobody can meet is alone, with a message key of their own', async (t) => {
  const result = planRound(inputs(['ann', 'ben'], { blocks: [['ann', 'ben']] }))
  if (!result.ok) throw new Error(result.reason)
  t.same(result.plan.groups, [])
  t.same(result.plan.alone, [
    { userId: 'ann', username: 'ann', key: 'alone:7:1:ann' },
    { userId: 'ben', username: 'ben', key: 'alone:7:1:ben' }
  ])
})

t.test('full names and positions as Mattermost has them, for the intro; the nickname when there is no name', async (t) => {
  const base = inputs(['ann', 'ben'])
  const users = new Map([
    ['ann', { id: 'ann', username: 'ann', delete_at: 0, first_name: 'Ana ', last_name: 'Lima', nickname: 'Annie', position: 'Product designer' }],
    ['ben', { id: 'ben', username: 'ben', delete_at: 0, first_name: '', last_name: '', nickname: 'Benny', position: '' }]
  ])
  const result = planRound({ ...base, users })
  if (!result.ok) throw new Error(result.reason)
  const [group] = result.plan.groups
  const byId = new Map(group!.userIds.map((id, i) => [id, group!.names[i]]))
  t.same(byId.get('ann'), { fullName: 'Ana Lima', position: 'Product designer' })
  t.same(byId.get('ben'), { fullName: 'Benny', position: '' })
})
