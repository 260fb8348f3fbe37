// /coffee config through the real app and database, with a fake Mattermost that says who is an admin.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, CHANNEL_ID } from '../helpers/slash.js'
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
