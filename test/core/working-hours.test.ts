// Working hours across time zones, pure: parsing the setting, each person's working time on the actual dates of a
// week, what a group shares, and the intro's line about it.
import t from 'tap'
import { availability, describeWorkingHours, groupCanMeet, meetingWindowLine, parseWorkingHours, readWorkingHours, workingIntervals } from '../../src/core/working-hours.js'

const monday = new Date('2026-11-30T09:00:00Z')
const nineToFive = { start: 9, end: 17 }

t.test('parseWorkingHours: whole hours, start before end; a clear error otherwise', async (t) => {
  t.same(parseWorkingHours('8-18'), { ok: true, value: { start: 8, end: 18 } })
  t.same(parseWorkingHours(' 08:00 – 18:00 '), { ok: true, value: { start: 8, end: 18 } })
  t.same(parseWorkingHours('0-24'), { ok: true, value: { start: 0, end: 24 } })
  for (const bad of ['18-8', '9-9', '9-25', 'nine to five', '', '9:30-17']) {
    const parsed = parseWorkingHours(bad)
    t.notOk(parsed.ok, `${JSON.stringify(bad)} is refused`)
    if (!parsed.ok) t.match(parsed.error, /like `9-17` or `8-18`/)
  }
  t.same(readWorkingHours('garbage'), nineToFive, 'a stored value that cannot be read is the default')
  t.equal(describeWorkingHours({ start: 8, end: 18 }), '08:00–18:00')
})

t.test('workingIntervals: the local weekdays of the week from the round, daylight saving as it falls', async (t) => {
  const berlin = workingIntervals('Europe/Berlin', nineToFive, monday)
  t.equal(berlin.length, 6, 'Monday (from the round on) to Friday, and next Monday until the week is over; no weekend')
  t.same(berlin[0], [Date.parse('2026-11-30T09:00:00Z'), Date.parse('2026-11-30T16:00:00Z')], 'Monday from the round start at 10:00 to 17:00 CET')
  t.same(berlin[4], [Date.parse('2026-12-04T08:00:00Z'), Date.parse('2026-12-04T16:00:00Z')])
  t.same(berlin[5], [Date.parse('2026-12-07T08:00:00Z'), Date.parse('2026-12-07T09:00:00Z')], 'seven days from the round, to the minute')
  // 29 March 2026 is a Sunday: Friday before it is CET, Monday after is CEST.
  const spring = workingIntervals('Europe/Berlin', nineToFive, new Date('2026-03-27T00:00:00Z'))
  t.same(spring[0], [Date.parse('2026-03-27T08:00:00Z'), Date.parse('2026-03-27T16:00:00Z')], 'Friday in CET')
  t.same(spring[1], [Date.parse('2026-03-30T07:00:00Z'), Date.parse('2026-03-30T15:00:00Z')], 'Monday in CEST')
})

t.test('availability: zones as classes, unknown and invalid zones fit anyone, a group shares an hour or not', async (t) => {
  const avail = availability(new Map([['ana', 'Europe/Berlin'], ['eva', 'Europe/Berlin'], ['ben', 'America/Los_Angeles'], ['kai', 'Asia/Tokyo'], ['zoe', ''], ['max', 'Mars/Olympus']]), nineToFive, monday)
  t.equal(avail.classOf.get('ana'), avail.classOf.get('eva'), 'one class per zone')
  t.equal(avail.classOf.has('zoe') || avail.classOf.has('max'), false)
  t.ok(groupCanMeet(['ana', 'eva'], avail))
  t.notOk(groupCanMeet(['ana', 'ben'], avail), 'Berlin 09–17 and Los Angeles 09–17 never overlap')
  t.notOk(groupCanMeet(['ana', 'kai'], avail), 'Berlin and Tokyo only touch at 09:00 in Berlin')
  t.ok(groupCanMeet(['ben', 'kai'], avail), 'Los Angeles at 16:00 is Tokyo at 09:00 the next day')
  t.ok(groupCanMeet(['ana', 'zoe', 'max'], avail), 'unknown zones fit anyone')
  t.notOk(groupCanMeet(['ana', 'ben', 'zoe'], avail))
})

t.test('meetingWindowLine: the shared window in each member\'s own time, or plainly that there is none', async (t) => {
  const ana = { username: 'ana', zone: 'Europe/Berlin' }
  const ben = { username: 'ben', zone: 'America/Los_Angeles' }
  const kai = { username: 'kai', zone: 'Asia/Tokyo' }
  t.equal(meetingWindowLine([ben, kai], nineToFive, monday), '🕘 **When you can all meet:** Mon–Thu, 16:00–17:00 for @ben (America/Los_Angeles), 09:00–10:00 for @kai (Asia/Tokyo).', 'Friday in Los Angeles is Saturday in Tokyo')
  t.equal(meetingWindowLine([ana, ben], { start: 8, end: 18 }, monday), '🕘 **When you can all meet:** Mon–Fri, 17:00–18:00 for @ana (Europe/Berlin), 08:00–09:00 for @ben (America/Los_Angeles).')
  t.equal(meetingWindowLine([ana, ben], nineToFive, monday), "🌍 Your working hours (09:00–17:00 on weekdays, each in your own time zone) don't overlap this week: a chat in this thread at your own pace works too.")
  t.equal(meetingWindowLine([ana, { username: 'eva', zone: 'Europe/Berlin' }], nineToFive, monday), '', 'one zone: nothing to add')
  t.equal(meetingWindowLine([ana, { username: 'zoe', zone: '' }], nineToFive, monday), '', 'one known zone: nothing to add')
})
