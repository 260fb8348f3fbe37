// The dashboard's way in and its rules, through the real app: the one-time link, the session cookie, who may see
// which channel, and the settings form with the same rules and messages as /coffee config.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, CHANNEL_ID, TEAM_ID } from '../helpers/slash.js'
import { dashboardLink, openLink, pathOf } from '../helpers/dashboard.js'
import { pass } from '../helpers/rounds.js'
import { SESSION_COOKIE, FLASH_COOKIE } from '../../src/dashboard/session.js'
import { inlineMarkdown } from '../../src/dashboard/html.js'

const OTHER = 'chanbbbbbbbbbbbbbbbbbbbbbb'

function csrfOf (body: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(body)
  if (match === null) throw new Error('no CSRF token on the page')
  return match[1]!
}

t.test('/coffee dashboard: a link for admins only; members get a polite refusal', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'])
  world.person('admin', { admin: true })
  t.match(await say(world.app, 'dashboard', { userName: 'bob' }), /The dashboard is for channel admins \(and system admins\)/)
  const text = await say(world.app, 'dashboard', { userName: 'admin' })
  t.match(text, /\[Open the coffee dashboard\]\(http:\/\/coffee\.test\/dashboard\/open\/[A-Za-z0-9_-]{43}\)/)
  t.match(text, /works once, in the next 10 minutes/)
  const rows = await world.db.prisma.dashboardLink.findMany()
  t.equal(rows.length, 1)
  t.notMatch(text, rows[0]!.tokenHash, 'only the hash is stored')
})

t.test('the link works once, sets a session cookie, and the page needs it', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob', 'carol', 'dave'])
  world.person('admin', { admin: true })
  await pass(world.app)
  const link = await dashboardLink(world.app, { userName: 'admin' })

  const opened = await openLink(world.app, link)
  t.equal(opened.response.statusCode, 303)
  t.equal(opened.location, `/dashboard/channels/${CHANNEL_ID}`)
  t.match(opened.setCookie, new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/dashboard; Max-Age=14400; HttpOnly; SameSite=Lax$`), 'no Secure on http')

  const page = await world.app.inject({ method: 'GET', url: opened.location!, headers: { cookie: opened.cookie! } })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'none';.*script-src 'self';.*style-src 'self'/)
  t.equal(page.headers['cache-control'], 'no-store')
  t.match(page.body, /<h1>☕ Coffee in ~town-square<\/h1>/)
  t.match(page.body, /data-stat="participants">4</)
  t.match(page.body, /data-stat="rounds">1</)
  t.notMatch(page.body, /<script>/, 'no inline script')

  for (const [what, url] of [['reused', link], ['forged', 'http://coffee.test/dashboard/open/not-a-real-token']] as const) {
    const again = await openLink(world.app, url)
    t.equal(again.response.statusCode, 403, what)
    t.equal(again.setCookie, undefined, `${what}: no cookie`)
    t.match(again.response.body, /Type <code>\/coffee dashboard<\/code> in the channel for a new link/, what)
    t.match(again.response.headers['content-type'], /text\/html/)
  }

  const expired = await dashboardLink(world.app, { userName: 'admin' })
  world.clock.advance(11 * 60 * 1000)
  t.equal((await openLink(world.app, expired)).response.statusCode, 403, 'expired after 10 minutes')

  const none = await world.app.inject({ method: 'GET', url: `/dashboard/channels/${CHANNEL_ID}` })
  t.equal(none.statusCode, 401)
  t.match(none.body, /not signed in to the dashboard/)
  t.notMatch(none.body, /data-stat/)
  const [name, value] = opened.cookie!.split('=') as [string, string]
  const tampered = value.replace(/^./, (c) => c === 'e' ? 'f' : 'e')
  t.equal((await world.app.inject({ method: 'GET', url: opened.location!, headers: { cookie: `${name}=${tampered}` } })).statusCode, 401, 'a tampered cookie')
  world.clock.advance(4 * 60 * 60 * 1000)
  t.equal((await world.app.inject({ method: 'GET', url: opened.location!, headers: { cookie: opened.cookie! } })).statusCode, 401, 'the session ends after 4 hours')
})

t.test('two opens of one link: only one gets a session', async (t) => {
  const world = await createJoinedWorld(t, ['alice'])
  world.person('admin', { admin: true })
  const link = await dashboardLink(world.app, { userName: 'admin' })
  const results = await Promise.all([openLink(world.app, link), openLink(world.app, link)])
  t.same(results.map((r) => r.response.statusCode).sort(), [303, 403])
})

t.test('a session is for its channel; a system admin may look at every channel', async (t) => {
  const world = await createJoinedWorld(t, ['alice'])
  world.mm.addChannel({ id: OTHER, team_id: TEAM_ID, name: 'other', display_name: 'Other' })
  world.mm.addMember(OTHER, world.bot.id)
  world.person('admin', { admin: true })
  world.person('root', { roles: 'system_user system_admin' })
  world.person('alice', { channelId: OTHER })
  await say(world.app, 'join', { userName: 'alice', channelId: OTHER, channelName: 'other' })

  const admin = await openLink(world.app, await dashboardLink(world.app, { userName: 'admin' }))
  const other = await world.app.inject({ method: 'GET', url: `/dashboard/channels/${OTHER}`, headers: { cookie: admin.cookie! } })
  t.equal(other.statusCode, 403)
  t.match(other.body, /session is for another channel/)

  const root = await openLink(world.app, await dashboardLink(world.app, { userName: 'root' }))
  const seen = await world.app.inject({ method: 'GET', url: `/dashboard/channels/${OTHER}`, headers: { cookie: root.cookie! } })
  t.equal(seen.statusCode, 200)
  t.match(seen.body, /Coffee in ~other/)
  t.match(seen.body, /Other channels \(2\)/)
})

t.test('settings: the same rules and messages as /coffee config, with a CSRF token; a saved form redirects', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'])
  world.person('admin', { admin: true })
  const { cookie, location } = await openLink(world.app, await dashboardLink(world.app, { userName: 'admin' }))
  const page = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: cookie! } })
  const csrf = csrfOf(page.body)
  t.match(page.body, /<select id="startDay" name="startDay" aria-describedby="startDay-hint">.*<option value="monday" selected>Monday<\/option>/s, 'the schedule as it is: Mondays')
  t.match(page.body, /id="startTime" name="startTime" type="text" value="09:00"/, 'round 1 was set to start now, Monday 09:00 UTC')
  t.match(page.body, /<select id="state" name="state"[^>]*><option value="running" selected>Running/)
  const post = (fields: Record<string, string>, as = cookie!) => world.app.inject({
    method: 'POST',
    url: `${location!}/settings`,
    headers: { cookie: as, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ csrf, cadenceDays: '1 week', groupSize: '2', followupHours: '3 days', mode: 'optin', ...fields }).toString()
  })
  /** Follows a saved form's redirect as a browser does, with the flash cookie it set. */
  const follow = async (response: Awaited<ReturnType<typeof post>>) => {
    t.equal(response.statusCode, 303)
    t.equal(response.headers.location, `${location!}#settings-title`)
    const flash = String(response.headers['set-cookie']).split(';')[0]!
    t.match(flash, new RegExp(`^${FLASH_COOKIE}=.+`))
    const shown = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: `${cookie!}; ${flash}` } })
    t.equal(shown.statusCode, 200)
    t.match(shown.headers['set-cookie'], new RegExp(`^${FLASH_COOKIE}=; Path=/dashboard; Max-Age=0`), 'the flash is cleared once shown')
    return { body: shown.body, flash }
  }

  const stale = await post({ csrf: 'x'.repeat(43), groupSize: '3' })
  t.equal(stale.statusCode, 403)
  t.match(stale.body, /form is out of date/)

  const wrong = await post({ groupSize: '9', cadenceDays: 'fortnightly' })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.body, /Nothing was changed/)
  t.match(wrong.body, /<p class="error" id="groupSize-error">Groups can have 2 to 7 people/)
  t.match(wrong.body, /id="cadenceDays-error">I couldn&#39;t read &quot;fortnightly&quot;/)
  t.match(wrong.body, /id="groupSize" name="groupSize" type="text" value="9" aria-describedby="groupSize-hint groupSize-error" aria-invalid="true"/)
  t.match(await world.db.prisma.program.findFirst(), { groupSize: 2, cadenceDays: 7 })

  const saved = await follow(await post({ groupSize: '3', cadenceDays: '2 weeks' }))
  t.match(saved.body, /<ul role="status" id="settings-done"><li>Done: rounds now run <strong>every 2 weeks<\/strong>, counted from the last round.<\/li><li>Done: from the next round, groups of <strong>3<\/strong>/)
  t.match(await world.db.prisma.program.findFirst(), { groupSize: 3, cadenceDays: 14, followupHours: 72 })
  t.match(await say(world.app, 'config'), /every 2 weeks/, '/coffee config sees the change')
  const reloaded = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: cookie! } })
  t.notMatch(reloaded.body, /settings-done/, 'a reload shows the page without the outcome')
  const replayed = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: `${cookie!}; ${saved.flash}` } })
  t.match(replayed.body, /settings-done/, 'a flash is for this channel and a minute')
  world.clock.advance(61_000)
  const late = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: `${cookie!}; ${saved.flash}` } })
  t.notMatch(late.body, /settings-done/, 'an old flash is not shown')
  const forged = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: `${cookie!}; ${FLASH_COOKIE}=${Buffer.from(JSON.stringify({ c: CHANNEL_ID, l: ['<b>hi</b>'], e: Date.now() * 2 })).toString('base64url')}.x` } })
  t.notMatch(forged.body, /settings-done|<b>hi/, 'a forged flash is not shown')

  const same = await follow(await post({ groupSize: '3', cadenceDays: '2 weeks' }))
  t.match(same.body, /Nothing to change/)

  // Announcements: a select, as /coffee config announce (the world starts with them off).
  t.match(same.body, /<select id="announce" name="announce"[^>]*><option value="on">On: a short post when each round starts<\/option><option value="off" selected>Off<\/option><\/select>/)
  const announcing = await follow(await post({ groupSize: '3', cadenceDays: '2 weeks', announce: 'on' }))
  t.match(announcing.body, /Done: I&#39;ll post a short note in this channel when each round starts/)
  t.match(await world.db.prisma.program.findFirst(), { announce: true })

  // The schedule and the state: the words the fields add up to, read as /coffee config reads them.
  const badTime = await post({ cadenceDays: '2 weeks', groupSize: '3', startDay: 'tuesday', startTime: '25:00', timezone: 'Mars/Olympus' })
  t.equal(badTime.statusCode, 422)
  const commandSays = await say(world.app, 'config start tuesday 25:00', { userName: 'admin' })
  t.match(badTime.body, `<p class="error" id="startDay-error">${inlineMarkdown(commandSays).text}</p>`, 'the command\'s own message, beside the fields')
  t.match(badTime.body, /<p class="error" id="timezone-error">I don&#39;t know the time zone <code>Mars\/Olympus<\/code>/)
  t.match(badTime.body, /<fieldset class="fields"><legend>When the next round is<\/legend>/)
  t.match(badTime.body, /id="startTime" name="startTime" type="text" value="25:00" aria-describedby="startTime-hint startDay-error" aria-invalid="true"/)

  const scheduled = await follow(await post({ cadenceDays: '2 weeks', groupSize: '3', startDay: 'tuesday', startTime: '9:30', timezone: 'europe/berlin', state: 'paused' }))
  t.match(scheduled.body, /Done: this channel&#39;s time zone is now <strong>Europe\/Berlin<\/strong>/)
  t.match(scheduled.body, /Done: Round 1 is on <strong>Tue 24 Nov 2026, 09:30 \(Europe\/Berlin\)<\/strong>, then every 2 weeks on Tuesdays at 09:30 \(Europe\/Berlin\)/)
  t.match(scheduled.body, /Coffee is now <strong>paused<\/strong> in this channel/)
  t.match(await world.db.prisma.program.findFirst(), { timezone: 'Europe/Berlin', startAt: new Date('2026-11-24T08:30:00Z'), paused: true })
  t.match(scheduled.body, /<option value="tuesday" selected>Tuesday<\/option>/, 'the form shows the new schedule')
  t.match(await say(world.app, 'config'), /\| State \| paused \|/, '/coffee config agrees')

  const resumed = await follow(await post({ cadenceDays: '2 weeks', groupSize: '3', state: 'running' }))
  t.match(resumed.body, /Coffee is <strong>running<\/strong> again in this channel/)
  t.notMatch(resumed.body, /Round 1 is on/, 'fields left as shown change nothing')
  const now = await follow(await post({ cadenceDays: '2 weeks', groupSize: '3', startDay: 'now' }))
  t.match(now.body, /Done: Round 1 is at the next scheduler run/)
  t.match(await world.db.prisma.program.findFirst(), { startAt: world.clock.now(), paused: false })

  // Working hours and time zones: rendered from core/settings.ts like the others; a form without them keeps them.
  t.match(same.body, /id="workingHours" name="workingHours" type="text" value="9-17"/)
  t.match(same.body, /<option value="on" selected>On: every group shares an hour when it can/)
  t.match((await post({ workingHours: '25-3' })).body, /id="workingHours-error"><code>25-3<\/code> is not a span of working hours/)
  const zones = await follow(await post({ groupSize: '3', cadenceDays: '2 weeks', workingHours: '8 - 18', timezones: 'off' }))
  t.match(zones.body, /Done: from the next round, working hours are <strong>08:00–18:00<\/strong>/)
  t.match(zones.body, /Done: from the next round, time zones are not looked at\./)
  t.match(await world.db.prisma.program.findFirst(), { workingHours: '8-18', timezones: false })
  t.match(await say(world.app, 'config'), /\| Working hours \| time zones off/, '/coffee config sees the change')

  // Roles are asked again before a change: a demoted admin's session can look but not change.
  world.mm.addMember(CHANNEL_ID, world.person('admin').id, { admin: false })
  const demoted = await post({ groupSize: '4' })
  t.equal(demoted.statusCode, 403)
  t.match(demoted.body, /no longer lists you as an admin/)
})

t.test('a first schedule on the dashboard is in the admin\'s own Mattermost zone, as with the command', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'])
  await world.db.prisma.program.updateMany({ data: { startAt: null } })
  const admin = world.person('admin', { admin: true })
  admin.timezone = { useAutomaticTimezone: 'false', manualTimezone: 'America/New_York', automaticTimezone: '' }
  const { cookie, location } = await openLink(world.app, await dashboardLink(world.app, { userName: 'admin' }))
  const page = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: cookie! } })
  t.match(page.body, /<option value="" selected>Not chosen yet<\/option>/)
  const saved = await world.app.inject({
    method: 'POST',
    url: `${location!}/settings`,
    headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ csrf: csrfOf(page.body), startDay: 'wed', startTime: '' }).toString()
  })
  t.equal(saved.statusCode, 303)
  t.match(await world.db.prisma.program.findFirst(), { timezone: 'America/New_York', startAt: new Date('2026-11-25T15:00:00Z') })
})

t.test('assets are Coffee\'s own, with the page\'s CSP; a channel without Coffee gets a page that says so', async (t) => {
  const world = await createJoinedWorld(t, [])
  world.person('admin', { admin: true })
  for (const name of ['dashboard.js', 'dashboard.css', 'uPlot.iife.min.js', 'uPlot.min.css']) {
    const asset = await world.app.inject({ method: 'GET', url: `/dashboard/assets/${name}` })
    t.equal(asset.statusCode, 200, name)
    t.match(asset.headers['content-type'], name.endsWith('.js') ? /text\/javascript/ : /text\/css/)
    const again = await world.app.inject({ method: 'GET', url: `/dashboard/assets/${name}`, headers: { 'if-none-match': String(asset.headers.etag) } })
    t.equal(again.statusCode, 304)
  }
  t.equal((await world.app.inject({ method: 'GET', url: '/dashboard/assets/nope.js' })).statusCode, 404)

  const { cookie, location } = await openLink(world.app, await dashboardLink(world.app, { userName: 'admin' }))
  const page = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: cookie! } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /Coffee has not started in this channel yet/)
  t.match(page.body, /The defaults \(Coffee has not started here yet\)/)
  t.notMatch(page.body, /<form method="post"/, 'nothing to change yet')
  t.match(pathOf('http://x/a?b=1'), '/a?b=1')
})

t.test('PUBLIC_URL https: the cookie is Secure', async (t) => {
  const world = await createJoinedWorld(t, ['alice'], { env: { PUBLIC_URL: 'https://coffee.example' } })
  world.person('admin', { admin: true })
  const link = await dashboardLink(world.app, { userName: 'admin' })
  t.match(link, /^https:\/\/coffee\.example\/dashboard\/open\//)
  const { setCookie } = await openLink(world.app, link)
  t.match(setCookie, /; Secure$/)
})

t.test('a new channel (people, no rounds yet) and a missing PUBLIC_URL', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob', 'carol'])
  await world.db.prisma.program.updateMany({ data: { startAt: null } }) // no admin has picked round 1's start yet
  world.person('admin', { admin: true })
  const { cookie, location } = await openLink(world.app, await dashboardLink(world.app, { userName: 'admin' }))
  const page = await world.app.inject({ method: 'GET', url: location!, headers: { cookie: cookie! } })
  t.match(page.body, /data-stat="participants">3</)
  t.match(page.body, /data-stat="met_rate">—</)
  t.match(page.body, /No rounds yet, so nothing to draw/)
  t.match(page.body, /<h2 id="current-title">The current round<\/h2><p>No round yet/)
  t.match(page.body, /Not scheduled yet: a channel admin picks the day and time/)
  t.match(page.body, /Nobody: everyone who joined can take part/)
  t.notMatch(page.body, /uPlot/, 'no chart script without a chart')
  const unknown = await world.app.inject({ method: 'GET', url: `${location!}?person=zed`, headers: { cookie: cookie! } })
  t.match(unknown.body, /Nobody called @zed has joined coffee here/)
  const alice = await world.app.inject({ method: 'GET', url: `${location!}?person=%40alice`, headers: { cookie: cookie! } })
  t.match(alice.body, /@alice has not been in a round yet/)

  const bare = await createJoinedWorld(t, ['alice'], { env: { PUBLIC_URL: '' } })
  bare.person('admin', { admin: true })
  t.match(await say(bare.app, 'dashboard', { userName: 'admin' }), /needs to set `PUBLIC_URL`/)
})
