// What the dashboard shows for one channel, gathered from the same store functions as the stats API and /coffee
// stats, and from Mattermost for who sits out. Pure data: page.ts turns it into HTML.
import type { StatsStore, ProgramStats, RoundRecord, HistoryEntry, ProgramRef } from '../store/stats.js'
import type { ChatGateway } from '../mattermost/gateway.js'
import { sittingOut, type SitOutReason } from '../core/eligibility.js'
import { nextSlot, programSchedule } from '../core/schedule.js'
import { formatInZone } from '../core/local-time.js'
import { HOW_TO_START } from '../core/messages.js'
import { formatDate } from '../core/durations.js'
import type { ProgramState } from '../core/settings.js'

/** Enough for decades of weekly rounds: the chart shows every round. */
const ALL_ROUNDS = 10_000
/** The current round's groups shown at first: a 1,000-group table is most of a page's weight, and nobody reads it all. */
export const FIRST_GROUPS = 100

export interface RoundPreview {
  groups: string[][]
  alone: string[]
}

export interface ViewDeps {
  stats: StatsStore
  gateway: Pick<ChatGateway, 'getMe' | 'getUsersByIds' | 'getChannelMemberIds'> | undefined
  /** The dry run of the channel's next round; a string says why there is none. */
  preview: ((channelId: string) => Promise<RoundPreview | string>) | undefined
}

export interface SitOutRow {
  username: string
  reason: string
}

export interface DashboardView {
  channelId: string
  channelName: string
  /** null: Coffee has not started in this channel. */
  settings: ProgramState | null
  /** The slot of the latest round (null before round 1): where the schedule goes on from. */
  lastSlot: Date | null
  stats: ProgramStats
  /** The latest round, with its first FIRST_GROUPS groups or all of them (`allGroups`). */
  current: RoundRecord | null
  /** How many groups the current round has in all. */
  currentGroups: number
  next: string
  sittingOut: SitOutRow[] | { unavailable: string }
  person?: { query: string, entries: HistoryEntry[] | null }
  preview?: RoundPreview | string
  /** A system admin's other channels. */
  channels?: ProgramRef[]
}

const EMPTY_STATS: ProgramStats = {
  participants: 0,
  active: 0,
  rounds: 0,
  groups: 0,
  outcomes: { groups: 0, met: 0, not_met: 0, no_answer: 0, met_rate: null },
  trend: []
}

function reasonText (reason: SitOutReason, participant: { pausedUntil: Date | null, autoPausedAt: Date | null, leftAt?: Date | null } | null, now: Date): string {
  switch (reason) {
    case 'left': return participant?.leftAt != null ? `left on ${formatDate(participant.leftAt)}` : 'left'
    case 'notMember': return 'not in the channel'
    case 'inactive': return 'deactivated in Mattermost'
    case 'paused':
      if (participant?.autoPausedAt != null) return 'paused for not answering, until they type /coffee resume'
      return participant?.pausedUntil != null && participant.pausedUntil.getTime() > now.getTime() ? `paused until ${formatDate(participant.pausedUntil)}` : 'paused'
    case 'unresponsive': return 'stopped answering: the next round pauses them'
    case 'skipping': return 'skipping the next round'
  }
}

export async function loadDashboard (deps: ViewDeps, channelId: string, options: { now: Date, person?: string, preview?: boolean, channels?: boolean, allGroups?: boolean }): Promise<DashboardView> {
  const { stats } = deps
  const { now } = options
  const program = await stats.program(channelId)
  const view: DashboardView = {
    channelId,
    channelName: program?.channelName ?? '',
    settings: program === null ? null : { cadenceDays: program.cadenceDays, groupSize: program.groupSize, followupHours: program.followupHours, mode: program.mode, announce: program.announce, workingHours: program.workingHours, timezones: program.timezones, paused: program.paused, timezone: program.timezone, startAt: program.startAt },
    lastSlot: null,
    stats: EMPTY_STATS,
    current: null,
    currentGroups: 0,
    next: `Coffee has not started in this channel yet: people join with \`/coffee join\`, and round 1 waits until ${HOW_TO_START}.`,
    sittingOut: []
  }
  if (options.channels === true) view.channels = await stats.programRefs()
  if (program === null) return view

  const [numbers, page, sitting] = await Promise.all([
    stats.programStats(program.id, { now, trendRounds: ALL_ROUNDS }),
    stats.roundsPage(program.id, { page: 0, perPage: 1, ...(options.allGroups === true ? {} : { groups: FIRST_GROUPS }) }),
    whoSitsOut(deps, program, now)
  ])
  view.stats = numbers
  // Imported rounds (numbered 0 and below) come after every round Coffee ran: a page's first is imported only if all are.
  view.current = page.rounds.find((r) => !r.imported) ?? null
  // The trend counts every round's groups; its last round is the current one.
  view.currentGroups = numbers.trend.at(-1)?.groups ?? 0
  view.sittingOut = sitting
  view.lastSlot = view.current?.startedAt ?? null
  view.next = nextRoundText({ ...program, lastSlot: view.lastSlot }, now)
  if (options.person !== undefined && options.person !== '') {
    const query = options.person.replace(/^@/, '').trim()
    const person = await stats.participantByUsername(program.id, query)
    view.person = { query, entries: person === null ? null : await stats.personHistory(program.id, person.userId, 52) }
  }
  if (options.preview === true) {
    view.preview = deps.preview === undefined ? 'A preview needs Coffee connected to Mattermost (MATTERMOST_URL and MATTERMOST_BOT_TOKEN).' : await deps.preview(channelId)
  }
  return view
}

function nextRoundText (program: { paused: boolean, cadenceDays: number, startAt: Date | null, timezone: string, lastSlot: Date | null }, now: Date): string {
  if (program.paused) return 'Coffee is paused in this channel: no rounds until a channel admin resumes it (`/coffee config resume`).'
  const slot = nextSlot(programSchedule(program, program.lastSlot))
  if (slot === null) return `Not scheduled yet: ${HOW_TO_START}.`
  if (slot.getTime() <= now.getTime()) return 'Due now: at the next scheduled run.'
  return `${formatInZone(slot, program.timezone)}, at the first scheduled run from then.`
}

async function whoSitsOut (deps: ViewDeps, program: { id: number, channelId: string, mode: 'optin' | 'channel' }, now: Date): Promise<SitOutRow[] | { unavailable: string }> {
  const { gateway } = deps
  if (gateway === undefined) return { unavailable: 'Coffee is not connected to Mattermost, so it cannot tell who is in the channel.' }
  // Mattermost and the database answer at the same time. Who stopped answering is left to the preview: finding
  // them reads every group of the year, half the page's time for 2,000 people (they show as paused once paused).
  const participantsQuery = deps.stats.participants(program.id)
  const unavailable = (error: unknown) => ({ unavailable: `Mattermost did not answer (${(error as Error).message}), so who sits out is unknown right now.` })
  let memberIds: string[]
  let botUserId: string
  try {
    [memberIds, { id: botUserId }] = await Promise.all([gateway.getChannelMemberIds(program.channelId), gateway.getMe()])
  } catch (error) {
    await participantsQuery
    return unavailable(error)
  }
  const participants = await participantsQuery
  const ids = program.mode === 'channel' ? [...new Set([...memberIds, ...participants.map((p) => p.userId)])] : participants.map((p) => p.userId)
  let users: Map<string, Awaited<ReturnType<typeof gateway.getUsersByIds>>[number]>
  try {
    users = new Map((await gateway.getUsersByIds(ids.filter((id) => id !== botUserId))).map((u) => [u.id, u]))
  } catch (error) {
    return unavailable(error)
  }
  const channelMemberIds = new Set(memberIds)
  const byId = new Map(participants.map((p) => [p.id, p]))
  return sittingOut({ mode: program.mode, participants, channelMemberIds, users, botUserId, now })
    .map((person) => ({
      username: person.username,
      reason: reasonText(person.reason, person.participant === null ? null : byId.get(person.participant.id) ?? null, now)
    }))
    .sort((a, b) => a.username.localeCompare(b.username))
}
