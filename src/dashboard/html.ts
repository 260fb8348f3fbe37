// HTML built from template literals, escaped by default: a value is text unless it is already Html.
export class Html {
  constructor (readonly text: string) {}
  toString (): string { return this.text }
}

type Part = Html | string | number | null | undefined | false | readonly Part[]

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

function render (part: Part): string {
  if (part === null || part === undefined || part === false) return ''
  if (part instanceof Html) return part.text
  if (Array.isArray(part)) return part.map(render).join('')
  return escapeHtml(String(part))
}

export function html (strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!
  return new Html(out)
}

/**
 * Data for a same-origin script, in <script type="application/json">: never run, so CSP needs no inline script.
 * `<` and the JavaScript line separators are escaped so no string can close the element.
 */
export function jsonScript (id: string, data: unknown): Html {
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
  return html`<script type="application/json" id="${id}">${new Html(json)}</script>`
}

/** The little Markdown Coffee's sentences use (**bold**, `code`), escaped first. */
export function inlineMarkdown (text: string): Html {
  return new Html(escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>'))
}
