// "Did you meet?" against the real Mattermost: the buttons as members see them, clicks through
// POST /api/v4/posts/{post_id}/actions/{action_id} (Mattermost calls Coffee's /actions and applies the update), the
// reminder, auto-pause and its direct message, and the numbers in /coffee stats, history and the admin API.
import t from 'tap'
import { createWorld, testMattermostUrl, type Person, type Post, type World } from '../helpers/real-mattermost.js'

const url = testMattermostUrl()
const DAY_MS = 24 * 60 * 60 * 1000

interface Attachment { actions?: { id: string, name: string, integration?: unknown }[] }

/** The bot's newest post in this person's group message that matches `pattern`. */
async function latestInGroup (world: World, person: Person, pattern: RegExp): Promise<Post | undefined> {
  const [group] = await world.conversations(person, 'G')
  return group?.posts.filter((p) => p.user_id === world.bot.id && pattern.test(p.message)).at(-1)
}

async function clickAs (person: Person, postId: string, actionId: string): Promise<{ status: number, error?: string }> {
  try {
    await person.client.doPostAction(postId, actionId)
    return { status: 200 }
  } catch (error) {
    const e = error as { status_code?: number, server_error_id?: string }
    return { status: e.status_code ?? 0, error: e.server_error_id ?? '' }
  }
}

if (url === undefined) t.plan(0, 'no real Mattermost (TEST_MATTERMOST_URL)')
else {
  t.test('buttons, clicks, the updated post, the reminder and the numbers', async (t) => {
    const world = await createWorld(t, url)
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    const people = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => world.person(name)))
    const [alice, , carol] = people as [Person, Person, Person, Person]
    t.match((await world.slash(lead, 'config followup 0')).text, /at the next scheduler run/)
    for (const person of people) await world.slash(person, 'join')
    t.same((await world.rounds()).body.rounds, [], 'round 1 waits for a channel admin to pick its start')
    t.match((await world.slash(lead, 'config start now')).text, /^Done: Round 1 is at the next scheduler run/)

    t.hasStrict((await world.rounds()).body.rounds, [{ round: 1, eligible: 4, groups: 2 }], 'round 1 starts at the next scheduler call')
    const { body: second } = await world.rounds()
    t.same(second.deliveries, { sent: 2, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 }, 'the next call asks both groups')

    const followup = await latestInGroup(world, alice, /How did it go/)
    t.ok(followup, 'alice sees the follow-up in her group message')
    const [buttons] = (followup!.props.attachments ?? []) as Attachment[]
    t.same(buttons?.actions?.map((a) => [a.id, a.name]), [['coffeemet', 'We met ☕'], ['coffeenotyet', 'Not yet'], ['coffeecancelled', "We couldn't make it"]])
    t.notOk(buttons?.actions?.some((a) => a.integration !== undefined), 'Mattermost keeps the signed context from clients')

    const partner = people.find((p) => p !== alice && followup!.message.includes(`@${p.username}`))!
    const outsider = people.find((p) => p !== alice && p !== partner)!
    t.same(await clickAs(outsider, followup!.id, 'coffeecancelled'), { status: 403, error: 'api.context.permissions.app_error' }, 'Mattermost refuses someone outside the conversation')
    t.same(await clickAs(alice, followup!.id, 'coffeemet'), { status: 200 }, 'Mattermost accepted the click and Coffee answered')

    const updated = await partner.client.getPost(followup!.id) as unknown as Post
    t.match(updated.message, new RegExp(`✅ @${alice.username} says you met`), 'the post shows the answer, to everyone in the group')
    t.equal(((updated.props.attachments ?? []) as Attachment[])[0]?.actions?.length, 3, 'the buttons stay for the partner, who has not answered')
    t.equal(updated.props.coffee_delivery, followup!.props.coffee_delivery, 'the delivery key stays on the post')
    t.same(await clickAs(partner, followup!.id, 'coffeemet'), { status: 200 }, 'the partner adds their own answer')
    const answered = await partner.client.getPost(followup!.id) as unknown as Post
    t.match(answered.message, new RegExp(`✅ @${partner.username} says you met`))
    t.same(answered.props.attachments ?? [], [], 'everyone answered: no more buttons')
    t.same(await clickAs(partner, followup!.id, 'coffeemet'), { status: 404, error: 'api.post.do_action.action_id.app_error' }, 'the buttons are gone from the server too')

    const other = await latestInGroup(world, outsider, /How did it go/)
    t.same(await clickAs(outsider, other!.id, 'coffeenotyet'), { status: 200 })
    const waiting = await outsider.client.getPost(other!.id) as unknown as Post
    t.match(waiting.message, new RegExp(`⏳ @${outsider.username} says not yet`))
    t.equal(((waiting.props.attachments ?? []) as Attachment[])[0]?.actions?.length, 3, 'buttons stay after "not yet"')

    // "Not yet" earns one reminder halfway to the next round (weekly: three and a half days on).
    await world.restartCoffee({ clockShiftMs: 4 * DAY_MS })
    const { body: later } = await world.rounds()
    t.same(later.rounds, [], 'no round is due yet')
    t.equal(later.deliveries.sent, 1, 'the reminder')
    const reminder = await latestInGroup(world, outsider, /Friendly reminder/)
    t.ok(reminder, 'the group that said "not yet" gets the reminder')
    t.notOk(await latestInGroup(world, alice, /Friendly reminder/), 'the group that met does not')
    t.equal(reminder!.root_id, other!.id, 'the reminder is a reply under the follow-up, without buttons of its own')
    t.same(reminder!.props.attachments ?? [], [])
    const outsidersPartner = people.find((p) => p !== outsider && other!.message.includes(`@${p.username}`))!
    const marked = await outsider.client.getPost(other!.id) as unknown as Post
    t.match(marked.message, new RegExp(`\n\n⏰ _Reminded — still waiting to hear from ${outsidersPartner.username}\\._$`), 'the follow-up itself shows the reminder and who has not answered')
    t.equal(((marked.props.attachments ?? []) as Attachment[])[0]?.actions?.length, 3, 'with its buttons')
    t.equal(marked.props.coffee_delivery, other!.props.coffee_delivery, 'and its delivery key')
    t.same(await clickAs(outsider, other!.id, 'coffeemet'), { status: 200 }, 'the follow-up\'s buttons still answer')
    t.match((await outsider.client.getPost(other!.id) as unknown as Post).message, /⏰ _Reminded — still waiting to hear from/, 'a click keeps the mark')

    const stats = await world.api(`/api/channels/${world.channel.id}/stats`)
    t.same(stats.body, { participants: 4, active: 4, rounds: 1, groups: 2, asked: 2, met: 2, not_met: 0, no_answer: 0, met_rate: 1 })
    t.match((await world.slash(carol, 'stats')).text, /100\s*%/, '/coffee stats shows the met rate')
    await world.slash(carol, 'stats share')
    const list = await carol.client.getPosts(world.channel.id, 0, 20)
    const shared = list.order.map((id) => list.posts[id]!).find((p) => p.message.startsWith('#### ☕ Coffee in'))
    t.equal(shared?.user_id, carol.id, '/coffee stats share: Mattermost posts the numbers in the channel, as carol')
    t.match(shared?.message, /100\s*%/)
    const history = (await world.slash(alice, 'history')).text ?? ''
    t.match(history, new RegExp(`@${partner.username}`), 'history names the partner')
    t.match(history, /met/i)
    const rounds = await world.api(`/api/channels/${world.channel.id}/rounds`)
    t.equal(rounds.status, 200)
    t.match(JSON.stringify(rounds.body), new RegExp(alice.id), 'the rounds API lists the groups by user id')
  })

  t.test('three unanswered rounds pause someone, who is told in a direct message', async (t) => {
    const world = await createWorld(t, url)
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    const [ann, ben] = await Promise.all(['ann', 'ben'].map((name) => world.person(name))) as [Person, Person]
    t.match((await world.slash(lead, 'config followup 0')).text, /next scheduler run/)
    for (const person of [ann, ben]) await world.slash(person, 'join')

    // A follow-up counts only when people had a fair time to answer it (a day before the next round): each round's
    // goes out at the next scheduler run, and Coffee comes back a day later for the next round.
    for (let round = 1; round <= 3; round++) {
      if (round > 1) await world.restartCoffee({ clockShiftMs: (round - 1) * DAY_MS })
      t.hasStrict((await world.rounds({ force: true })).body.rounds, [{ round, eligible: 2 }])
      t.equal((await world.rounds()).body.deliveries.sent, 1, `round ${round}'s follow-up`)
    }
    await world.restartCoffee({ clockShiftMs: 3 * DAY_MS })
    // Two newcomers, so that round 4 has people to match besides the two who stopped answering.
    for (const person of await Promise.all(['cat', 'dan'].map((name) => world.person(name)))) await world.slash(person, 'join')
    const { body } = await world.rounds({ force: true })
    t.hasStrict(body.rounds, [{ round: 4, eligible: 2, excluded: { unresponsive: 2 } }], 'round 4 pauses ann and ben')
    for (const person of [ann, ben]) {
      const dm = (await world.conversations(person, 'D')).find((c) => c.memberIds.includes(world.bot.id))
      t.match(dm?.posts.at(-1)?.message, /I've paused your coffee in ~coffee-lovers-\w+, because the last 3 introductions went unanswered/, `${person.username} is told privately`)
    }
    t.match((await world.slash(ann, 'status')).text, /paused/, 'status says so')
    t.match((await world.slash(ann, 'resume')).text, /Welcome back/, 'resume brings her back')
  })

  t.test('"We already know each other": the intro says so once, for everyone; the pair is never grouped again', async (t) => {
    const world = await createWorld(t, url)
    const [amy, ben] = await Promise.all(['amy', 'ben'].map((name) => world.person(name))) as [Person, Person]
    for (const person of [amy, ben]) await world.slash(person, 'join')
    t.hasStrict((await world.rounds({ force: true })).body.rounds, [{ round: 1, eligible: 2, groups: 1 }])
    const intro = await latestInGroup(world, amy, /Coffee time/)
    t.ok(intro, 'amy sees the intro')

    t.same(await clickAs(amy, intro!.id, 'coffeeknow'), { status: 200 }, 'Mattermost accepted the click and Coffee answered')
    const updated = await ben.client.getPost(intro!.id) as unknown as Post
    t.equal(updated.message, `${intro!.message}\n\n🤝 @${amy.username} and @${ben.username} already know each other — I won't pair them again.`, 'ben reads the intro with the line added, the rest as it was')
    t.same(((updated.props.attachments ?? []) as Attachment[])[0]?.actions?.map((a) => a.id), ['coffeeskip', 'coffeeknow'], 'both buttons stay')
    t.equal(updated.props.coffee_delivery, intro!.props.coffee_delivery, 'and the delivery key')

    t.same(await clickAs(ben, intro!.id, 'coffeeknow'), { status: 200 }, 'a second click, by ben')
    const after = await amy.client.getPost(intro!.id) as unknown as Post
    t.equal(after.update_at, updated.update_at, 'changes nothing: the post is not touched again')
    t.match((await world.slash(ben, 'history')).text, new RegExp(`@${amy.username}[^\n]*already knew each other`), '/coffee history shows it')

    t.hasStrict((await world.rounds({ force: true })).body.rounds, [{ round: 2, eligible: 2, groups: 0, alone: 2 }], 'round 2 does not group them again')
  })
}
