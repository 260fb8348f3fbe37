// Reading and writing history files: the pure part of POST/GET /api/channels/:id/history.
import t from 'tap'
import fc from 'fast-check'
import { formatHistoryCsv, groupKey, parseHistoryCsv, planHistoryImport } from '../../src/core/history.js'

t.test('CSV: quotes, a byte-order mark, blank lines and an optional header', async (t) => {
  t.same(parseHistoryCsv('\uFEFFdate,a,b\n\n"2026-10-05", "alice" ,"b""ob"\r\n2026-10-06,carol,dave,\n'), [
    { line: 3, date: '2026-10-05', usernames: ['alice', 'b"ob'] },
    { line: 4, date: '2026-10-06', usernames: ['carol', 'dave'] }
  ])
  t.same(parseHistoryCsv('2026-10-05,alice,bob'), [{ line: 1, date: '2026-10-05', usernames: ['alice', 'bob'] }], 'no header')
  t.same(parseHistoryCsv('2026-10-05,alice,bob\ndate,x,y').length, 2, 'only the first line can be a header')
  t.same(parseHistoryCsv(''), [])
})

t.test('what the export writes, the import reads back as the same groups', async (t) => {
  const name = fc.stringMatching(/^[a-z0-9._-]{1,12}$/)
  const day = fc.integer({ min: 0, max: 3650 }).map((d) => new Date(Date.UTC(2020, 0, 1) + d * 86_400_000))
  fc.assert(fc.property(fc.array(fc.record({ date: day, usernames: fc.uniqueArray(name, { minLength: 2, maxLength: 8 }) }), { maxLength: 30 }), (groups) => {
    const lines = parseHistoryCsv(formatHistoryCsv(groups))
    const known = new Map(groups.flatMap((g) => g.usernames).map((u) => [u, `id-${u}`]))
    const plan = planHistoryImport({ lines, known, existing: new Set(), now: new Date('2031-01-01T00:00:00Z') })
    const expected = new Set(groups.map((g) => groupKey(g.date, g.usernames.map((u) => `id-${u}`))))
    t.equal(plan.groups.length, expected.size)
    t.same(new Set(plan.groups.map((g) => groupKey(g.date, g.userIds))), expected)
    t.equal(plan.skipped.length, groups.length - expected.size, 'only repeats of a line are skipped')
    const again = planHistoryImport({ lines, known, existing: expected, now: new Date('2031-01-01T00:00:00Z') })
    t.equal(again.groups.length, 0, 'importing what is there adds nothing')
  }), { seed: 14, numRuns: 50 })
})

t.test('a group is the same people on the same day, in any order, named any way', async (t) => {
  const lines = parseHistoryCsv('2026-10-05,alice,bob\n2026-10-05,@BOB,alice\n2026-10-05,alice,bob,alice\n2026-10-06,alice,bob')
  const plan = planHistoryImport({ lines, known: new Map([['alice', 'a'], ['bob', 'b']]), existing: new Set(), now: new Date('2026-11-01') })
  t.same(plan.groups.map((g) => groupKey(g.date, g.userIds)), ['2026-10-05|a,b', '2026-10-06|a,b'])
  t.same(plan.skipped.map((s) => s.reason), ['duplicate', 'duplicate'])
})
