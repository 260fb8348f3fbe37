import t from 'tap'
import fc from 'fast-check'
import { markdownTable, inlineCode } from '../../src/core/markdown.js'
import { mattermostTables, tablesOf } from '../helpers/mattermost-markdown.js'

t.test('a table: header, delimiter (left, or right for numbers), one line per row', async (t) => {
  t.equal(markdownTable(['Round', { header: 'Groups', align: 'right' }], [['one', 5], ['two', 0]]), [
    '| Round | Groups |',
    '|:--|--:|',
    '| one | 5 |',
    '| two | 0 |'
  ].join('\n'))
  t.throws(() => markdownTable(['a', 'b'], [['only one']]), /Row 0 has 1 cells for 2 columns/)
})

t.test('a pipe stays in its cell, in plain text and in code, in both Mattermost apps', async (t) => {
  const table = markdownTable(['Command', 'What it does'], [
    ['`/coffee pause <2w | 10d | until 2026-12-24>`', 'Take a break.'],
    ['`config mode optin|channel`', 'either | or'],
    ['``a `tick` | b``', 'already \\| escaped'],
    ['a ` lone backtick | here', '`|`']
  ])
  t.equal(table.split('\n')[2], '| `/coffee pause <2w` \\| `10d` \\| `until 2026-12-24>` | Take a break. |', 'the pipes move out of the code span')
  t.same(tablesOf(t, table), [[
    ['Command', 'What it does'],
    ['/coffee pause <2w | 10d | until 2026-12-24>', 'Take a break.'],
    ['config mode optin|channel', 'either | or'],
    ['a `tick` | b', 'already | escaped'],
    ['a ` lone backtick | here', '|']
  ]])
})

t.test('the check sees what an unescaped pipe, or one escaped inside code, does', async (t) => {
  const [broken] = mattermostTables('| a | b |\n|:--|:--|\n| `x | y` | z |')
  t.same(broken!.webCells, [2, 2, 3], 'the web app makes a third cell')
  const [backslash] = mattermostTables('| a | b |\n|:--|:--|\n| `x \\| y` | z |')
  t.same(backslash!.webCells, [2, 2, 2])
  t.same(backslash!.pipesInCode, ['x | y'], 'the web app would show the backslash')
})

t.test('a cell is one line', async (t) => {
  t.same(tablesOf(t, markdownTable(['a', 'b'], [['two\nlines', 'x']])), [[['a', 'b'], ['two lines', 'x']]])
})

t.test('inlineCode holds any text, backticks included', async (t) => {
  t.equal(inlineCode('/coffee join'), '`/coffee join`')
  t.equal(inlineCode('a `b` c'), '``a `b` c``')
  t.equal(inlineCode('`x'), '`` `x ``')
  const tables = tablesOf(t, markdownTable(['typed'], [[inlineCode('dance ``wildly`` | x\n`')]]))
  t.same(tables, [[['typed'], ['dance ``wildly`` | x `']]])
})

t.test('property: cells of text and code with pipes read back as written, in as many cells as columns', async (t) => {
  const words = fc.stringMatching(/^[a-z|]{1,6}$/)
  const segment = fc.record({ code: fc.boolean(), words: fc.array(words, { minLength: 1, maxLength: 4 }) })
  const cell = fc.array(segment, { minLength: 1, maxLength: 3 })
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }).chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 3 })), (rows) => {
    const markdown = (c: typeof rows[number][number]) => c.map((s) => s.code ? inlineCode(s.words.join(' ')) : s.words.join(' ')).join(' ')
    const meant = (c: typeof rows[number][number]) => c.map((s) => s.words.join(' ')).join(' ')
    const width = rows[0]!.length
    const header = Array.from({ length: width }, (_, i) => `h${i}`)
    const [table] = mattermostTables(markdownTable(header, rows.map((row) => row.map(markdown))))
    return table !== undefined &&
      table.webCells.every((n) => n === width) &&
      table.pipesInCode.length === 0 &&
      JSON.stringify(table.rows) === JSON.stringify([header, ...rows.map((row) => row.map(meant))])
  }), { seed: 11, numRuns: 300 })
})
