// The /coffee endpoint as Mattermost calls it: token checks, methods, encodings, bad input.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { pass } from '../helpers/rounds.js'
import { createTestApp } from '../helpers/app.js'
import { say, slash, slashFields, slashHeaders, SLASH_TOKEN, CHANNEL_ID, mmId } from '../helpers/slash.js'

t.test('a command as Mattermost sends it gets a JSON CommandResponse', async (t) => {
  const { app } = await createTestApp(t)
  const result = await slash(app, { text: 'help' })
  t.equal(result.status, 200)
  t.equal(result.contentType, 'application/json; charset=utf-8')
  t.equal(result.body.response_type, 'ephemeral')
  t.match(result.body.text, /\/coffee join/)
})

t.test('empty text gets the help', async (t) => {
  const { app } = await createTestApp(t)
  const help = (await slash(app, { text: 'help' })).body.text
  t.match(help, /\| `\/coffee join` \|/)
  t.equal((await slash(app, { text: '' })).body.text, help)
  t.equal((await slash(app, { text: '   ' })).body.text, help)
})

t.test('a typo gets the closest command; anything else a pointer to help, not the whole table', async (t) => {
  const { app, db } = await createTestApp(t)
  const text = async (typed: string) => {
    const result = await slash(app, { text: typed })
    t.equal(result.status, 200)
    t.equal(result.body.response_type, 'ephemeral')
    return result.body.text
  }
  t.equal(await text('jion'), "I didn't understand `/coffee jion`. Did you mean `/coffee join`? `/coffee help` lists everything I can do.")
  t.equal(await text('Puase 2w'), "I didn't understand `/coffee Puase 2w`. Did you mean `/coffee pause 2w`? `/coffee help` lists everything I can do.", 'the arguments come along, ready to copy')
  t.equal(await text('hlep'), "I didn't understand `/coffee hlep`. Did you mean `/coffee help`?")
  t.equal(await text('histroy'), "I didn't understand `/coffee histroy`. Did you mean `/coffee history`? `/coffee help` lists everything I can do.")
  t.equal(await text('confg size 3'), "I didn't understand `/coffee confg size 3`. Did you mean `/coffee config size 3`? `/coffee help` lists everything I can do.")
  t.equal(await text('qiut'), "I didn't understand `/coffee qiut`. Did you mean `/coffee quit`? `/coffee help` lists everything I can do.", 'aliases count, but not a two-letter one two edits away')
  t.equal(await text('dance wildly'), "I didn't understand `/coffee dance wildly`. `/coffee help` lists everything I can do.")
  t.equal(await text('info'), "I didn't understand `/coffee info`. `/coffee help` lists everything I can do.", 'not "in", all of whose letters would change')
  t.equal(await text('hi'), "I didn't understand `/coffee hi`. `/coffee help` lists everything I can do.")
  t.equal(await text('`x` | y'), "I didn't understand ``/coffee `x` | y``. `/coffee help` lists everything I can do.", 'what they typed stays in its code span')
  t.equal(await db.prisma.participant.count(), 0, 'a suggestion does nothing')
})

t.test('subcommand words ignore case and extra whitespace', async (t) => {
  const { app, db } = await createTestApp(t)
  const result = await slash(app, { text: '  \tJOIN  ' })
  t.match(result.body.text, /You're in/)
  t.equal(await db.prisma.participant.count(), 1)
})

t.test('the token is checked in constant time; a wrong or missing token changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const wrong = await slash(app, { text: 'join', token: 'not-the-token' })
  t.equal(wrong.status, 401)
  t.match(wrong.body.message, /token is missing or wrong/)
  const missing = await slash(app, { text: 'join', token: null })
  t.equal(missing.status, 401)
  t.equal(await db.prisma.program.count(), 0, 'no program created')
  t.equal(await db.prisma.participant.count(), 0, 'nobody joined')

  // The header alone (newer Mattermost), and the field alone (older), are each enough.
  const headerOnly = slashFields({ text: 'status' })
  headerOnly.delete('token')
  const viaHeader = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(SLASH_TOKEN), payload: headerOnly.toString() })
  t.equal(viaHeader.statusCode, 200)
  const viaField = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(null), payload: slashFields({ text: 'status' }).toString() })
  t.equal(viaField.statusCode, 200)
})

t.test('several slash tokens (one per team) are all accepted', async (t) => {
  const { app } = await createTestApp(t, { env: { MATTERMOST_SLASH_TOKEN: `first-token,${SLASH_TOKEN}` } })
  t.equal((await slash(app, { text: 'help' })).status, 200)
  t.equal((await slash(app, { text: 'help', token: 'first-token' })).status, 200)
  t.equal((await slash(app, { text: 'help', token: 'third-token' })).status, 401)
})

t.test('without MATTERMOST_SLASH_TOKEN the admin is told what to set, and nothing is stored', async (t) => {
  const { app, db } = await createTestApp(t, { env: { MATTERMOST_SLASH_TOKEN: '' } })
  const result = await slash(app, { text: 'join' })
  t.equal(result.status, 200)
  t.match(result.body.text, /MATTERMOST_SLASH_TOKEN/)
  t.equal(await db.prisma.participant.count(), 0)
})

t.test('GET commands carry the same fields in the query', async (t) => {
  const { app, db } = await createTestApp(t)
  const response = await app.inject({ method: 'GET', url: `/coffee?${slashFields({ text: 'join' }).toString()}`, headers: { authorization: `Token ${SLASH_TOKEN}` } })
  t.equal(response.statusCode, 200)
  t.match(response.json().text, /You're in/)
  t.equal(await db.prisma.participant.count(), 1)
})

t.test('missing fields are a 400 that names them', async (t) => {
  const { app } = await createTestApp(t)
  const fields = slashFields({ text: 'join' })
  fields.delete('user_id')
  fields.delete('channel_id')
  const response = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(), payload: fields.toString() })
  t.equal(response.statusCode, 400)
  t.match(response.json().message, /missing channel_id, user_id/)
})

t.test('bad bodies get a 4xx, never a 500, and the service stays up', async (t) => {
  const { app } = await createTestApp(t)
  const huge = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(), payload: `text=${'a'.repeat(1024 * 1024 + 10)}` })
  t.equal(huge.statusCode, 413)
  const xml = await app.inject({ method: 'POST', url: '/coffee', headers: { ...slashHeaders(), 'content-type': 'application/xml' }, payload: '<coffee/>' })
  t.equal(xml.statusCode, 415)
  const brokenJson = await app.inject({ method: 'POST', url: '/coffee', headers: { ...slashHeaders(), 'content-type': 'application/json' }, payload: '{"token":' })
  t.equal(brokenJson.statusCode, 400)
  t.notMatch(brokenJson.body, /at JSON\.parse|node_modules/, 'no internals')
  const latin1 = await app.inject({ method: 'POST', url: '/coffee', headers: slashHeaders(), payload: Buffer.concat([Buffer.from(slashFields({ text: '' }).toString() + '&text='), Buffer.from([0xe9, 0xff])]) })
  t.equal(latin1.statusCode, 200, 'odd bytes in text are tolerated')
  const put = await app.inject({ method: 'PUT', url: '/coffee', headers: slashHeaders(), payload: slashFields({ text: 'join' }).toString() })
  t.equal(put.statusCode, 404)
  const stillUp = await slash(app, { text: 'help' })
  t.equal(stillUp.status, 200)
})

t.test('in a direct or group message, channel commands explain where coffee runs', async (t) => {
  const { app, db } = await createTestApp(t)
  const dm = await slash(app, { text: 'join', channelName: `${mmId('alice')}__${mmId('bob')}`, channelId: mmId('dm') })
  t.match(dm.body.text, /runs in channels/)
  const gm = await slash(app, { text: 'skip', channelName: 'a'.repeat(20) + '0123456789abcdef0123', channelId: mmId('gm') })
  t.match(gm.body.text, /runs in channels/)
  t.equal(await db.prisma.program.count(), 0)
  t.match((await slash(app, { text: 'help', channelName: `${mmId('alice')}__${mmId('bob')}` })).body.text, /\/coffee join/, 'help works anywhere')
})

t.test('in the group message of an intro, a command means the channel that made the intro', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'], { seed: 1 })
  await pass(world.app, { force: true })
  const intro = await world.db.prisma.delivery.findFirstOrThrow({ where: { kind: 'intro', state: 'sent' } })
  const group = { channelId: intro.channelId!, channelName: world.mm.channel(intro.channelId!)!.name }
  t.equal(world.mm.channel(group.channelId)?.type, 'G', 'a group message of the bot and the pair')

  t.equal(await say(world.app, 'skip', { userName: 'alice', ...group }), "_For ~town-square:_ Got it: you'll sit out the next round and be back for the one after. Changed your mind? `/coffee resume`.")
  t.match(await say(world.app, 'status', { userName: 'alice' }), /You're \*\*in\*\*, and sitting out the next round\./, 'the skip counts in the channel')
  t.match(await say(world.app, 'status', { userName: 'bob', ...group }), /^_For ~town-square:_ - You're \*\*in\*\* for the next round\./)

  world.person('carol')
  t.match(await say(world.app, 'skip', { userName: 'carol', ...group }), /^Coffee runs in channels/, 'someone who was not in the group: no channel to act on')
  t.match(await say(world.app, 'skip', { userName: 'alice', channelId: mmId('other'), channelName: 'f'.repeat(40) }), /^Coffee runs in channels/, 'another group message: refused as before')
})

t.test('the command runs in the channel it was typed in', async (t) => {
  const { app, db } = await createTestApp(t)
  await slash(app, { text: 'join' })
  const program = await db.prisma.program.findUniqueOrThrow({ where: { channelId: CHANNEL_ID } })
  t.equal(program.channelName, 'town-square')
})
