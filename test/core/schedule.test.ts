import t from 'tap'
import { reminderTime, dueSlot, nextSlot, changedStart } from '../../src/core/schedule.js'
import { DAY_MS } from '../../src/core/durations.js'

const monday = new Date('2026-11-23T09:00:05Z')

t.test('round 1 waits for a start, and is due at it', async (t) => {
  const now = new Date('2026-11-23T10:00:00Z')
  t.equal(dueSlot({ cadenceDays: 7, lastSlot: null }, now), null, 'no start chosen: not due')
  t.equal(nextSlot({ cadenceDays: 7, lastSlot: null }), null)
  const start = new Date('2026-11-30T09:00:00Z')
  t.same(nextSlot({ cadenceDays: 7, lastSlot: null, start }), start)
  t.equal(dueSlot({ cadenceDays: 7, lastSlot: null, start }, now), null, 'a week early: not yet')
  t.same(dueSlot({ cadenceDays: 7, lastSlot: null, start }, new Date('2026-11-30T08:30:00Z')), start, 'within the tolerance: due, with its slot')
})

t.test('later rounds keep the time of day in the channel\'s zone across daylight saving', async (t) => {
  const start = new Date('2027-03-22T09:00:00Z') // Monday 10:00 in Berlin (CET)
  const input = { cadenceDays: 7, start, timezone: 'Europe/Berlin' }
  const second = nextSlot({ ...input, lastSlot: start })
  t.same(second, new Date('2027-03-29T08:00:00Z'), 'Monday 10:00 CEST: an hour earlier in UTC')
  t.same(nextSlot({ ...input, lastSlot: second }), new Date('2027-04-05T08:00:00Z'))
  t.same(nextSlot({ cadenceDays: 7, start, lastSlot: start }), new Date('2027-03-29T09:00:00Z'), 'in UTC, the UTC hour stays')
})

t.test('an admin\'s new day, time or zone moves the next start', async (t) => {
  const now = new Date('2026-11-30T11:00:00Z') // a Monday
  t.same(changedStart({ cadenceDays: 7, lastSlot: null }, { weekday: 3, timezone: 'Europe/Berlin' }, now), new Date('2026-12-02T09:00:00Z'), 'a day alone: Wednesday at the default 10:00')
  const input = { cadenceDays: 7, lastSlot: new Date('2026-11-23T09:00:00Z'), start: new Date('2026-11-23T09:00:00Z'), timezone: 'Europe/Berlin' }
  t.same(changedStart(input, { time: { hour: 14, minute: 30 } }, now), new Date('2026-11-30T13:30:00Z'), 'a time alone keeps the weekday: Monday 14:30 in Berlin is later today')
  t.same(changedStart(input, { weekday: 1, time: { hour: 12, minute: 0 } }, now), new Date('2026-12-07T11:00:00Z'), 'Monday 12:00 in Berlin is now: the next one is a week on')
  t.same(changedStart(input, { timezone: 'America/New_York' }, now), new Date('2026-11-30T15:00:00Z'), 'a new zone keeps the wall-clock time of the coming slot: Monday 10:00 in New York')
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

t.test('whole missed cadences are not made up for: the round takes the latest slot that has come', async (t) => {
  const now = new Date(monday.getTime() + 15 * DAY_MS)
  t.same(dueSlot({ cadenceDays: 7, lastSlot: monday }, now), new Date(monday.getTime() + 14 * DAY_MS), 'one round, on the schedule')
  const start = new Date('2026-11-23T09:00:00Z')
  t.same(dueSlot({ cadenceDays: 7, lastSlot: start, start, timezone: 'Europe/Berlin' }, new Date('2026-12-10T12:00:00Z')), new Date('2026-12-07T09:00:00Z'), 'still a Monday at 10:00 in Berlin')
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
