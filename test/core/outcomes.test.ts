// What a group's answers add up to, the totals stats show, and who of a group sat its round out, decided directly.
import t from 'tap'
import { droppedOut, groupOutcome, isSettled, membersWhoSatOut, outcomeTotals } from '../../src/core/outcomes.js'

t.test('one "we met" settles it; otherwise a cancellation; "not yet" stays open', async (t) => {
  t.equal(groupOutcome([]), 'no_answer')
  t.equal(groupOutcome(['not_yet']), 'not_yet')
  t.equal(groupOutcome(['not_yet', 'cancelled']), 'cancelled')
  t.equal(groupOutcome(['cancelled', 'met', 'not_yet']), 'met')
  t.same(['met', 'cancelled', 'not_yet', 'no_answer'].map((o) => isSettled(o as Parameters<typeof isSettled>[0])), [true, true, false, false])
})

t.test('totals over the groups that were asked, the met rate to three places', async (t) => {
  t.same(outcomeTotals([]), { groups: 0, met: 0, not_met: 0, no_answer: 0, met_rate: null }, 'nobody asked yet: no rate')
  t.same(outcomeTotals(['met', 'met', 'cancelled', 'not_yet', 'no_answer', 'met']), { groups: 6, met: 3, not_met: 2, no_answer: 1, met_rate: 0.5 })
  t.equal(outcomeTotals(['met', 'no_answer', 'no_answer']).met_rate, 0.333)
  t.same(outcomeTotals([{ outcome: 'met', count: 3 }, { outcome: 'cancelled', count: 1 }, 'not_yet', { outcome: 'no_answer', count: 1 }, { outcome: 'met', count: 0 }]),
    outcomeTotals(['met', 'met', 'cancelled', 'not_yet', 'no_answer', 'met']), 'counts add up as the outcomes they stand for')
})

t.test('dropped out since the intro: a skip still waiting, a pause reaching past the round start, having left', async (t) => {
  const start = new Date('2026-11-23T09:00:00Z')
  const stayed = { status: 'active' as const, skipNext: false, pausedUntil: null, autoPausedAt: null }
  t.notOk(droppedOut(stayed, start), 'nothing changed')
  t.ok(droppedOut({ ...stayed, skipNext: true }, start), 'skipped: the round would have used the skip up had it been there at the start')
  t.ok(droppedOut({ ...stayed, pausedUntil: new Date('2026-12-07T09:00:00Z') }, start), 'paused during the round')
  t.notOk(droppedOut({ ...stayed, pausedUntil: new Date('2026-11-20T09:00:00Z') }, start), 'a pause that ended before the round is none')
  t.ok(droppedOut({ ...stayed, status: 'left' }, start), 'left')
})

t.test('who of a group sat its round out', async (t) => {
  const members = (...dropped: boolean[]) => dropped.map((droppedOut, i) => ({ userId: `u${i}`, droppedOut }))
  t.same(membersWhoSatOut('cancelled', members(false, false)), ['u0', 'u1'], 'could not make it: everyone')
  t.same(membersWhoSatOut('not_yet', members(false, true)), ['u0', 'u1'], 'still not yet: everyone')
  t.same(membersWhoSatOut('no_answer', members(false, true)), ['u0'], 'the one left when the other dropped out')
  t.same(membersWhoSatOut('no_answer', members(true, false, true)), ['u1'], 'the one left of a trio')
  t.same(membersWhoSatOut('no_answer', members(false, true, false)), [], 'two left can still meet')
  t.same(membersWhoSatOut('no_answer', members(true, true)), [], 'all dropped out: nobody left waiting')
  t.same(membersWhoSatOut('met', members(false, true)), [], 'they said they met: they met')
  t.same(membersWhoSatOut('no_answer', members(false, false)), [], 'no answer says nothing')
})
