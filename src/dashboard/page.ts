// The dashboard as HTML: pure functions from a view to a page. Every value is escaped (html.ts); the chart's data
// travels in a JSON block that /dashboard/assets/dashboard.js reads, so the page runs no inline script.
import { html, jsonScript, inlineMarkdown, type Html } from './html.js'
import type { DashboardView } from './view.js'
import type { GroupOutcome, RoundRecord, HistoryEntry } from '../store/stats.js'
import { describeSettings, DEFAULT_SETTINGS, type ProgramSettings, type SettingName } from '../core/settings.js'
import { formatDate, describeHours } from '../core/durations.js'
import { IMPORTED_GROUP } from '../core/messages.js'
import { MIN_GROUP_SIZE, MAX_GROUP_SIZE } from '../core/group-size.js'

export const ASSET_PATH = '/dashboard/assets'

export interface FormState {
  /** What was typed, to show again beside its error. */
  values: Partial<Record<SettingName, string>>
  errors: Partial<Record<SettingName, string>>
  done: string[]
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

function currentRound (round: RoundRecord | null): Html {
  if (round === null) return html`<section aria-labelledby="current-title"><h2 id="current-title">The current round</h2><p>No round yet.</p></section>`
  return html`<section class="later" aria-labelledby="current-title">
<h2 id="current-title">The current round: round ${round.number}, ${formatDate(round.startedAt)}</h2>
<p>${round.eligibleCount} people could take part, in ${round.groups.length} ${round.groups.length === 1 ? 'group' : 'groups'}; "did you meet?" ${round.groups.some((g) => g.asked) ? 'went out' : `goes out ${formatDate(round.followupAt)}`}.</p>
<div class="scroll"><table id="current-groups">
<caption>Groups and their answers</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Members and their answers</th><th scope="col">How it went</th></tr></thead>
<tbody>${round.groups.map((g) => html`<tr><th scope="row">${g.index + 1}</th><td>${g.members.map((m, i) => html`${i > 0 ? ', ' : ''}@${m.username}${m.answer === null ? '' : html` <span class="answer">(${ANSWER_TEXT[m.answer]})</span>`}`)}</td><td data-outcome="${g.outcome}">${g.asked || g.outcome !== 'no_answer' ? OUTCOME_TEXT[g.outcome] : 'not asked yet'}</td></tr>`)}</tbody>
</table></div>
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
  if (entry.imported) return IMPORTED_GROUP
  if (entry.outcome === 'no_answer' && !entry.asked) return 'follow-up still to come'
  return OUTCOME_TEXT[entry.outcome]
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

const FIELDS: { name: SettingName, label: string, hint: string }[] = [
  { name: 'cadenceDays', label: 'Rounds every', hint: 'For example "1 week", "2 weeks" or "10 days" (1 to 90 days).' },
  { name: 'groupSize', label: 'Group size', hint: `${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE} people.` },
  { name: 'followupHours', label: 'Ask "did you meet?" after', hint: 'For example "3 days" or "48 hours"; 0 for the next scheduled run.' },
  { name: 'mode', label: 'Who takes part', hint: '' },
  { name: 'workingHours', label: 'Working hours', hint: 'Whole hours on weekdays, in each person\'s own time zone, like "9-17".' },
  { name: 'timezones', label: 'Time zones', hint: '' }
]

function settingValue (name: SettingName, settings: ProgramSettings): string {
  switch (name) {
    case 'cadenceDays': return settings.cadenceDays % 7 === 0 ? `${settings.cadenceDays / 7} ${settings.cadenceDays === 7 ? 'week' : 'weeks'}` : `${settings.cadenceDays} days`
    case 'groupSize': return String(settings.groupSize)
    case 'followupHours': return settings.followupHours === 0 ? '0' : describeHours(settings.followupHours).replace(/^an? /, '1 ')
    case 'mode': return settings.mode
    case 'workingHours': return settings.workingHours
    case 'timezones': return settings.timezones ? 'on' : 'off'
  }
}

function settingsSection (view: DashboardView, base: string, csrf: string, form: FormState | undefined): Html {
  const settings = view.settings
  const current = settings ?? { ...DEFAULT_SETTINGS, paused: false, timezone: '' }
  const table = html`<table id="settings-table"><caption>${settings === null ? 'The defaults (Coffee has not started here yet)' : 'Now'}</caption><tbody>${describeSettings(current, view.next).map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${inlineMarkdown(value)}</td></tr>`)}</tbody></table>`
  if (settings === null) {
    return html`<section class="later" aria-labelledby="settings-title"><h2 id="settings-title">Settings</h2>${table}<p>Settings can be changed here once Coffee runs in the channel (<code>/coffee join</code> or <code>/coffee config</code>).</p></section>`
  }
  const errors = form?.errors ?? {}
  const field = ({ name, label, hint }: typeof FIELDS[number]) => {
    const value = form?.values[name] ?? settingValue(name, settings)
    const error = errors[name]
    const describedBy = [hint === '' ? '' : `${name}-hint`, error === undefined ? '' : `${name}-error`].filter((id) => id !== '').join(' ')
    const control = name === 'mode'
      ? html`<select id="${name}" name="${name}"${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}>
<option value="optin"${value === 'optin' ? html` selected` : ''}>People who type /coffee join</option>
<option value="channel"${value === 'channel' ? html` selected` : ''}>Everyone in the channel</option></select>`
      : name === 'timezones'
        ? html`<select id="${name}" name="${name}"${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}>
<option value="on"${value === 'on' ? html` selected` : ''}>On: groups share working hours, intros say when</option>
<option value="off"${value === 'off' ? html` selected` : ''}>Off</option></select>`
        : html`<input id="${name}" name="${name}" type="text" value="${value}" required${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}${error === undefined ? '' : html` aria-invalid="true"`}>`
    return html`<div class="field">
<label for="${name}">${label}</label>
${control}
${hint === '' ? '' : html`<p class="hint" id="${name}-hint">${hint}</p>`}
${error === undefined ? '' : html`<p class="error" id="${name}-error">${inlineMarkdown(error)}</p>`}
</div>`
  }
  const hasErrors = Object.keys(errors).length > 0
  return html`<section class="later" aria-labelledby="settings-title">
<h2 id="settings-title">Settings</h2>
${table}
${hasErrors ? html`<p class="error" role="alert" id="settings-problems">Nothing was changed: please correct the ${Object.keys(errors).length === 1 ? 'setting' : 'settings'} marked below.</p>` : ''}
${form !== undefined && form.done.length > 0 ? html`<ul role="status" id="settings-done">${form.done.map((d) => html`<li>${inlineMarkdown(d)}</li>`)}</ul>` : ''}
${form !== undefined && !hasErrors && form.done.length === 0 ? html`<p role="status" id="settings-done">Nothing to change: these are the settings already.</p>` : ''}
<form method="post" action="${base}/settings" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${FIELDS.map(field)}
<button type="submit">Save the settings</button>
</form>
</section>`
}

export function dashboardPage (view: DashboardView, { csrf, form }: { csrf: string, form?: FormState }): Html {
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
${currentRound(view.current)}
${sitOut(view)}
${person(view, base)}
${settingsSection(view, base, csrf, form)}
</main>`, { charts: view.stats.trend.length > 0 })
}
