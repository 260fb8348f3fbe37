// Markdown that Mattermost shows as meant, in the web app (its fork of `marked`) and in the mobile app
// (@mattermost/commonmark). Every table Coffee sends is built here.
//
// A `|` in a table cell must be written `\|`, even inside backticks: both apps split cells on every `|` not preceded
// by a backslash. Inside a code span the two then differ: the mobile app turns `\|` back into `|`, the web app shows
// the backslash. So a pipe inside a code span is moved out of it: `a | b` (code) becomes `a` \| `b`.

/** A column: its header, left-aligned; or `{ header, align: 'right' }` for numbers. */
export type Column = string | { header: string, align: 'left' | 'right' }

/** One cell: inline Markdown (every `|` in it is content, escaped here), or a number. */
export type Cell = string | number

/** A table with a header row; every row has exactly one cell per column. */
export function markdownTable (columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  const header = columns.map((c) => typeof c === 'string' ? c : c.header)
  const delimiter = columns.map((c) => typeof c !== 'string' && c.align === 'right' ? '--:' : ':--')
  return [
    line(header.map(tableCell)),
    `|${delimiter.join('|')}|`,
    ...rows.map((row, i) => {
      if (row.length !== columns.length) throw new Error(`Row ${i} has ${row.length} cells for ${columns.length} columns`)
      return line(row.map((cell) => tableCell(String(cell))))
    })
  ].join('\n')
}

/** A code span holding `text` as is: a fence longer than any run of backticks inside, one line. */
export function inlineCode (text: string): string {
  const flat = oneLine(text)
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  // A space beside a backtick inside keeps it from joining the fence; both parsers strip one space each side.
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** Line breaks (and the spaces around them) as one space: a table row and a code span are one line each. */
function oneLine (text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ')
}

/** A cell's Markdown on one line, with every `|` escaped so that it stays inside the cell in both apps. */
function tableCell (markdown: string): string {
  const text = oneLine(markdown).trim()
  let out = ''
  let i = 0
  while (i < text.length) {
    const char = text[i]!
    if (char === '\\' && i + 1 < text.length) {
      // An escape (`\|` included) is already what the author meant.
      out += text.slice(i, i + 2)
      i += 2
    } else if (char === '|') {
      out += '\\|'
      i += 1
    } else if (char === '`') {
      const fence = /^`+/.exec(text.slice(i))![0]
      const close = closingFence(text, i + fence.length, fence.length)
      if (close === -1) {
        // No closing fence: the backticks are plain text.
        out += fence
        i += fence.length
      } else {
        out += codeSpanWithoutPipes(fence, text.slice(i + fence.length, close))
        i = close + fence.length
      }
    } else {
      out += char
      i += 1
    }
  }
  return out
}

/** Where a run of exactly `length` backticks starts, from `from` on; -1 if none (CommonMark's rule for code spans). */
function closingFence (text: string, from: number, length: number): number {
  const runs = /`+/g
  runs.lastIndex = from
  for (let run = runs.exec(text); run !== null; run = runs.exec(text)) {
    if (run[0].length === length) return run.index
  }
  return -1
}

/** A code span, split around each `|` so that the pipes sit outside it, escaped; the spaces around them too. */
function codeSpanWithoutPipes (fence: string, content: string): string {
  if (!content.includes('|')) return `${fence}${content}${fence}`
  return content.split('|').map((piece) => {
    const [, before = '', core = '', after = ''] = /^(\s*)(.*?)(\s*)$/.exec(piece) ?? []
    if (core === '') return before + after
    const pad = core.startsWith('`') || core.endsWith('`') ? ' ' : ''
    return `${before}${fence}${pad}${core}${pad}${fence}${after}`
  }).join('\\|')
}
