// /coffee config through the real app and database, with a fake Mattermost that says who is an admin.
import t from 'tap'
import { createJoinedWorld, createMattermostWorld } from '../helpers/mattermost.js'
import { createTestApp } from '../helpers/app.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'

t.test('config: anyone can look, only channel and system admins can change', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'], { seed: 7 })
  world.person('admin', { admin: true })
  world.person('root', { roles: 'system_user system_admin' })
  t.match(await say(world.app, 'config', { userName: 'bob' }), /\| Rounds \| every week \|/)
  t.match(await say(world.app, 'config size 3', { userName: 'bob' }), /Only channel admins/)
  t.match(await say(world.app, 'config size 3', { userName: 'admin' }), /groups of \*\*3\*\* \(some of 2 when the count doesn't divide evenly\)\./)
  t.match(await say(world.app, 'config every 2 weeks', { userName: 'root' }), /every 2 weeks/)
  t.match(await say(world.app, 'config size 9', { userName: 'admin' }), /2 to 7 people/)
  t.match(await say(world.app, 'config every 100 days', { userName: 'admin' }), /1 to 90 days/)
  t.match(await say(world.app, 'config mode everyone', { userName: 'admin' }), /`optin`.*`channel`/)
  t.match(await say(world.app, 'config colour blue', { userName: 'admin' }), /don't know the setting `colour`/)
  t.match(await say(world.app, 'config pause', { userName: 'admin' }), /paused/)
  t.same((await pass(world.app, { channel_id: CHANNEL_ID })).skipped, [{ channel_id: CHANNEL_ID, reason: 'paused by a channel admin' }])
  t.match(await say(world.app, 'config resume', { userName: 'admin' }), /\*\*running\*\* again/)
  const program = await world.db.prisma.program.findUniqueOrThrow({ where: { channelId: CHANNEL_ID } })
  t.match(program, { groupSize: 3, cadenceDays: 14, paused: false })
})

t.test('config size and status say how sizes are made', async (t) => {
  const world = await createJoinedWorld(t, ['alice'], { seed: 7 })
  world.person('admin', { admin: true })
  t.match(await say(world.app, 'status'), /Rounds run every week in groups of 2 \(a trio when the count is odd\)\./)
  t.match(await say(world.app, 'config'), /\| Group size \| 2 \(a trio when the count is odd\) \|/)
  t.equal(await say(world.app, 'config size 2', { userName: 'admin' }), 'Done: from the next round, groups of **2** (a trio when the count is odd).')
  t.equal(await say(world.app, 'config size 5', { userName: 'admin' }), "Done: from the next round, groups of **5** (some of 4 when the count doesn't divide evenly).")
  t.match(await say(world.app, 'status'), /Rounds run every week in groups of 5 \(some of 4 when the count doesn't divide evenly\)\./)
  t.match(await say(world.app, 'config'), /\| Group size \| 5 \(some of 4 when the count doesn't divide evenly\) \|/)
})

t.test('config start: round 1 waits for the day and time an admin picks, in their time zone; status shows it in each person\'s', async (t) => {
  const world = await createMattermostWorld(t)
  const { app, db, clock } = await createTestApp(t, { gateway: world.gateway, env: world.env, now: '2026-11-30T11:00:00Z' })
  const zone = (name: string, manualTimezone: string) => { world.mm.user(mmId(name))!.timezone = { automaticTimezone: '', manualTimezone, useAutomaticTimezone: 'false' } }
  for (const name of ['alice', 'bob']) {
    world.person(name)
    await say(app, 'join', { userName: name })
  }
  world.person('lead', { admin: true })
  zone('lead', 'Europe/Berlin')
  zone('bob', 'America/New_York')

  t.match(await say(app, 'status', { userName: 'alice' }), /Next round: not scheduled yet: a channel admin picks the day and time with `\/coffee config start monday 10:00`\./)
  t.match(await say(app, 'config'), /\| Next round \| not scheduled yet: a channel admin picks/)
  t.same((await pass(app)).rounds, [], 'two people are in, but round 1 waits')

  t.equal(await say(app, 'config start mon 10:00', { userName: 'lead' }), 'Done: Round 1 is on **Mon 7 Dec 2026, 10:00 (Europe/Berlin)**, then every week on Mondays at 10:00 (Europe/Berlin). Times are in Europe/Berlin, your time zone in Mattermost; `/coffee config timezone …` changes that.')
  t.match(await say(app, 'status', { userName: 'bob' }), /Next round: Mon 7 Dec 2026, 04:00 \(America\/New_York\)\./, 'bob reads it in his own zone')
  t.match(await say(app, 'status', { userName: 'alice' }), /Next round: Mon 7 Dec 2026, 10:00 \(Europe\/Berlin\)\./, 'alice has none in Mattermost: the channel\'s')
  t.match(await say(app, 'config'), /\| Time zone \| Europe\/Berlin \|/)

  clock.set('2026-12-07T07:50:00Z')
  t.same((await pass(app)).rounds, [], 'not before the tolerance')
  clock.set('2026-12-07T08:30:00Z')
  t.match((await pass(app)).rounds, [{ round: 1, eligible: 2 }], 'within the hour before its slot: round 1')
  const round = await db.prisma.round.findFirstOrThrow()
  t.same(round.startedAt, new Date('2026-12-07T09:00:00Z'), 'recorded at its slot')
  t.match(await say(app, 'status', { userName: 'bob' }), /Next round: Mon 14 Dec 2026, 04:00 \(America\/New_York\)\./)

  t.match(await say(app, 'config day wednesday', { userName: 'lead' }), /^Done: The next round is on \*\*Wed 9 Dec 2026, 10:00 \(Europe\/Berlin\)\*\*, then every week on Wednesdays at 10:00 \(Europe\/Berlin\)\.$/)
  t.match(await say(app, 'config time 9:30', { userName: 'lead' }), /^Done: The next round is on \*\*Wed 9 Dec 2026, 09:30 \(Europe\/Berlin\)\*\*/)
  t.match(await say(app, 'config timezone asia/tokyo', { userName: 'lead' }), /^Done: this channel's time zone is now \*\*Asia\/Tokyo\*\*\. Next round: \*\*Wed 9 Dec 2026, 09:30 \(Asia\/Tokyo\)\*\*\.$/)
  t.match(await say(app, 'config timezone Mars/Olympus', { userName: 'lead' }), /I don't know the time zone `Mars\/Olympus`/)
  t.match(await say(app, 'config start someday', { userName: 'lead' }), /`someday` is not a day of the week/)
  t.match(await say(app, 'config time 25:00', { userName: 'lead' }), /`25:00` is not a time of day/)
  t.match(await say(app, 'config start monday', { userName: 'bob' }), /Only channel admins/, 'members cannot')
})
