// The intro's "We already know each other", clicked in Mattermost (the fake server calls Coffee's /actions over HTTP
// and applies its answer's update as the real one does): the pairs are recorded once, the intro says so once, and the
// matcher never groups them again in that channel.
import t, { type Test } from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { click } from '../helpers/actions.js'
import { tablesOf } from '../helpers/mattermost-markdown.js'
import { dashboardLink, openLink } from '../helpers/dashboard.js'
import { freePort } from '../../scripts/mattermost/server.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { FakePost } from '../helpers/fake-mattermost.js'

async function setup (t: Test, names: readonly string[], groupSize = 2) {
  const port = await freePort()
  const world = await createJoinedWorld(t, names, { seed: 5, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } })
  await world.app.listen({ port, host: '127.0.0.1' })
  await world.db.prisma.program.updateMany({ data: { groupSize } })
  return world
}
type World = Awaited<ReturnType<typeof setup>>

function introOf (world: World, name: string, round = 1): FakePost {
  return world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id))
    .find((p) => new RegExp(`^intro:\\d+:${round}:`).test(String(p.props.coffee_delivery)) && world.mm.memberIds(p.channel_id).includes(mmId(name)))!
}

/** The buttons under a post as people see them (the API strips integrations). */
function buttonsOf (post: FakePost): string[] {
  return (post.props.attachments as { actions: { id: string, name: string }[] }[]).flatMap((a) => a.actions.map((b) => `${b.id}: ${b.name}`))
}

/** Who met whom in a round, as sorted "a+b" strings. */
function groupsOf (world: World, round: number): string[] {
  return world.mm.channelsOfType('G')
    .filter((c) => world.mm.posts(c.id).some((p) => new RegExp(`^intro:\\d+:${round}:`).test(String(p.props.coffee_delivery))))
    .map((c) => world.mm.memberIds(c.id).filter((id) => id !== world.bot.id).map((id) => world.mm.user(id)!.username).sort().join('+'))
    .sort()
}

t.test('a click records the pair, the intro says so once (buttons and delivery key kept), a second click changes nothing', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  await pass(world.app)
  const intro = introOf(world, 'alice')
  const partner = world.mm.memberIds(intro.channel_id).map((id) => world.mm.user(id)!.username).find((n) => n !== 'alice' && n !== 'coffee')!
  const before = world.mm.post(intro.id)!
  t.same(buttonsOf(before), ['coffeeskip: Skip next round', 'coffeeknow: We already know each other'], 'the intro carries both buttons')

  const first = await world.mm.click(intro.id, 'coffeeknow', mmId('alice'))
  t.equal(first.status, 200)
  t.equal(first.ephemeral?.message, "Noted: you won't be grouped with them again in this channel.", 'the clicker hears back privately')
  const after = world.mm.post(intro.id)!
  t.equal(after.message, `${before.message}\n\n🤝 @alice and @${partner} already know each other — I won't pair them again.`, 'the intro gains one line, the rest as it was')
  // Mattermost replaces the props with the update's as a whole (from_bot, added at posting, is not among those it keeps).
  const { from_bot: _, ...posted } = before.props
  t.same(after.props, posted, 'buttons and props.coffee_delivery are kept')
  t.equal(after.props.coffee_delivery, before.props.coffee_delivery)

  const second = await world.mm.click(intro.id, 'coffeeknow', mmId(partner))
  t.equal(second.ephemeral?.message, "I already know that: you won't be grouped together again in this channel.", 'a second click, by the other one, is answered privately')
  t.same(world.mm.post(intro.id)!, after, 'and changes nothing')
  const again = await world.mm.click(intro.id, 'coffeeknow', mmId('alice'))
  t.equal(again.ephemeral?.message, "I already know that: you won't be grouped together again in this channel.")
  t.same(world.mm.post(intro.id)!, after)
  const rows = await world.db.prisma.acquaintance.findMany()
  t.equal(rows.length, 1, 'one row for the pair')

  const history = await say(world.app, 'history', { userName: partner })
  const [table] = tablesOf(t, history)
  t.same(table?.[1]?.slice(2), ['@alice', 'follow-up still to come · 🤝 already knew each other'], '/coffee history shows it, as the apps render it')
})

t.test('the next round never groups the pair, while without the record it would (2 people)', async (t) => {
  for (const know of [false, true]) {
    const world = await setup(t, ['alice', 'bob'])
    await pass(world.app)
    t.same(groupsOf(world, 1), ['alice+bob'])
    if (know) await world.mm.click(introOf(world, 'alice').id, 'coffeeknow', mmId('bob'))
    world.clock.advance(7 * DAY_MS)
    const round2 = await pass(world.app)
    if (know) {
      t.same(groupsOf(world, 2), [], 'after the click: no group in round 2')
      t.equal(round2.rounds[0]?.alone, 2, 'both are told nobody was free')
    } else {
      t.same(groupsOf(world, 2), ['alice+bob'], 'without the click they meet again')
    }
  }
})

t.test('over the rounds where everyone meets again, the pair never does (4 people, 6 rounds)', async (t) => {
  const run = async (know: boolean) => {
    const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
    await pass(world.app)
    const intro = introOf(world, 'alice')
    const partner = world.mm.memberIds(intro.channel_id).map((id) => world.mm.user(id)!.username).find((n) => n !== 'alice' && n !== 'coffee')!
    if (know) await world.mm.click(intro.id, 'coffeeknow', mmId('alice'))
    const pair = ['alice', partner].sort().join('+')
    const met: number[] = []
    for (let round = 2; round <= 6; round++) {
      world.clock.advance(7 * DAY_MS)
      await pass(world.app)
      if (groupsOf(world, round).includes(pair)) met.push(round)
    }
    return met
  }
  t.not((await run(false)).length, 0, 'without the record the pair meets again within rounds 2..6')
  t.same(await run(true), [], 'with it, never')
})

t.test('in a trio, each click records the clicker with the others; the intro names who said it', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol'], 3)
  await pass(world.app)
  const intro = introOf(world, 'alice')
  const before = world.mm.post(intro.id)!

  await world.mm.click(intro.id, 'coffeeknow', mmId('carol'))
  t.equal(world.mm.post(intro.id)!.message, `${before.message}\n\n🤝 @carol already knows @alice and @bob — I won't group them together again.`)
  world.clock.advance(60_000)
  const second = await world.mm.click(intro.id, 'coffeeknow', mmId('alice'))
  t.equal(second.ephemeral?.message, "Noted: you won't be grouped with them again in this channel.")
  const told = [
    before.message,
    '',
    "🤝 @carol already knows @alice and @bob — I won't group them together again.",
    "🤝 @alice and @bob already know each other — I won't pair them again."
  ].join('\n')
  t.equal(world.mm.post(intro.id)!.message, told, "alice's click adds her pair with bob only (carol's covered hers with carol)")
  const third = await world.mm.click(intro.id, 'coffeeknow', mmId('bob'))
  t.equal(third.ephemeral?.message, "I already know that: you won't be grouped together again in this channel.", 'bob has nothing left to add')
  t.equal(world.mm.post(intro.id)!.message, told)
  const { from_bot: _, ...posted } = before.props
  t.same(world.mm.post(intro.id)!.props, posted)
  t.equal(await world.db.prisma.acquaintance.count(), 3)

  const [table] = tablesOf(t, await say(world.app, 'history', { userName: 'alice' }))
  t.same(table?.[1]?.slice(2), ['@bob, @carol', 'follow-up still to come · 🤝 already knew each other'])
  world.person('lead', { admin: true })
  const { cookie, location } = await openLink(world.app, await dashboardLink(world.app, { userName: 'lead' }))
  const search = await world.app.inject({ method: 'GET', url: `${location!}?person=alice`, headers: { cookie: cookie! } })
  t.match(search.body, /<table id="person-history">[\s\S]*<td>@bob, @carol<\/td><td>follow-up still to come · 🤝 already knew each other<\/td>/, "the dashboard's person search shows it too")

  world.clock.advance(7 * DAY_MS)
  const round2 = await pass(world.app)
  t.equal(round2.rounds[0]?.groups, 0, 'none of the three is grouped with another again')
})

t.test('the button is refused to people outside the group and under another post; nothing is recorded', async (t) => {
  const world = await setup(t, ['alice', 'bob', 'carol', 'dave'])
  await pass(world.app)
  const intro = introOf(world, 'alice')
  const know = (intro.props.attachments as { actions: { id: string, integration: { context: Record<string, unknown> } }[] }[])[0]!.actions.find((a) => a.id === 'coffeeknow')!
  const context = know.integration.context
  const outsider = world.mm.memberIds(intro.channel_id).includes(mmId('carol')) ? 'dave' : 'carol'
  const notMember = await click(world.app, { userId: mmId(outsider), postId: intro.id, channelId: intro.channel_id, context })
  t.equal(notMember.body.ephemeral_text, 'Only the people in this group can answer for it.')
  t.equal(notMember.body.update, undefined)
  const forged = await click(world.app, { userId: mmId('alice'), postId: intro.id, channelId: intro.channel_id, context: { ...context, answer: 'skip' } })
  t.equal(forged.body.ephemeral_text, "This button isn't one of mine, so I ignored it.", 'a know context cannot be turned into a skip')

  world.clock.advance(3 * DAY_MS)
  await pass(world.app)
  const followup = world.mm.posts(intro.channel_id).find((p) => String(p.props.coffee_delivery).startsWith('followup:'))!
  const elsewhere = await click(world.app, { userId: mmId('alice'), postId: followup.id, channelId: intro.channel_id, context })
  t.equal(elsewhere.body.ephemeral_text, "This button doesn't belong to this conversation, so I ignored it.", 'only from the intro')
  t.equal(await world.db.prisma.acquaintance.count(), 0, 'nothing recorded')
})
