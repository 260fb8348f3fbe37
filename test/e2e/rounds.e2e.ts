// Rounds against the real Mattermost: intros land in real group messages that each member reads back through the
// API; people who cannot take part (deactivated, removed from the channel, bots, a blocked pair) are left out; someone
// with nobody to meet gets a direct message.
import t from 'tap'
import { createWorld, testMattermostUrl, E2E_ADMIN_TOKEN, type Conversation, type Person, type World } from '../helpers/real-mattermost.js'

const url = testMattermostUrl()

/** Every group message the bot has with these people, read as each of them: the member ids of each group. */
async function groupsSeenBy (world: World, people: Person[]): Promise<Map<string, Conversation>> {
  const groups = new Map<string, Conversation>()
  for (const person of people) {
    for (const conversation of await world.conversations(person, 'G')) groups.set(conversation.channel.id, conversation)
  }
  return groups
}

/** Who the intro's first line greets. */
const mentions = (message: string) => [...(message.split('\n')[0] ?? '').matchAll(/@([a-z0-9.\-_]+)/g)].map((m) => m[1]!).sort()

if (url === undefined) t.plan(0, 'no real Mattermost (TEST_MATTERMOST_URL)')
else {
  t.test('intros land in group messages; the deactivated, the removed and a blocked pair are left out', async (t) => {
    const world = await createWorld(t, url)
    const [alice, bob, frank, gina, dave, erin] = await Promise.all(['alice', 'bob', 'frank', 'gina', 'dave', 'erin'].map((name) => world.person(name)))
    for (const person of [alice, bob, frank, gina, dave, erin]) t.match((await world.slash(person!, 'join')).text, /You're in/)
    t.match((await world.slash(frank!, `block @${gina!.username}`)).text, /You will never be grouped with @gina-/, 'Mattermost resolved the mention')

    await world.server.admin.updateUserActive(dave!.id, false)
    await world.server.admin.removeFromChannel(erin!.id, world.channel.id)

    const seen = new Set<string>()
    const people = [alice!, bob!, frank!, gina!]
    // Four people have three ways to pair up: without the block, round 3 would pair frank and gina.
    for (let round = 1; round <= 3; round++) {
      const { status, body } = await world.rounds({ force: true })
      t.equal(status, 200)
      t.same(body.errors, [])
      t.hasStrict(body.rounds, [{ channel_id: world.channel.id, round, eligible: 4, groups: 2, excluded: { inactive: 1, notMember: 1 } }])
      t.same(body.deliveries, { sent: round === 1 ? 3 : 5, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 }, 'the intros and the channel\'s announcement, after the last round\'s follow-ups')

      const groups = await groupsSeenBy(world, people)
      const intros = [...groups.values()].flatMap((g) => g.posts.filter((p) => p.user_id === world.bot.id && /Coffee time/.test(p.message)).map((p) => ({ post: p, group: g })))
      const fresh = intros.filter(({ post }) => !seen.has(post.id))
      t.equal(fresh.length, 2, `round ${round}: two new intros`)
      for (const { post, group } of fresh) {
        seen.add(post.id)
        const members = group.memberIds.filter((id) => id !== world.bot.id)
        t.equal(members.length, 2, 'a pair, with the bot')
        t.ok(group.memberIds.includes(world.bot.id))
        const names = people.filter((p) => members.includes(p.id)).map((p) => p.username).sort()
        t.same(mentions(post.message), names, 'the intro mentions exactly its members')
        t.match(post.message, new RegExp(`~${world.channel.name}`), 'and names the channel it came from')
        t.notSame(names, [frank!.username, gina!.username].sort(), 'frank and gina are never grouped')
      }
    }
    const [aliceGroup] = await world.conversations(alice!, 'G')
    t.match((await world.slash(alice!, 'skip', aliceGroup!.channel)).text, new RegExp(`^_For ~${world.channel.name}:_ Got it: you'll sit out the next round`), 'typed in the group message, skip means the channel of the intro')
    t.match((await world.slash(alice!, 'status')).text, /sitting out the next round/)
    const botGroups = await world.conversations(world.bot, 'G')
    t.equal(botGroups.length, 4, 'four pairs in three rounds: the only new pairing for round 3 would have put frank with gina')
    t.notOk(botGroups.some((g) => g.memberIds.includes(dave!.id) || g.memberIds.includes(erin!.id)), 'nobody left out is in any of them')
  })

  t.test('the channel hears of each round; intros name people, offer starters and a skip button that answers privately', async (t) => {
    const world = await createWorld(t, url)
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    const people = await Promise.all(['amy', 'ben', 'cat', 'dan'].map((name) => world.person(name)))
    const [amy] = people as [Person]
    await world.server.admin.patchUser({ id: amy.id, position: 'Product designer' })
    for (const person of people) t.match((await world.slash(person, 'join')).text, /You're in/)

    const { body } = await world.rounds({ force: true })
    t.hasStrict(body.rounds, [{ round: 1, eligible: 4, groups: 2 }])
    t.equal(body.deliveries.sent, 3, 'two intros and the announcement')
    const channelPosts = async () => {
      const list = await amy.client.getPosts(world.channel.id, 0, 50)
      return list.order.map((id) => list.posts[id]!).filter((p) => p.user_id === world.bot.id)
    }
    const [announced, ...more] = await channelPosts()
    t.same(more, [], 'one post in the channel')
    t.equal(announced?.message, '☕ **Coffee starts here!** 4 people meet in 2 groups this round — look for my group message. Want to meet someone new? Type `/coffee join` to take part.', 'read by amy in the channel')

    const [group] = await world.conversations(amy, 'G')
    const intro = group!.posts.find((p) => p.user_id === world.bot.id && /Coffee time/.test(p.message))!
    const firstLine = intro.message.split('\n')[0]!
    t.ok(firstLine.includes(`@${amy.username} (Amy Tester, Product designer)`), `amy named with her position: ${firstLine}`)
    const partner = people.find((p) => p !== amy && group!.memberIds.includes(p.id))!
    t.match(firstLine, new RegExp(`@${partner.username} \\([A-Z][a-z]+ Tester\\)`), 'the partner with their full name')
    t.equal(intro.message.split('\n').filter((line) => line.startsWith('- ')).length, 2, 'two conversation starters for a pair')
    const actions = ((intro.props.attachments ?? []) as { actions?: { id: string, name: string }[] }[]).flatMap((a) => a.actions ?? [])
    t.same(actions.map((a) => [a.id, a.name]), [['coffeeskip', 'Skip next round'], ['coffeeknow', 'We already know each other']])
    await amy.client.doPostAction(intro.id, 'coffeeskip')
    t.match((await world.slash(amy, 'status')).text, /sitting out the next round/, 'the click skipped her next round')
    const seenByPartner = await partner.client.getPost(intro.id) as unknown as typeof intro
    t.equal(seenByPartner.message, intro.message, 'the intro is unchanged for the others')
    t.equal(seenByPartner.update_at, intro.update_at, 'not even touched')

    t.match((await world.slash(lead, 'config announce off')).text, /no more posts in this channel/)
    t.hasStrict((await world.rounds({ force: true })).body.rounds, [{ round: 2, eligible: 3 }], 'round 2 without amy')
    t.equal((await channelPosts()).length, 1, 'announcements off: nothing new in the channel')
  })

  t.test('bots and people who never joined stay out of an everyone-here channel; a lone person gets a DM', async (t) => {
    const world = await createWorld(t, url)
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    const [amy, ben, cat] = await Promise.all(['amy', 'ben', 'cat'].map((name) => world.person(name)))
    const otherBot = await world.server.admin.createBot({ username: `helper-${world.suffix}`, display_name: 'Helper' })
    t.teardown(async () => { await world.server.admin.disableBot(otherBot.user_id).catch(() => {}) })
    await world.server.admin.addToTeam(world.team.id, otherBot.user_id)
    await world.server.admin.addToChannel(otherBot.user_id, world.channel.id)

    t.match((await world.slash(lead, 'config mode channel')).text, /everyone in this channel/)
    t.match((await world.slash(lead, 'leave')).text, /left/)
    // amy blocks both others: whoever she is grouped with, a block is broken, so she is on her own this round.
    for (const other of [ben!, cat!]) t.match((await world.slash(amy!, `block @${other.username}`)).text, /never be grouped/)

    const { body } = await world.rounds({ force: true })
    t.same(body.errors, [])
    t.hasStrict(body.rounds, [{ round: 1, eligible: 3, groups: 1, alone: 1, excluded: { left: 1, inactive: 1 } }], 'the lead left; the other bot is not a person')
    const dms = await world.conversations(amy!, 'D')
    const fromBot = dms.find((c) => c.memberIds.includes(world.bot.id))
    t.ok(fromBot, 'amy has a direct message with the bot')
    t.match(fromBot?.posts.at(-1)?.message, /had nobody free to meet you/)
    const [pair] = await world.conversations(ben!, 'G')
    t.same(pair?.memberIds.sort(), [world.bot.id, ben!.id, cat!.id].sort(), 'ben and cat meet')
  })

  t.test('a public channel the bot is not in: the first join brings the bot in, and rounds start', async (t) => {
    const world = await createWorld(t, url)
    const open = await world.createChannel('open-plan', 'O', { withBot: false })
    const [amy, ben] = await Promise.all(['amy', 'ben'].map((name) => world.person(name, { channels: [open] })))
    for (const person of [amy!, ben!]) t.match((await world.slash(person, 'join', open)).text, /You're in/)
    const members = await world.server.admin.getChannelMembers(open.id, 0, 200)
    t.ok(members.some((m) => m.user_id === world.bot.id), 'Mattermost lists the bot as a member')
    t.hasStrict((await world.rounds({ force: true })).body.rounds, [{ channel_id: open.id, round: 1, eligible: 2 }])
  })

  t.test('a private channel the bot is not in: join answers with the fix; once invited, rounds start', async (t) => {
    const world = await createWorld(t, url)
    const room = await world.createChannel('back-room', 'P', { withBot: false })
    const [amy, ben] = await Promise.all(['amy', 'ben'].map((name) => world.person(name, { channels: [room] })))
    t.match((await world.slash(amy!, 'join', room)).text, new RegExp(`^I'm not a member of this channel.*\\/invite @${world.bot.username}`))
    t.same((await world.rounds({ force: true })).body.rounds, [], 'nobody was recorded, so no round')
    await world.server.admin.addToChannel(world.bot.id, room.id)
    for (const person of [amy!, ben!]) t.match((await world.slash(person, 'join', room)).text, /You're in/)
    t.hasStrict((await world.rounds({ force: true })).body.rounds, [{ channel_id: room.id, round: 1, eligible: 2 }])
  })

  t.test('history imported from another tool: Mattermost resolves the usernames, and round 1 avoids the old pairs', async (t) => {
    const world = await createWorld(t, url)
    const [ann, bo, cas, dee] = await Promise.all(['ann', 'bo', 'cas', 'dee'].map((name) => world.person(name)))
    for (const person of [ann!, bo!, cas!, dee!]) t.match((await world.slash(person, 'join')).text, /You're in/)
    const history = `${world.coffee.url}/api/channels/${world.channel.id}/history`
    const auth = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` }
    // Four people pair up three ways; the old tool used two of them.
    const csv = [
      'date,usernames',
      `2026-01-05,@${ann!.username.toUpperCase()},${bo!.username}`,
      `2026-01-05,${cas!.username},${dee!.username}`,
      `2026-01-12,${ann!.username},${cas!.username}`,
      `2026-01-12,${bo!.username},${dee!.username}`,
      `2026-01-12,${ann!.username},nobody-${world.suffix}`
    ].join('\n')
    const imported = await fetch(history, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv })
    t.equal(imported.status, 200)
    t.same(await imported.json(), {
      imported: { groups: 4, rounds: 2, people: 4 },
      skipped: [{ line: 6, reason: 'unknown_user', message: `Mattermost has no user @nobody-${world.suffix}.` }]
    })

    const { body } = await world.rounds({ force: true })
    t.hasStrict(body.rounds, [{ channel_id: world.channel.id, round: 1, eligible: 4, groups: 2 }])
    const pairs = [...(await groupsSeenBy(world, [ann!, bo!, cas!, dee!])).values()]
      .map((g) => [ann!, bo!, cas!, dee!].filter((p) => g.memberIds.includes(p.id)).map((p) => p.username).sort().join('+')).sort()
    t.same(pairs, [[ann!.username, dee!.username].sort().join('+'), [bo!.username, cas!.username].sort().join('+')].sort(), 'the one pairing the old tool never made')

    const exported = await fetch(history, { headers: { ...auth, accept: 'text/csv' } })
    const again = await fetch(history, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: await exported.text() })
    const report = await again.json() as { imported: { groups: number }, skipped: { reason: string }[] }
    t.equal(report.imported.groups, 0, 'the export imports to the same state')
    t.same(report.skipped.map((s) => s.reason), ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
  })

  t.test('time zones as Mattermost keeps them: groups share working hours, and the intro says when in each one\'s time', async (t) => {
    const world = await createWorld(t, url)
    // Zones without daylight saving, so that the check holds whatever the date: São Paulo shares no hour of 09–17 with
    // Kolkata or Tokyo; Kolkata 09:00–13:30 is Tokyo 12:30–17:00.
    const zones: [string, { useAutomaticTimezone: string, automaticTimezone: string, manualTimezone: string }][] = [
      ['ana', { useAutomaticTimezone: 'false', automaticTimezone: '', manualTimezone: 'America/Sao_Paulo' }],
      ['eva', { useAutomaticTimezone: 'true', automaticTimezone: 'America/Sao_Paulo', manualTimezone: 'Asia/Tokyo' }],
      ['ben', { useAutomaticTimezone: 'true', automaticTimezone: 'Asia/Kolkata', manualTimezone: '' }],
      ['kai', { useAutomaticTimezone: 'false', automaticTimezone: 'America/Sao_Paulo', manualTimezone: 'Asia/Tokyo' }]
    ]
    const people: Person[] = []
    for (const [name, timezone] of zones) {
      const person = await world.person(name)
      await world.server.admin.patchUser({ id: person.id, timezone })
      t.match((await world.slash(person, 'join')).text, /You're in/)
      people.push(person)
    }
    const [ana, eva, ben, kai] = people as [Person, Person, Person, Person]
    const { body } = await world.rounds({ force: true })
    t.hasStrict(body.rounds, [{ channel_id: world.channel.id, round: 1, eligible: 4, groups: 2 }])
    const groups = [...(await groupsSeenBy(world, people)).values()]
    const membersOf = (g: Conversation) => g.memberIds.filter((id) => id !== world.bot.id).sort()
    t.same(groups.map(membersOf).sort(), [[ana.id, eva.id].sort(), [ben.id, kai.id].sort()].sort(), 'São Paulo with São Paulo, Kolkata with Tokyo')
    const intro = (members: string[]) => groups.find((g) => membersOf(g).join() === [...members].sort().join())!.posts.find((p) => p.user_id === world.bot.id && /Coffee time/.test(p.message))!.message
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    t.match(intro([ben.id, kai.id]), new RegExp(`\n🕘 \\*\\*When you can all meet:\\*\\* [A-Za-z–, ]+, 09:00–13:30 for @${escape(ben.username)} \\(Asia/Kolkata\\), 12:30–17:00 for @${escape(kai.username)} \\(Asia/Tokyo\\)\\.\n`), 'the window, in each one\'s own time')
    t.notMatch(intro([ana.id, eva.id]), /🕘|🌍/, 'one zone: nothing to add')
  })
}
