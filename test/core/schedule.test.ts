import t from 'tap'
import { reminderTime, dueSlot, nextSlot } from '../../src/core/schedule.js'
import { DAY_MS } from '../../src/core/durations.js'

const monday = new Date('2026-11-23T09:00:05Z')

t.test('a program that never had a round is due now', async (t) => {
  const now = new Date('2026-11-23T10:00:00Z')
  t.same(dueSlot({ cadenceDays: 7, lastSlot: null }, now), now)
  t.equal(nextSlot({ cadenceDays: 7, lastSlot: null }), null)
})

t.test('a weekly cron firing a few seconds early never skips a week', async (t) => {
  const early = new Date(monday.getTime() + 7 * DAY_MS - 4000)
  t.same(dueSlot({ cadenceDays: 7, lastSlot: monday }, early), new Date(monday.getTime() + 7 * DAY_MS), 'due, and the slot stays anchored')
})

t.test('a frequent cron starts the round at most an hour before its slot, without drifting', async (t) => {
  const slot = new Date(monday.getTime() + 7 * DAY_MS)
  t.equal(dueSlot({ cadenceDays: 7, lastSlot: monday }, new Date(slot.getTime() - 61 * 60_000)), null)
  t.same(dueSlot({ cadenceDays: 7, lastSlot: monday }, new Date(slot.getTime() - 59 * 60_000)), slot)
  t.same(dueSlot({ cadenceDays: 7, lastSlot: monday }, new Date(slot.getTime() + 3 * DAY_MS)), slot, 'late calls keep the slot')
})

t.test('a whole missed cadence re-anchors on now instead of firing rounds back to back', async (t) => {
  const now = new Date(monday.getTime() + 15 * DAY_MS)
  t.same(dueSlot({ cadenceDays: 7, lastSlot: monday }, now), now)
})

t.test('short cadences get a proportionally small tolerance', async (t) => {
  const lastSlot = new Date('2026-11-23T09:00:00Z')
  t.equal(dueSlot({ cadenceDays: 1, lastSlot }, new Date(lastSlot.getTime() + DAY_MS - 3 * 60 * 60_000)), null)
  t.ok(dueSlot({ cadenceDays: 1, lastSlot }, new Date(lastSlot.getTime() + DAY_MS - 30 * 60_000)))
})

t.test('a "not yet" reminder goes out halfway to the next round, unless that is less than four hours away', async (t) => {
  const now = new Date('2026-11-23T09:00:00Z')
  t.same(reminderTime(now, new Date('2026-11-30T09:00:00Z')), new Date('2026-11-26T21:00:00Z'))
  t.same(reminderTime(now, new Date('2026-11-23T13:00:00Z')), new Date('2026-11-23T11:00:00Z'), 'four hours: still worth it')
  t.equal(reminderTime(now, new Date('2026-11-23T12:59:59Z')), null, 'less: not')
  t.equal(reminderTime(now, null), null, 'no next round')
})
