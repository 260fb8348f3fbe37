// A person's state in a program, and when a visit is worth writing, decided directly.
import t from 'tap'
import { participationState, visitWorthWriting, fairAnswerTimeMs, SEEN_PRECISION_MS } from '../../src/core/participation.js'
import { DAY_MS } from '../../src/core/durations.js'

const now = new Date('2026-11-23T09:00:00Z')
const optin = { mode: 'optin' as const, paused: false }
const channel = { mode: 'channel' as const, paused: false }
const person = { status: 'active' as const, skipNext: false, pausedUntil: null, autoPausedAt: null }

t.test('joined, skipping, paused, auto-paused and eligible', async (t) => {
  t.same(participationState(optin, null, now), { joined: false, skipping: false, pausedUntil: null, autoPaused: false, eligible: false }, 'opt-in without a row: not in')
  t.same(participationState(channel, null, now), { joined: true, skipping: false, pausedUntil: null, autoPaused: false, eligible: true }, 'everyone-here: in without a row')
  t.equal(participationState(channel, { ...person, status: 'left' }, now).joined, false, 'unless they left')
  t.same(participationState(optin, { ...person, skipNext: true }, now), { joined: true, skipping: true, pausedUntil: null, autoPaused: false, eligible: false })
  const until = new Date('2026-12-01T00:00:00Z')
  t.same(participationState(optin, { ...person, pausedUntil: until }, now).pausedUntil, until)
  t.equal(participationState(optin, { ...person, pausedUntil: new Date('2026-11-01T00:00:00Z') }, now).eligible, true, 'a pause that ended is over')
  t.same(participationState(optin, { ...person, autoPausedAt: now }, now), { joined: true, skipping: false, pausedUntil: null, autoPaused: true, eligible: false })
  t.same(participationState(optin, { ...person, status: 'left', skipNext: true, autoPausedAt: now }, now), { joined: false, skipping: false, pausedUntil: null, autoPaused: false, eligible: false }, 'someone who left is only "not in"')
})

t.test('a visit is worth writing when there was none, or the last is a minute old', async (t) => {
  t.equal(visitWorthWriting(null, now), true)
  t.equal(visitWorthWriting(new Date(now.getTime() - SEEN_PRECISION_MS - 1), now), true)
  t.equal(visitWorthWriting(new Date(now.getTime() - SEEN_PRECISION_MS), now), false)
  t.equal(visitWorthWriting(now, now), false)
})

t.test('a fair time to answer "did you meet?" is a day, or half the cadence when that is shorter', async (t) => {
  t.equal(fairAnswerTimeMs(7), DAY_MS)
  t.equal(fairAnswerTimeMs(2), DAY_MS)
  t.equal(fairAnswerTimeMs(1), DAY_MS / 2, 'daily rounds: twelve hours')
})
