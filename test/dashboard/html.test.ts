// HTML is escaped unless it is already Html; JSON data blocks cannot be closed from inside.
import t from 'tap'
import { html, jsonScript, inlineMarkdown, escapeHtml } from '../../src/dashboard/html.js'

t.test('values are escaped, Html and lists are not', async (t) => {
  const name = '<img src=x onerror=alert(1)> & "quotes" \'too\''
  t.equal(html`<p title="${name}">${name}</p>`.text, '<p title="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;">&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;</p>')
  t.equal(html`<ul>${['a', '<b>'].map((x) => html`<li>${x}</li>`)}</ul>`.text, '<ul><li>a</li><li>&lt;b&gt;</li></ul>')
  t.equal(html`${null}${undefined}${false}${0}`.text, '0')
  t.equal(escapeHtml('a&b'), 'a&amp;b')
})

t.test('a JSON block survives hostile strings', async (t) => {
  const block = jsonScript('data', { name: '</script><script>alert(1)</script>', line: '\u2028' }).text
  t.notMatch(block.slice(0, -'</script>'.length), /<\/script/i)
  const json = block.replace(/^<script type="application\/json" id="data">/, '').replace(/<\/script>$/, '')
  t.same(JSON.parse(json), { name: '</script><script>alert(1)</script>', line: '\u2028' })
})

t.test('inline Markdown: bold and code, after escaping', async (t) => {
  t.equal(inlineMarkdown('Done: **every 2 weeks**, see `/coffee config` <now>').text, 'Done: <strong>every 2 weeks</strong>, see <code>/coffee config</code> &lt;now&gt;')
})
