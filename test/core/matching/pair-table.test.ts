import t from 'tap'
import { PairTable } from '../../../src/core/matching/pair-table.js'
import { createRandom } from '../../../src/core/matching/random.js'

t.test('unordered pairs, latest round wins, grows past its initial size', async (t) => {
  const table = new PairTable(1)
  table.add(3, 1, 5)
  table.add(1, 3, 2)
  t.equal(table.lastMet(1, 3), 5)
  t.equal(table.lastMet(3, 1), 5)
  t.equal(table.lastMet(1, 2), undefined)
  const random = createRandom(9)
  const expected = new Map<string, number>()
  for (let i = 0; i < 20_000; i++) {
    const a = Math.floor(random() * 500)
    const b = Math.floor(random() * 500)
    if (a === b) continue
    const round = Math.floor(random() * 100)
    table.add(a, b, round)
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`
    expected.set(key, Math.max(expected.get(key) ?? -1, round))
  }
  let wrong = 0
  for (const [key, round] of expected) {
    const [a, b] = key.split('-').map(Number) as [number, number]
    if (table.lastMet(b, a) !== round) wrong++
  }
  t.equal(wrong, 0)
  let seen = 0
  table.forEach((a, b, round) => {
    seen++
    if (a >= b || (expected.get(`${a}-${b}`) ?? table.lastMet(a, b)) !== round) wrong++
  })
  t.equal(wrong, 0)
  t.equal(seen, table.size)
  t.equal(table.size, expected.has('1-3') ? expected.size : expected.size + 1)
})
