// What a group's answers add up to, and the totals stats show, decided directly.
import t from 'tap'
import { groupOutcome, isSettled, outcomeTotals } from '../../src/core/outcomes.js'

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
