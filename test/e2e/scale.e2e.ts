// A round as large as an unlicensed Mattermost allows (250 active users: 240 people here), in a channel where
// everyone takes part (its member list spans two of Mattermost's pages of 200), with Mattermost's own rate limiter on
// (`npm run test:e2e` starts the server with it): every intro arrives exactly once, and the time it took is printed
// next to the floor the limiter sets for the requests Coffee made.
import t from 'tap'
import { createWorld, testMattermostUrl } from '../helpers/real-mattermost.js'

const url = testMattermostUrl()
const PEOPLE = 240

/** "10/100" from the e2e runner: Mattermost's PerSec and MaxBurst, counted per token. */
function rateLimit (): { perSec: number, maxBurst: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(process.env.COFFEE_E2E_RATE_LIMIT ?? '')
  return match === null ? undefined : { perSec: Number(match[1]), maxBurst: Number(match[2]) }
}

if (url === undefined) t.plan(0, 'no real Mattermost (TEST_MATTERMOST_URL)')
else {
  t.test(`${PEOPLE} people in an everyone-here channel: every intro exactly once`, async (t) => {
    const world = await createWorld(t, url, { env: { LOG_LEVEL: 'debug' } })
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    const people = [lead, ...await world.people(Array.from({ length: PEOPLE - 1 }, (_, i) => `p${String(i).padStart(3, '0')}`))]
    t.match((await world.slash(lead, 'config mode channel')).text, /everyone in this channel/)

    const before = world.coffee.output().length
    const started = performance.now()
    const first = await world.rounds({ force: true })
    t.equal(first.status, 200)
    t.same(first.body.errors, [])
    t.hasStrict(first.body.rounds, [{ round: 1, eligible: PEOPLE, groups: PEOPLE / 2, alone: 0 }], 'everyone in the channel but the bot')
    let { pending } = first.body.deliveries
    let sent = first.body.deliveries.sent
    let calls = 1
    while (pending > 0 && calls < 20) {
      const next = await world.rounds()
      t.same(next.body.rounds, [], 'no second round')
      sent += next.body.deliveries.sent
      pending = next.body.deliveries.pending
      calls++
    }
    const seconds = (performance.now() - started) / 1000
    t.equal(pending, 0, 'nothing left pending')
    t.equal(sent, PEOPLE / 2 + 1, 'one intro per group and the channel\'s announcement, in total')

    const log = world.coffee.output().slice(before)
    const requests = log.split('\n').filter((line) => line.includes('"msg":"mattermost request"'))
    const limited = requests.filter((line) => line.includes('"status":429')).length
    t.ok(requests.some((line) => line.includes('/members?page=1&per_page=200')), 'the member list was read past its first page of 200')

    // Read back as the bot: one intro in each group message, and every person in exactly one of them.
    const groups = await world.conversations(world.bot, 'G')
    t.equal(groups.length, PEOPLE / 2)
    const seen = new Map<string, number>()
    for (const group of groups) {
      const intros = group.posts.filter((p) => p.user_id === world.bot.id && /Coffee time/.test(p.message))
      t.equal(intros.length, 1, `exactly one intro in ${group.channel.id}`)
      for (const [, name] of intros[0]?.message.split('\n')[0]?.matchAll(/@([a-z0-9.\-_]+)/g) ?? []) seen.set(name!, (seen.get(name!) ?? 0) + 1)
    }
    t.same([...seen.keys()].sort(), people.map((p) => p.username).sort(), 'everyone was introduced')
    t.ok([...seen.values()].every((count) => count === 1), 'once')

    const limit = rateLimit()
    // The limiter lets a burst through at once, then perSec a second: the requests it accepted cannot go faster.
    const floor = limit === undefined ? 0 : Math.max(0, requests.length - limited - limit.maxBurst) / limit.perSec
    console.log(`# ${PEOPLE} people, ${PEOPLE / 2} intros: ${seconds.toFixed(1)} s over ${calls} /rounds call(s); Coffee made ${requests.length} Mattermost requests (${limited} answered 429)` +
      (limit === undefined ? '; Mattermost\'s rate limiter is off' : `; the limiter (${limit.perSec}/s, burst ${limit.maxBurst}, per token) allows them in no less than ${floor.toFixed(1)} s`))
    if (limit !== undefined) {
      t.ok(limited > 0, 'the limiter really was on: Coffee was told to slow down, and waited')
      t.ok(seconds >= floor * 0.9, 'no faster than the limiter allows')
    }
  })
}
