// Coffee needs its bot in the channel: join and config check it first, join a public channel on their own, and
// answer with the fix (invite the bot) for a private channel, changing nothing.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, TEAM_ID } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'

t.test('join in a private channel without the bot: the fix, and nothing recorded; after /invite it works', async (t) => {
  const world = await createJoinedWorld(t, [], { seed: 3 })
  const room = world.mm.addChannel({ team_id: TEAM_ID, name: 'back-room', type: 'P' })
  for (const name of ['alice', 'bob']) world.person(name, { channelId: room.id })
  const where = { channelId: room.id, channelName: 'back-room' }

  const answer = await say(world.app, 'join', { userName: 'alice', ...where })
  t.equal(answer, "I'm not a member of this channel, so I can't see who is here or introduce anyone, and nothing was changed. Someone in the channel can add me with `/invite @coffee` (private channels need that); then type `/coffee join` again.")
  t.equal(await world.db.prisma.program.count({ where: { channelId: room.id } }), 0, 'no program was set up')
  t.equal(await world.db.prisma.participant.count(), 0, 'nobody was recorded')

  world.mm.addMember(room.id, world.bot.id)
  t.match(await say(world.app, 'join', { userName: 'alice', ...where }), /^You're in!/)
  t.match(await say(world.app, 'join', { userName: 'bob', ...where }), /^You're in!/)
  const summary = await pass(world.app, { channel_id: room.id, force: true })
  t.match(summary.rounds, [{ channel_id: room.id, eligible: 2, groups: 1 }], 'and its first round can start')
})

t.test('join in a public channel: the bot joins it by itself', async (t) => {
  const world = await createJoinedWorld(t, [], { seed: 3 })
  const lobby = world.mm.addChannel({ team_id: TEAM_ID, name: 'lobby', type: 'O' })
  world.person('alice', { channelId: lobby.id })
  t.equal(world.mm.membership(lobby.id, world.bot.id), undefined, 'the bot is not in the channel yet')
  t.match(await say(world.app, 'join', { userName: 'alice', channelId: lobby.id, channelName: 'lobby' }), /^You're in!/)
  t.ok(world.mm.membership(lobby.id, world.bot.id), 'now it is')
})

t.test('config in a private channel without the bot: the fix instead of a change (or of a failed role check)', async (t) => {
  const world = await createJoinedWorld(t, [], { seed: 3 })
  const room = world.mm.addChannel({ team_id: TEAM_ID, name: 'back-room', type: 'P' })
  world.person('lead', { channelId: room.id, admin: true })
  const where = { channelId: room.id, channelName: 'back-room', userName: 'lead' }

  t.match(await say(world.app, 'config mode channel', where), /^I'm not a member of this channel.*`\/invite @coffee`.*then type `\/coffee config mode channel` again\.$/)
  t.equal(await world.db.prisma.program.count({ where: { channelId: room.id } }), 0, 'nothing was set up')
  world.mm.addMember(room.id, world.bot.id)
  t.match(await say(world.app, 'config mode channel', where), /\*\*everyone in this channel\*\*/)
  t.equal((await world.db.prisma.program.findUniqueOrThrow({ where: { channelId: room.id } })).mode, 'channel')
})
