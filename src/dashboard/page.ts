// The dashboard as HTML: pure functions from a view to a page. Every value is escaped (html.ts); the chart's data
// travels in a JSON block that /dashboard/assets/dashboard.js reads, so the page runs no inline script.
import { html, jsonScript, inlineMarkdown, type Html } from './html.js'
import type { DashboardView } from './view.js'
import type { GroupOutcome, HistoryEntry } from '../store/stats.js'
import { describeSettings, DEFAULT_SETTINGS, SETTINGS, type FormField, type FormSetting } from '../core/settings.js'
import { formatDate } from '../core/durations.js'
import { IMPORTED_GROUP, acquaintedNote } from '../core/messages.js'

export const ASSET_PATH = '/dashboard/assets'

/** A settings form that could not be saved: what was typed, shown again, and each setting's error by field id. */
export interface FormState {
  values: Record<string, string>
  errors: Record<string, string>
}

const OUTCOME_TEXT: Record<GroupOutcome, string> = { met: 'met', cancelled: "couldn't make it", not_yet: 'not yet', no_answer: 'no answer' }
const ANSWER_TEXT = { met: 'we met', not_yet: 'not yet', cancelled: "couldn't make it" } as const

function percent (rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`
}

function channelTitle (view: { channelName: string, channelId: string }): string {
  return view.channelName === '' ? view.channelId : `~${view.channelName}`
}

export function layout (title: string, body: Html, { charts = false }: { charts?: boolean } = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<link rel="stylesheet" href="${ASSET_PATH}/dashboard.css">
${charts
? html`<link rel="stylesheet" href="${ASSET_PATH}/uPlot.min.css">
<script src="${ASSET_PATH}/uPlot.iife.min.js" defer></script>
<script src="${ASSET_PATH}/dashboard.js" defer></script>`
: ''}
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
${body}
</body>
</html>
`
}

/** A page that says what went wrong and what to do (an unusable link, no session, a stale form). */
export function messagePage (title: string, message: string): Html {
  return layout(`${title} · Coffee`, html`<main id="main" class="narrow">
<h1>☕ ${title}</h1>
<p class="message" role="alert">${inlineMarkdown(message)}</p>
</main>`)
}

function numbers (view: DashboardView): Html {
  const { stats } = view
  const items: [string, string, string | number][] = [
    ['participants', 'People who joined', stats.participants],
    ['active', 'Active now', stats.active],
    ['rounds', 'Rounds', stats.rounds],
    ['groups', 'Groups', stats.groups],
    ['asked', 'Groups asked "did you meet?"', stats.outcomes.groups],
    ['met', 'Groups that met', stats.outcomes.met],
    ['met_rate', 'Met rate', percent(stats.outcomes.met_rate)]
  ]
  return html`<section aria-labelledby="numbers-title">
<h2 id="numbers-title">In numbers</h2>
<dl class="numbers">${items.map(([key, label, value]) => html`<div><dt>${label}</dt><dd data-stat="${key}">${value}</dd></div>`)}</dl>
<p class="hint">Met rate: groups that said they met, out of the groups asked "did you meet?".</p>
</section>`
}

function chartData (view: DashboardView) {
  const trend = view.stats.trend
  return {
    rounds: trend.map((r) => r.number),
    dates: trend.map((r) => formatDate(r.startedAt)),
    metRate: trend.map((r) => r.outcomes.met_rate === null ? null : Math.round(r.outcomes.met_rate * 1000) / 10),
    eligible: trend.map((r) => r.eligible)
  }
}

function charts (view: DashboardView): Html {
  const trend = view.stats.trend
  if (trend.length === 0) {
    return html`<section aria-labelledby="trend-title"><h2 id="trend-title">Rounds over time</h2><p>No rounds yet, so nothing to draw.</p></section>`
  }
  const last = trend[trend.length - 1]!
  return html`<section aria-labelledby="trend-title">
<h2 id="trend-title">Rounds over time</h2>
${jsonScript('trend-data', chartData(view))}
<figure>
<figcaption id="met-caption">Met rate per round (%)</figcaption>
<div class="chart" id="chart-met" role="img" aria-labelledby="met-caption" aria-describedby="trend-summary"></div>
</figure>
<figure>
<figcaption id="people-caption">People taking part per round</figcaption>
<div class="chart" id="chart-people" role="img" aria-labelledby="people-caption" aria-describedby="trend-summary"></div>
</figure>
<p id="trend-summary">${trend.length} ${trend.length === 1 ? 'round' : 'rounds'}; the latest, round ${last.number} on ${formatDate(last.startedAt)}, had ${last.eligible} people taking part${last.outcomes.met_rate === null ? ' and has not been asked "did you meet?" yet' : ` and a met rate of ${percent(last.outcomes.met_rate)}`}.</p>
<details>
<summary>The rounds as a table</summary>
<div class="scroll"><table>
<caption>Every round, oldest first</caption>
<thead><tr><th scope="col">Round</th><th scope="col">Date</th><th scope="col" class="num">Taking part</th><th scope="col" class="num">Groups</th><th scope="col" class="num">Asked</th><th scope="col" class="num">Met</th><th scope="col" class="num">Met rate</th></tr></thead>
<tbody>${trend.map((r) => html`<tr data-round="${r.number}"><th scope="row">${r.number}</th><td>${formatDate(r.startedAt)}</td><td class="num">${r.eligible}</td><td class="num">${r.groups}</td><td class="num">${r.outcomes.groups}</td><td class="num">${r.outcomes.met}</td><td class="num">${percent(r.outcomes.met_rate)}</td></tr>`)}</tbody>
</table></div>
</details>
</section>`
}

function currentRound (view: DashboardView, base: string): Html {
  const round = view.current
  if (round === null) return html`<section aria-labelledby="current-title"><h2 id="current-title">The current round</h2><p>No round yet.</p></section>`
  return html`<section class="later" aria-labelledby="current-title">
<h2 id="current-title">The current round: round ${round.number}, ${formatDate(round.startedAt)}</h2>
<p>${round.eligibleCount} people could take part, in ${view.currentGroups} ${view.currentGroups === 1 ? 'group' : 'groups'}; "did you meet?" ${round.groups.some((g) => g.asked) ? 'went out' : `goes out ${formatDate(round.followupAt)}`}.</p>
<div class="scroll"><table id="current-groups">
<caption>Groups and their answers</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Members and their answers</th><th scope="col">How it went</th></tr></thead>
<tbody>${round.groups.map((g) => html`<tr><th scope="row">${g.index + 1}</th><td>${g.members.map((m, i) => html`${i > 0 ? ', ' : ''}@${m.username}${m.answer === null ? '' : html` <span class="answer">(${ANSWER_TEXT[m.answer]})</span>`}`)}</td><td data-outcome="${g.outcome}">${g.asked || g.outcome !== 'no_answer' ? OUTCOME_TEXT[g.outcome] : 'not asked yet'}</td></tr>`)}</tbody>
</table></div>
${round.groups.length < view.currentGroups ? html`<p id="more-groups">The first ${round.groups.length} groups of ${view.currentGroups}. <a href="${base}?groups=all#current-title">Show all ${view.currentGroups} groups</a> (one person's groups: <a href="#person-title">their history</a>).</p>` : ''}
</section>`
}

function sitOut (view: DashboardView): Html {
  const rows = view.sittingOut
  const body = !Array.isArray(rows)
    ? html`<p>${rows.unavailable}</p>`
    : rows.length === 0
      ? html`<p>Nobody: everyone who joined can take part.</p>`
      : html`<div class="scroll"><table id="sitting-out"><caption>${rows.length} ${rows.length === 1 ? 'person' : 'people'}</caption>
<thead><tr><th scope="col">Person</th><th scope="col">Why</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">@${r.username}</th><td>${r.reason}</td></tr>`)}</tbody></table></div>`
  return html`<section class="later" aria-labelledby="out-title"><h2 id="out-title">Who sits out the next round</h2>${body}</section>`
}

function nextRound (view: DashboardView, base: string): Html {
  const preview = view.preview
  let result: Html | string = ''
  if (typeof preview === 'string') result = html`<p role="status">No preview: ${preview}.</p>`
  else if (preview !== undefined) {
    result = html`<div role="status"><p>If the round ran now: ${preview.groups.length} ${preview.groups.length === 1 ? 'group' : 'groups'}${preview.alone.length > 0 ? html`, and nobody to meet for ${preview.alone.map((u) => `@${u}`).join(', ')} (blocked out, or the odd one out)` : ''}. Nothing was sent.</p>
<div class="scroll"><table id="preview-groups"><caption>The preview (a dry run; the real round may differ)</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Members</th></tr></thead>
<tbody>${preview.groups.map((g, i) => html`<tr><th scope="row">${i + 1}</th><td>${g.map((u) => `@${u}`).join(', ')}</td></tr>`)}</tbody></table></div></div>`
  }
  return html`<section aria-labelledby="next-title">
<h2 id="next-title">The next round</h2>
<p id="next-round">${inlineMarkdown(view.next)}</p>
${view.settings === null ? '' : html`<form method="get" action="${base}#next-title"><input type="hidden" name="preview" value="1"><button type="submit">Preview the next round</button></form>`}
${result}
</section>`
}

function historyLabel (entry: HistoryEntry): string {
  const label = entry.imported
    ? IMPORTED_GROUP
    : entry.outcome === 'no_answer' && !entry.asked ? 'follow-up still to come' : OUTCOME_TEXT[entry.outcome]
  const knew = acquaintedNote(entry.others.map((p) => p.username), entry.acquainted.map((p) => p.username))
  return knew === '' ? label : `${label} · ${knew}`
}

function person (view: DashboardView, base: string): Html {
  const found = view.person
  let result: Html | string = ''
  if (found !== undefined) {
    result = found.entries === null
      ? html`<p role="status">Nobody called @${found.query} has joined coffee here.</p>`
      : found.entries.length === 0
        ? html`<p role="status">@${found.query} has not been in a round yet.</p>`
        : html`<div class="scroll" role="status"><table id="person-history"><caption>@${found.query}'s rounds, newest first</caption>
<thead><tr><th scope="col">Round</th><th scope="col">Date</th><th scope="col">With</th><th scope="col">How it went</th><th scope="col">Their answer</th></tr></thead>
<tbody>${found.entries.map((e) => html`<tr><th scope="row">${e.imported ? '—' : e.roundNumber}</th><td>${formatDate(e.startedAt)}</td><td>${e.others.length === 0 ? '—' : e.others.map((o) => `@${o.username}`).join(', ')}</td><td>${historyLabel(e)}</td><td>${e.answer === null ? '—' : ANSWER_TEXT[e.answer]}</td></tr>`)}</tbody></table></div>`
  }
  return html`<section class="later" aria-labelledby="person-title">
<h2 id="person-title">One person's history</h2>
<form method="get" action="${base}#person-title" role="search" class="inline">
<label for="person">Username</label>
<input id="person" name="person" type="search" autocomplete="off" spellcheck="false" value="${found?.query ?? ''}">
<button type="submit">Show</button>
</form>
${result}
</section>`
}

function formField (field: FormField, value: string, errorId: string | undefined): Html {
  const describedBy = [field.hint === '' ? '' : `${field.id}-hint`, errorId ?? ''].filter((id) => id !== '').join(' ')
  const described = describedBy === '' ? '' : html` aria-describedby="${describedBy}"`
  const invalid = errorId === undefined ? '' : html` aria-invalid="true"`
  // A value the choices lack (tampered with, or typed by an older page) is still shown rather than silently replaced.
  const options = field.options === undefined || field.options.some(([v]) => v === value) ? field.options : [...field.options, [value, value] as const]
  const control = options === undefined
    ? html`<input id="${field.id}" name="${field.id}" type="text" value="${value}"${described}${invalid}>`
    : html`<select id="${field.id}" name="${field.id}"${described}${invalid}>${options.map(([v, label]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${label}</option>`)}</select>`
  return html`<div class="field">
<label for="${field.id}">${field.label}</label>
${control}
${field.hint === '' ? '' : html`<p class="hint" id="${field.id}-hint">${field.hint}</p>`}
</div>`
}

/** One setting of core/settings on the form: its fields (a fieldset when there are several), then its error. */
function formSetting (setting: FormSetting, shown: Record<string, string>, form: FormState | undefined): Html {
  const first = setting.fields[0]!.id
  const error = form?.errors[first]
  const errorId = error === undefined ? undefined : `${first}-error`
  const fields = setting.fields.map((field) => formField(field, form?.values[field.id] ?? shown[field.id] ?? '', errorId))
  const message = error === undefined ? '' : html`<p class="error" id="${errorId}">${inlineMarkdown(error)}</p>`
  if (setting.fields.length === 1) return html`${fields}${message}`
  return html`<fieldset class="fields"><legend>${setting.legend ?? setting.fields.map((f) => f.label).join(', ')}</legend>${fields}${message}</fieldset>`
}

function settingsSection (view: DashboardView, base: string, csrf: string, form: FormState | undefined, flash: readonly string[]): Html {
  const settings = view.settings
  const current = settings ?? { ...DEFAULT_SETTINGS, paused: false, timezone: '' }
  const table = html`<table id="settings-table"><caption>${settings === null ? 'The defaults (Coffee has not started here yet)' : 'Now'}</caption><tbody>${describeSettings(current, view.next).map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${inlineMarkdown(value)}</td></tr>`)}</tbody></table>`
  if (settings === null) {
    return html`<section class="later" aria-labelledby="settings-title"><h2 id="settings-title">Settings</h2>${table}<p>Settings can be changed here once Coffee runs in the channel (<code>/coffee join</code> or <code>/coffee config</code>).</p></section>`
  }
  const errors = Object.keys(form?.errors ?? {}).length
  const shownNow = { program: settings, lastSlot: view.lastSlot }
  return html`<section class="later" aria-labelledby="settings-title">
<h2 id="settings-title">Settings</h2>
${flash.length > 0 ? html`<ul role="status" id="settings-done">${flash.map((d) => html`<li>${inlineMarkdown(d)}</li>`)}</ul>` : ''}
${table}
${errors > 0 ? html`<p class="error" role="alert" id="settings-problems">Nothing was changed: please correct the ${errors === 1 ? 'setting' : 'settings'} marked below.</p>` : ''}
<form method="post" action="${base}/settings" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${SETTINGS.map((setting) => setting.form === undefined ? '' : formSetting(setting.form, setting.form.shown(shownNow), form))}
<button type="submit">Save the settings</button>
</form>
</section>`
}

export function dashboardPage (view: DashboardView, { csrf, form, flash = [] }: { csrf: string, form?: FormState, flash?: readonly string[] }): Html {
  const base = `/dashboard/channels/${encodeURIComponent(view.channelId)}`
  const title = channelTitle(view)
  return layout(`Coffee in ${title}`, html`<header class="top">
<h1>☕ Coffee in ${title}</h1>
${view.channels !== undefined && view.channels.length > 1
  ? html`<nav aria-label="Channels"><details><summary>Other channels (${view.channels.length})</summary><ul>${view.channels.map((c) => html`<li><a href="/dashboard/channels/${encodeURIComponent(c.channelId)}"${c.channelId === view.channelId ? html` aria-current="page"` : ''}>${channelTitle(c)}</a></li>`)}</ul></details></nav>`
  : ''}
</header>
<main id="main">
${view.settings === null ? html`<p class="message">Coffee has not started in this channel yet: nobody has typed <code>/coffee join</code> here.</p>` : ''}
${numbers(view)}
${nextRound(view, base)}
${charts(view)}
${currentRound(view, base)}
${sitOut(view)}
${person(view, base)}
${settingsSection(view, base, csrf, form, flash)}
</main>`, { charts: view.stats.trend.length > 0 })
}
