// Which pairs a "We already know each other" click records, and how the intro and a person's history say it.
import t from 'tap'
import { orderedPair, pairsOfClick, acquaintedBy } from '../../src/core/acquaintances.js'
import { acquaintedLines, acquaintedNote } from '../../src/core/messages.js'

t.test('a click records the clicker with each other member, each pair smaller id first', async (t) => {
  t.same(orderedPair(9, 4), [4, 9])
  t.same(pairsOfClick(7, [3, 7]), [[3, 7]], 'a pair')
  t.same(pairsOfClick(5, [3, 5, 8]), [[3, 5], [5, 8]], 'a trio: not the two others\' own pair')
  t.same(pairsOfClick(5, [3, 8]), [[3, 5], [5, 8]], 'whatever the list holds besides the clicker')
})

t.test('the intro names each clicker once, in the order they said it', async (t) => {
  const said = acquaintedBy([
    { recordedBy: 'cy', a: 'ana', b: 'cy' },
    { recordedBy: 'cy', a: 'ben', b: 'cy' },
    { recordedBy: 'ana', a: 'ana', b: 'ben' }
  ])
  t.same(said, [{ clicker: 'cy', knows: ['ana', 'ben'] }, { clicker: 'ana', knows: ['ben'] }])
  t.equal(acquaintedLines(said), [
    "🤝 @cy already knows @ana and @ben — I won't group them together again.",
    "🤝 @ana and @ben already know each other — I won't pair them again."
  ].join('\n'))
})

t.test('history says "already knew each other" of a whole group, or names whom', async (t) => {
  t.equal(acquaintedNote(['ben'], []), '')
  t.equal(acquaintedNote(['ben'], ['ben']), '🤝 already knew each other')
  t.equal(acquaintedNote(['ben', 'cy'], ['cy']), '🤝 already knew @cy')
})
