// /coffee stats (how coffee is going in the channel) and /coffee history (whom you met), as Markdown tables.
import type { CommandSpec, CommandContext } from './registry.js'
import type { CommandDeps } from './deps.js'
import type { GroupOutcome, OutcomeTotals, HistoryEntry, Person } from '../store/stats.js'
import { formatDate } from '../core/durations.js'
import { IMPORTED_GROUP, acquaintedNote } from '../core/messages.js'
import { markdownTable, type Column } from '../core/markdown.js'

type Spec = CommandSpec<CommandDeps>
type Ctx = CommandContext<CommandDeps>

/** Rounds in the trend table: enough to see a direction, short enough to read in a chat. */
export const TREND_ROUNDS = 8
/** Groups in /coffee history. */
export const HISTORY_GROUPS = 10

const NOT_STARTED = 'Coffee has not started in this channel yet. Type `/coffee join` to be the first. ☕'

function channelLabel (ctx: Ctx): string {
  return ctx.command.channelName === '' ? 'this channel' : `~${ctx.command.channelName}`
}

function percent (rate: number): string {
  return `${Math.round(rate * 100)}%`
}

/** "40% (2 of 5 groups asked)"; the rate alone would hide how little it may rest on. */
function metRate (totals: OutcomeTotals): string {
  if (totals.met_rate === null) return 'not asked yet'
  return `${percent(totals.met_rate)} (${totals.met} of ${totals.groups} asked)`
}

function mention (person: Person): string {
  // A row made before Coffee knew the username cannot be mentioned; say so rather than print an id.
  return person.username === '' ? 'someone' : `@${person.username}`
}

const OUTCOME_LABELS: Record<GroupOutcome, string> = {
  met: '✅ met',
  cancelled: "❌ couldn't make it",
  not_yet: '⏳ not yet',
  no_answer: 'no answer'
}

const number = (header: string): Column => ({ header, align: 'right' })

function outcomeLabel (entry: HistoryEntry): string {
  const label = entry.imported
    ? IMPORTED_GROUP
    : entry.outcome === 'no_answer' && !entry.asked ? 'follow-up still to come' : OUTCOME_LABELS[entry.outcome]
  const knew = acquaintedNote(entry.others.map((p) => p.username), entry.acquainted.map((p) => p.username))
  return knew === '' ? label : `${label} · ${knew}`
}

export const stats: Spec = {
  name: 'stats',
  args: '[share]',
  help: 'How coffee is going in this channel: people, rounds and how many groups met. `share` posts it in the channel.',
  audience: 'everyone',
  async run (ctx) {
    const share = ctx.args.toLowerCase() === 'share'
    if (!share && ctx.args !== '') return `\`/coffee stats\` shows the numbers to you; \`/coffee stats share\` posts them in the channel for everyone. I don't know \`${ctx.args.slice(0, 40)}\`.`
    const text = await statsText(ctx)
    if (!share || text === null) return text ?? NOT_STARTED
    // Posted by Mattermost as the person who shared it, as any in_channel command answer is: no bot membership needed.
    return { response_type: 'in_channel', text: `${text}\n\nType \`/coffee join\` to take part.` }
  }
}

/** The channel's numbers as Markdown; null before Coffee started there. */
async function statsText (ctx: Ctx): Promise<string | null> {
  const program = await ctx.deps.stats.programRef(ctx.command.channelId)
  if (program === null) return null
  const numbers = await ctx.deps.stats.programStats(program.id, { now: ctx.now, trendRounds: TREND_ROUNDS })
  const people = `**${numbers.participants}** ${numbers.participants === 1 ? 'person has' : 'people have'} joined so far, **${numbers.active}** active right now`
  if (numbers.rounds === 0) {
    return `No rounds yet in ${channelLabel(ctx)}. ${people}. \`/coffee status\` says when round 1 is. ☕`
  }
  return [
    `#### ☕ Coffee in ${channelLabel(ctx)}`,
    markdownTable(
      [number('Participants'), number('Active now'), number('Rounds'), number('Groups'), 'Met'],
      [[numbers.participants, numbers.active, numbers.rounds, numbers.groups, metRate(numbers.outcomes)]]
    ),
    '',
    numbers.trend.length === numbers.rounds ? '**Rounds so far**' : `**The last ${numbers.trend.length} rounds**`,
    '',
    markdownTable(
      [number('Round'), 'Date', number('Groups'), number('Met'), number('Met rate')],
      numbers.trend.map((round) => {
        const rate = round.outcomes.met_rate === null ? 'not asked yet' : percent(round.outcomes.met_rate)
        return [round.number, formatDate(round.startedAt), round.groups, round.outcomes.met, rate]
      })
    ),
    '',
    '_Met rate: groups that said they met, out of the groups asked "did you meet?"._'
  ].join('\n')
}

export const history: Spec = {
  name: 'history',
  help: 'Whom you met in this channel lately, and how it went.',
  audience: 'everyone',
  async run (ctx) {
    const program = await ctx.deps.stats.programRef(ctx.command.channelId)
    if (program === null) return NOT_STARTED
    const entries = await ctx.deps.stats.personHistory(program.id, ctx.command.userId, HISTORY_GROUPS)
    if (entries === null) return `No rounds yet for you in ${channelLabel(ctx)}: you have not joined. Type \`/coffee join\` to take part. ☕`
    if (entries.length === 0) return `No rounds yet for you in ${channelLabel(ctx)}. You'll be introduced to someone in the next round you're in. ☕`
    return [
      `#### ☕ Your coffee in ${channelLabel(ctx)}`,
      markdownTable([number('Round'), 'Date', 'With', 'How it went'], entries.map((entry) => {
        const others = entry.others.length === 0 ? '—' : entry.others.map(mention).join(', ')
        return [entry.imported ? '—' : entry.roundNumber, formatDate(entry.startedAt), others, outcomeLabel(entry)]
      })),
      ...(entries.length === HISTORY_GROUPS ? ['', `_Your last ${HISTORY_GROUPS} groups._`] : [])
    ].join('\n')
  }
}

export const statsCommands: readonly Spec[] = [stats, history]
