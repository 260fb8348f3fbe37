// /coffee typed by people in the real Mattermost: Mattermost calls Coffee with its own form, token and headers
// (POST /api/v4/commands/execute) and returns what the person sees.
import t from 'tap'
import { createWorld, testMattermostUrl } from '../helpers/real-mattermost.js'
import { stopService } from '../helpers/service.js'

const url = testMattermostUrl()

if (url === undefined) t.plan(0, 'no real Mattermost (TEST_MATTERMOST_URL)')
else {
  t.test('join, skip, pause, resume, status, leave and help, as a person sees them', async (t) => {
    const world = await createWorld(t, url)
    const alice = await world.person('alice')
    const say = async (text: string) => {
      const response = await world.slash(alice, text)
      t.equal(response.response_type, 'ephemeral', `/coffee ${text} answers privately`)
      return response.text ?? ''
    }
    t.match(await say('status'), /has not started in this channel yet/)
    t.match(await say('join'), /You're in! ☕/)
    t.match(await say('join'), /already in/)
    t.match(await say('status'), /You're \*\*in\*\* for the next round/)
    t.match(await say('skip'), /sit out the next round/)
    t.match(await say('status'), /sitting out the next round/)
    t.match(await say('resume'), /Welcome back/)
    t.match(await say('pause 2w'), /paused until \*\*\w{3} \d+ \w{3} \d{4}\*\*/)
    t.match(await say('status'), /You're \*\*paused\*\* until/)
    t.match(await say('resume'), /Welcome back/)
    t.match(await say('pause someday'), /2w|until/, 'a pause it cannot read explains the forms it can')
    t.match(await say('leave'), /You've left coffee in this channel/)
    t.match(await say('status'), /\*\*not taking part\*\*/)
    const help = await say('help')
    t.match(help, /\| `\/coffee join` \| Take part in coffee in this channel\. \|/, 'help is a table of commands')
    t.equal(await say(''), help, 'a bare /coffee is the help')
    t.match(await say('jion'), /I didn't understand `\/coffee jion`/)
  })

  t.test('in a group message Coffee says where it runs; block works anywhere', async (t) => {
    const world = await createWorld(t, url)
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => world.person(name)))
    const group = await alice!.client.createGroupChannel([alice!.id, bob!.id, carol!.id]) as unknown as Parameters<typeof world.slash>[2]
    const status = await world.slash(alice!, 'status', group)
    t.match(status.text, /Coffee runs in channels, not in direct or group messages/)
    const block = await world.slash(alice!, `block @${bob!.username}`, group)
    t.match(block.text, new RegExp(`You will never be grouped with @${bob!.username}`))
    const direct = await alice!.client.createDirectChannel([alice!.id, carol!.id]) as unknown as Parameters<typeof world.slash>[2]
    t.match((await world.slash(alice!, 'join', direct)).text, /Coffee runs in channels/)
  })

  t.test('config: anyone may look; channel admins and system admins may change it', async (t) => {
    const world = await createWorld(t, url)
    const member = await world.person('member')
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    const root = await world.person('root', { systemAdmin: true })

    t.match((await world.slash(member, 'config')).text, /has not started in this channel yet/)
    t.match((await world.slash(member, 'config size 3')).text, /Only channel admins \(and system admins\) can change coffee settings/)
    t.match((await world.slash(lead, 'config size 3')).text, /groups of \*\*3\*\*/, 'a channel admin may')
    t.match((await world.slash(root, 'config every 2 weeks')).text, /every 2 weeks/, 'a system admin who is only a member of the channel may')
    t.match((await world.slash(lead, 'config size 9')).text, /2 to 7 people/)
    const table = (await world.slash(member, 'config')).text ?? ''
    t.match(table, /\| Rounds \| every 2 weeks \|/)
    t.match(table, /\| Group size \| 3 \(some of 2 when the count doesn.t divide evenly\) \|/)
  })

  t.test('the dashboard: a channel admin\'s one-time link; its settings form changes what /coffee config shows', async (t) => {
    const world = await createWorld(t, url)
    const member = await world.person('member')
    const lead = await world.person('lead')
    await world.makeChannelAdmin(world.channel, lead)
    t.match((await world.slash(member, 'join')).text, /You're in!/)
    t.match((await world.slash(member, 'dashboard')).text, /The dashboard is for channel admins/)
    const link = /\((http[^)\s]+\/dashboard\/open\/[^)\s]+)\)/.exec((await world.slash(lead, 'dashboard')).text ?? '')?.[1]
    if (link === undefined) throw new Error('/coffee dashboard gave the channel admin no link')
    const opened = await fetch(link, { redirect: 'manual' })
    t.equal(opened.status, 303)
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!
    const pageUrl = new URL(opened.headers.get('location') ?? '', link).toString()
    const page = await (await fetch(pageUrl, { headers: { cookie } })).text()
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? ''
    // The form as a browser sends it; Coffee asks the real Mattermost again whether the sender is a channel admin.
    const saved = await fetch(`${pageUrl}/settings`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, timezone: 'Europe/Berlin', startDay: 'thursday', startTime: '11:00', state: 'paused' }).toString()
    })
    t.equal(saved.status, 303, 'a saved form redirects to the page')
    const flash = (saved.headers.get('set-cookie') ?? '').split(';')[0]!
    const shown = await (await fetch(pageUrl, { headers: { cookie: `${cookie}; ${flash}` } })).text()
    t.match(shown, /Done: Round 1 is on <strong>Thu \d+ \w{3} \d{4}, 11:00 \(Europe\/Berlin\)<\/strong>/)
    t.match(shown, /Coffee is now <strong>paused<\/strong> in this channel/)
    const table = (await world.slash(member, 'config')).text ?? ''
    t.match(table, /\| Time zone \| Europe\/Berlin \|/)
    t.match(table, /\| State \| paused \|/)
  })

  t.test('a wrong slash token: Mattermost shows the person an error, Coffee logs why', async (t) => {
    const world = await createWorld(t, url)
    const alice = await world.person('alice')
    await world.restartCoffee({ env: { MATTERMOST_SLASH_TOKEN: 'notthetoken0000000000000000' } })
    const failure = await world.slash(alice, 'join').then(() => undefined, (error: { status_code?: number, server_error_id?: string, message?: string }) => error)
    t.equal(failure?.status_code, 500)
    t.equal(failure?.server_error_id, 'api.command.execute_command.failed_resp.app_error')
    t.match(failure?.message, /Command with a trigger of 'coffee' returned response 401/)
    for (let i = 0; i < 50 && !/"statusCode":401/.test(world.coffee.output()); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    t.match(world.coffee.output(), /"res":\{"statusCode":401\}/, 'Coffee refused it and logged the refusal')
  })

  t.test('Coffee unreachable: Mattermost tells the person the command failed', async (t) => {
    const world = await createWorld(t, url)
    const alice = await world.person('alice')
    await stopService(world.coffee)
    const failure = await world.slash(alice, 'status').then(() => undefined, (error: { status_code?: number, server_error_id?: string, message?: string }) => error)
    t.equal(failure?.status_code, 500)
    t.equal(failure?.server_error_id, 'api.command.execute_command.failed.app_error')
    t.match(failure?.message, /Command with a trigger of 'coffee' failed/)
  })
}
