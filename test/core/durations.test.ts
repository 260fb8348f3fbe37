import t from 'tap'
import { parseDays, parseDate, parsePauseEnd, parseCadence, parseHours, formatDate, describeCadence, describeHours, describeFollowupDelay, DAY_MS } from '../../src/core/durations.js'

const now = new Date('2026-11-23T09:00:00Z')

t.test('durations people type', async (t) => {
  t.same(parseDays('2w'), { ok: true, value: 14 })
  t.same(parseDays('10d'), { ok: true, value: 10 })
  t.same(parseDays(' 3 Weeks '), { ok: true, value: 21 })
  t.same(parseDays('1 month'), { ok: true, value: 30 })
  t.match(parseDays('soon'), { ok: false, error: /couldn't read "soon"/ })
  t.match(parseDays('2 fortnights'), { ok: false })
  t.match(parseDays('0d'), { ok: false, error: /at least one day/ })
})

t.test('dates are checked for existence', async (t) => {
  t.same(parseDate('2026-12-24'), { ok: true, value: new Date('2026-12-24T00:00:00Z') })
  t.match(parseDate('2026-02-30'), { ok: false, error: /not a real date/ })
  t.match(parseDate('24/12/2026'), { ok: false, error: /2026-12-24/ })
})

t.test('pause ends', async (t) => {
  t.same(parsePauseEnd('2w', now), { ok: true, value: new Date(now.getTime() + 14 * DAY_MS) })
  t.same(parsePauseEnd('until 2026-12-24', now), { ok: true, value: new Date('2026-12-24T00:00:00Z') })
  t.same(parsePauseEnd('UNTIL   2026-12-24', now), { ok: true, value: new Date('2026-12-24T00:00:00Z') })
  t.match(parsePauseEnd('until 2026-11-01', now), { ok: false, error: /already past/ })
  t.match(parsePauseEnd('until 2026-11-23', now), { ok: false, error: /already past/ }, 'today at midnight is past')
  t.match(parsePauseEnd('until 2028-01-01', now), { ok: false, error: /more than a year/ })
  t.match(parsePauseEnd('400d', now), { ok: false, error: /a year at most/ })
  t.match(parsePauseEnd('', now), { ok: false, error: /How long/ })
  t.match(parsePauseEnd('forever', now), { ok: false, error: /couldn't read/ })
})

t.test('cadence and follow-up delay', async (t) => {
  t.same(parseCadence('every 2 weeks'), { ok: true, value: 14 })
  t.same(parseCadence('10 days'), { ok: true, value: 10 })
  t.match(parseCadence('every 200 days'), { ok: false, error: /1 to 90 days/ })
  t.match(parseCadence('fortnightly'), { ok: false })
  t.same(parseHours('0'), { ok: true, value: 0 })
  t.same(parseHours('48 hours'), { ok: true, value: 48 })
  t.same(parseHours('3 days'), { ok: true, value: 72 })
  t.same(parseHours('1w'), { ok: true, value: 168 })
  t.match(parseHours('31 days'), { ok: false, error: /at most 30 days/ })
  t.match(parseHours('later'), { ok: false })
})

t.test('formatting', async (t) => {
  t.equal(formatDate(new Date('2026-12-24T00:00:00Z')), 'Thu 24 Dec 2026')
  t.equal(describeCadence(7), 'every week')
  t.equal(describeCadence(14), 'every 2 weeks')
  t.equal(describeCadence(10), 'every 10 days')
  t.equal(describeCadence(1), 'every day')
})

t.test('amounts of time read as a person would write them, 0 included', async (t) => {
  t.same([1, 5, 24, 36, 72, 168, 336, 720, 0].map(describeHours),
    ['an hour', '5 hours', 'a day', '36 hours', '3 days', 'a week', '2 weeks', '30 days', '0 hours'])
  t.equal(describeFollowupDelay(72), '3 days after each intro')
  t.equal(describeFollowupDelay(24), 'a day after each intro')
  t.equal(describeFollowupDelay(0), 'at the next scheduler run after each intro', 'no delay: not "0 hours after"')
})
