// Reading Coffee's Markdown tables the way Mattermost shows them.
// - The mobile app parses with @mattermost/commonmark: we use it as is, and read each cell's text.
// - The web app parses with Mattermost's fork of marked 0.3.6 (webapp/channels/package.json pins
//   github:mattermost/marked#e4a8785), which npm does not serve. Its table rule is small and is restated here:
//   a row is split on every `|` not preceded by a backslash (splitOnPipes in its lib/marked.js), after the outer
//   pipes are cut; every piece becomes a cell, extra ones included; a code span keeps `\|` as typed, backslash shown.
import type { Test } from 'tap'
import { Parser, type Node } from '@mattermost/commonmark'

export interface MattermostTable {
  /** Each row's cells as the mobile app shows them (text only), the header row first. */
  rows: string[][]
  /** How many cells the web app makes of each source line (header, delimiter, rows). */
  webCells: number[]
  /** Code spans in cells that hold a `|`: the web app shows those with a backslash before it. */
  pipesInCode: string[]
}

/** The text a person reads in a cell: mentions, channel links and emoji as typed, formatting gone. */
function plainText (node: Node): string {
  switch (node.type) {
    case 'text':
    case 'code':
      return node.literal ?? ''
    case 'at_mention':
      return `@${node.mentionName ?? ''}`
    case 'channel_link':
      return `~${node.channelName ?? ''}`
    case 'emoji':
      return node.literal ?? `:${node.emoji ?? ''}:`
    case 'hashtag':
      return `#${(node as Node & { hashtag?: string }).hashtag ?? ''}`
    case 'softbreak':
    case 'linebreak':
      return ' '
    default: {
      let text = ''
      for (let child = node.firstChild; child !== null; child = child.next) text += plainText(child)
      return text
    }
  }
}

function codeWithPipes (node: Node): string[] {
  if (node.type === 'code') return (node.literal ?? '').includes('|') ? [node.literal!] : []
  const found: string[] = []
  for (let child = node.firstChild; child !== null; child = child.next) found.push(...codeWithPipes(child))
  return found
}

/** The web app's cell count for one table line (see the top of this file). */
function webCellCount (line: string): number {
  const inner = line.replace(/^ *\| *| *\| *$/g, '')
  let cells = 1
  for (let i = 0; i < inner.length; i++) if (inner[i] === '|' && inner[i - 1] !== '\\') cells++
  return cells
}

/** Every table in a message, as both Mattermost apps read it. */
export function mattermostTables (markdown: string): MattermostTable[] {
  const lines = markdown.split('\n')
  const tables: MattermostTable[] = []
  const document = new Parser().parse(markdown)
  for (let table = document.firstChild; table !== null; table = table.next) {
    if (table.type !== 'table') continue
    const rows: string[][] = []
    const pipesInCode: string[] = []
    for (let row = table.firstChild; row !== null; row = row.next) {
      const cells: string[] = []
      for (let cell = row.firstChild; cell !== null; cell = cell.next) {
        cells.push(plainText(cell).trim())
        pipesInCode.push(...codeWithPipes(cell))
      }
      rows.push(cells)
    }
    const [[first], [last]] = table.sourcepos
    tables.push({ rows, webCells: lines.slice(first - 1, last).map(webCellCount), pipesInCode })
  }
  return tables
}

/**
 * Asserts that each table in `markdown` shows as meant in both apps: the web app makes exactly the header's number
 * of cells of every line, and no code span holds a `|`. Returns the tables' rows (text as the mobile app shows it).
 */
export function tablesOf (t: Test, markdown: string): string[][][] {
  const tables = mattermostTables(markdown)
  for (const [i, table] of tables.entries()) {
    const width = table.rows[0]?.length ?? 0
    t.same(table.webCells, table.webCells.map(() => width), `table ${i + 1}: the web app makes ${width} cells of every line`)
    t.same(table.pipesInCode, [], `table ${i + 1}: no code span holds a |`)
  }
  return tables.map((table) => table.rows)
}
