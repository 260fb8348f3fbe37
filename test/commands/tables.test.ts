// Every table Coffee sends, through the real slash route, read the way Mattermost's apps read it
// (test/helpers/mattermost-markdown.ts): each row has the header's number of cells, each cell the text we meant.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, slashFields, slashHeaders, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { tablesOf } from '../helpers/mattermost-markdown.js'
import { createRegistry } from '../../src/commands/registry.js'
import { participationCommands } from '../../src/commands/participation.js'
import { HOUR_MS } from '../../src/core/durations.js'

const help = (trigger: string) => [
  [
    ['Command', 'What it does'],
    [`${trigger} join`, 'Take part in coffee in this channel.'],
    [`${trigger} leave`, 'Stop taking part in this channel (your history is kept).'],
    [`${trigger} skip`, 'Sit out the next round only.'],
    [`${trigger} pause <2w | 10d | until 2026-12-24>`, 'Take a break for a while, or until a date.'],
    [`${trigger} resume`, 'End a pause or a skip: back in for the next round.'],
    [`${trigger} status`, 'Your coffee in this channel, and when the next round is.'],
    [`${trigger} block @someone`, 'Never be grouped with this person, in any channel. They are never told.'],
    [`${trigger} unblock @someone`, 'Undo a block.'],
    [`${trigger} stats [share]`, 'How coffee is going in this channel: people, rounds and how many groups met. share posts it in the channel.'],
    [`${trigger} history`, 'Whom you met in this channel lately, and how it went.'],
    [`${trigger} help`, 'Show this help.']
  ],
  [
    ['Command', 'What it does'],
    [`${trigger} config [every <N> days|weeks | size <2-7> | mode optin|channel | followup <N> hours|days | hours <start>-<end> | timezones on|off | announce on|off | timezone <Area/City> | start <weekday> <HH:MM> | now | day <weekday> | time <HH:MM> | pause | resume]`, 'Show the settings of coffee in this channel, or change one.'],
    [`${trigger} dashboard`, 'A private link to this channel\'s dashboard: who met whom, the met rate, the next round, the settings.']
  ]
]

t.test('help: the pause and config rows keep their pipes, whatever the trigger word', async (t) => {
  const world = await createJoinedWorld(t, [])
  t.same(tablesOf(t, await say(world.app, 'help')), help('/coffee'))
  const fields = slashFields({ text: 'help' })
  fields.set('command', '/kaffee')
  const renamed = await world.app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(), payload: fields.toString() })
  t.same(tablesOf(t, renamed.json<{ text: string }>().text), help('/kaffee'))
  t.same(tablesOf(t, createRegistry(participationCommands).helpText()), [help('/coffee')[0]!.slice(0, 9)], 'a command set without admin commands: one table')
})

t.test('config: the settings, as they change', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'], { announce: true })
  world.person('admin', { admin: true })
  const settings = async () => tablesOf(t, await say(world.app, 'config', { userName: 'alice' }))
  t.same(await settings(), [[
    ['Setting', 'Value'],
    ['Rounds', 'every week'],
    ['Next round', 'at the next scheduler run'],
    ['Time zone', 'not chosen yet (UTC)'],
    ['Group size', '2 (a trio when the count is odd)'],
    ['Who takes part', 'people who typed /coffee join'],
    ['Follow-up', '3 days after each intro'],
    ['Working hours', '09:00–17:00 on weekdays, in each person\'s time zone: every group shares an hour of them when it can'],
    ['Announcements', 'on: a short post here when each round starts'],
    ['State', 'running']
  ]])
  for (const change of ['every 2 weeks', 'size 3', 'mode channel', 'followup 0', 'timezones off', 'announce off', 'pause']) await say(world.app, `config ${change}`, { userName: 'admin' })
  t.same(await settings(), [[
    ['Setting', 'Value'],
    ['Rounds', 'every 2 weeks'],
    ['Next round', 'none while paused'],
    ['Time zone', 'not chosen yet (UTC)'],
    ['Group size', '3 (some of 2 when the count doesn\'t divide evenly)'],
    ['Who takes part', 'everyone in the channel'],
    ['Follow-up', 'at the next scheduler run after each intro'],
    ['Working hours', 'time zones off: groups are made without looking at them'],
    ['Announcements', 'off'],
    ['State', 'paused']
  ]])
  await say(world.app, 'config followup 1 day', { userName: 'admin' })
  t.same((await settings())[0]![6], ['Follow-up', 'a day after each intro'])
})

t.test('stats and history: numbers, dates, mentions and outcomes, before and after an answer', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob', 'carol'], { seed: 7 })
  await pass(world.app)
  t.same(tablesOf(t, await say(world.app, 'stats')), [
    [['Participants', 'Active now', 'Rounds', 'Groups', 'Met'], ['3', '3', '1', '1', 'not asked yet']],
    [['Round', 'Date', 'Groups', 'Met', 'Met rate'], ['1', 'Mon 23 Nov 2026', '1', '0', 'not asked yet']]
  ])
  t.same(tablesOf(t, await say(world.app, 'history', { userName: 'alice' })), [
    [['Round', 'Date', 'With', 'How it went'], ['1', 'Mon 23 Nov 2026', '@bob, @carol', 'follow-up still to come']]
  ])

  world.clock.advance(72 * HOUR_MS)
  await pass(world.app)
  const followup = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).find((p) => String(p.props?.coffee_delivery).startsWith('followup:'))!
  const actions = (followup.props?.attachments as { actions: { id: string, integration: { context: unknown } }[] }[])[0]!.actions
  const met = actions.find((a) => a.id === 'coffeemet')!
  t.equal((await click(world.app, { userId: mmId('bob'), userName: 'bob', postId: followup.id, channelId: followup.channel_id, context: met.integration.context })).status, 200)
  t.same(tablesOf(t, await say(world.app, 'stats')), [
    [['Participants', 'Active now', 'Rounds', 'Groups', 'Met'], ['3', '3', '1', '1', '100% (1 of 1 asked)']],
    [['Round', 'Date', 'Groups', 'Met', 'Met rate'], ['1', 'Mon 23 Nov 2026', '1', '1', '100%']]
  ])
  t.same(tablesOf(t, await say(world.app, 'history', { userName: 'carol' })), [
    [['Round', 'Date', 'With', 'How it went'], ['1', 'Mon 23 Nov 2026', '@alice, @bob', '✅ met']]
  ])
})
