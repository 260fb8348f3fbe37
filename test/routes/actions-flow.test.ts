// The whole loop as a real Mattermost runs it: a round, the follow-up, a person clicking a button in Mattermost
// (the fake server calls Coffee's /actions over HTTP and applies the update), and the numbers afterwards.
import t from 'tap'
import type { Test } from 'tap'
import { createTestApp, ADMIN_TOKEN } from '../helpers/app.js'
import { createMattermostWorld } from '../helpers/mattermost.js'
import { say, mmId, CHANNEL_ID } from '../helpers/slash.js'
import { pass, startNow } from '../helpers/rounds.js'
import { createRandom } from '../../src/core/matching/index.js'
import { DAY_MS } from '../../src/core/durations.js'
import { freePort } from '../../scripts/mattermost/server.js'

// Coffee listening where the fake Mattermost posts clicks, these people joined, round 1 made and its follow-ups sent.
async function afterFollowups (t: Test, names: readonly string[], seed: number) {
  const world = await createMattermostWorld(t)
  const port = await freePort()
  const { app, clock, db } = await createTestApp(t, {
    gateway: world.gateway,
    env: { ...world.env, PUBLIC_URL: `http://127.0.0.1:${port}` },
    random: createRandom(seed),
    delivery: { retryDelaysMs: [1], maxInlineWaitMs: 1000 }
  })
  await app.listen({ port, host: '127.0.0.1' })
  for (const name of names) {
    world.person(name)
    await say(app, 'join', { userName: name })
  }
  await startNow(db.prisma, clock.now())
  await pass(app)
  clock.advance(3 * DAY_MS)
  await pass(app)
  return { world, app, clock, port }
}

t.test('round -> follow-up -> click in Mattermost -> post updated and stats counted', async (t) => {
  const { world, app, port } = await afterFollowups(t, ['alice', 'bob', 'carol', 'dave'], 11)

  const followups = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).filter((p) => String(p.props?.coffee_delivery).startsWith('followup:'))
  t.equal(followups.length, 2)
  const alices = followups.find((p) => world.mm.memberIds(p.channel_id).includes(mmId('alice')))!
  const others = followups.find((p) => p !== alices)!

  // Clients never see the integration (URL and signed context): the server keeps it.
  const asSeen = await fetch(`${world.mm.url}/api/v4/channels/${alices.channel_id}/posts`, { headers: { authorization: `Bearer ${world.botToken}` } })
  const seenPost = ((await asSeen.json()) as { posts: Record<string, unknown> }).posts[alices.id]
  t.ok(seenPost, 'the follow-up is in the channel')
  t.notMatch(JSON.stringify(seenPost), /integration|sig/, 'context stripped from clients')

  const clicked = await world.mm.click(alices.id, 'coffeemet', mmId('alice'))
  t.equal(clicked.status, 200, 'Mattermost accepted our answer')
  t.equal(clicked.integration?.status, 200)
  t.equal(clicked.integration?.url, `http://127.0.0.1:${port}/actions`)
  t.match(clicked.post?.message, /✅ @alice says you met/, 'the post now shows the answer')
  t.equal((clicked.post?.props?.attachments as unknown[] | undefined)?.length, 1, 'the buttons stay for the partner, who has not answered')
  t.match(clicked.ephemeral?.message, /Glad you met/, 'alice got a private thank-you')

  const notYet = await world.mm.click(others.id, 'coffeenotyet', world.mm.memberIds(others.channel_id).find((id) => id !== world.bot.id)!)
  t.equal(notYet.status, 200)
  t.match(notYet.post?.message, /⏳ @\w+ says not yet/)
  t.equal((notYet.post?.props?.attachments as unknown[]).length, 1, 'buttons stay after "not yet"')

  const stranger = world.person('mallory')
  const refused = await world.mm.click(alices.id, 'coffeecancelled', stranger.id)
  t.equal(refused.status, 403, 'Mattermost itself refuses someone outside the conversation')

  const stats = await fetch(`http://127.0.0.1:${port}/api/channels/${CHANNEL_ID}/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  t.same(await stats.json(), { participants: 4, active: 4, rounds: 1, groups: 2, asked: 2, met: 1, not_met: 1, no_answer: 0, met_rate: 0.5 })
  t.match(await say(app, 'stats', { userName: 'bob' }), /50\s*%/)
  t.match(await say(app, 'history', { userName: 'alice' }), /met/i)
})

t.test('a click while the reminder is editing the follow-up: the post ends up showing that answer too', async (t) => {
  const { world, app, clock } = await afterFollowups(t, ['alice', 'bob', 'carol'], 5)
  const followup = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).find((p) => String(p.props?.coffee_delivery).startsWith('followup:'))!
  t.equal((await world.mm.click(followup.id, 'coffeenotyet', mmId('bob'))).status, 200, 'bob: not yet, which earns a reminder')
  clock.advance(2 * DAY_MS)

  // The reminder's pass read the answers (bob's) when it claimed the delivery; its edit of the follow-up is slow to
  // land, and alice answers meanwhile: Mattermost applies her click's update first, then the reminder's edit.
  const edits = `/api/v4/posts/${followup.id}/patch`
  world.mm.delayNext(1, 400, { method: 'PUT', path: edits })
  const reminding = pass(app)
  while (world.mm.requestsTo('PUT', edits).length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  const clicked = await world.mm.click(followup.id, 'coffeemet', mmId('alice'))
  t.match(clicked.post?.message, /✅ @alice says you met/, 'her click updated the post')
  const summary = await reminding
  t.equal(summary.deliveries.sent, 1, 'the reminder went out')

  const after = world.mm.post(followup.id)!
  t.match(after.message, /⏳ @bob says not yet/)
  t.match(after.message, /✅ @alice says you met/, "the reminder's edit did not hide her answer")
  t.match(after.message, /⏰ _Reminded — still waiting to hear from carol\._$/, 'and it waits for carol alone')
  t.equal(world.mm.requestsTo('PUT', edits).length, 2, 'the edit was made again once, with the answers as they are now')
})
