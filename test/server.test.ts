// The real process: start with no configuration on the embedded database, answer /health, keep state across a
// restart, refuse to share its data directory with a second process, and shut down cleanly on SIGTERM.
import t from 'tap'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { slashFields, slashHeaders, SLASH_TOKEN } from './helpers/slash.js'
import { spawnService, startService as start, stopService } from './helpers/service.js'
import { startFakeMattermost } from './helpers/fake-mattermost.js'
import { createPgliteDataDir } from './helpers/database.js'

t.test('starts with nothing configured, explains what is missing, and serves /health', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-server-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const running = await start({ DATA_DIR: dataDir })
  // A health checker asks again: the first query of a cold start on a loaded machine may take longer than /health waits.
  let health = await fetch(`${running.url}/health`)
  for (let i = 0; i < 5 && health.status !== 200; i++) health = await fetch(`${running.url}/health`)
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok', database: 'ok', mattermost: 'not_configured' })
  t.match(running.output(), /not configured: MATTERMOST_URL and MATTERMOST_BOT_TOKEN/)
  t.match(running.output(), /not configured: ADMIN_TOKEN/)
  const rounds = await fetch(`${running.url}/rounds`, { method: 'POST' })
  t.equal(rounds.status, 503, 'closed until ADMIN_TOKEN is set')
  t.match(await rounds.text(), /ADMIN_TOKEN is not set/)
  t.equal((await stopService(running)).code, 0, 'clean exit on SIGTERM')
  t.match(running.output(), /shutting down/)
})

t.test('state survives a restart; secrets never reach the log', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-server-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { DATA_DIR: dataDir, MATTERMOST_SLASH_TOKEN: SLASH_TOKEN, LOG_LEVEL: 'debug' }
  const first = await start(env)
  const join = await fetch(`${first.url}/coffee`, { method: 'POST', headers: slashHeaders(), body: slashFields({ text: 'join' }).toString() })
  t.match(((await join.json()) as { text: string }).text, /You're in/)
  const viaGet = await fetch(`${first.url}/coffee?${slashFields({ text: 'status' }).toString()}`)
  t.equal(viaGet.status, 200)
  t.equal((await stopService(first, 'SIGINT')).code, 0)
  t.match(first.output(), /"url":"\/coffee\?token=\[redacted\]/, 'requests are logged, without the token')
  const second = await start(env)
  const status = await fetch(`${second.url}/coffee`, { method: 'POST', headers: slashHeaders(), body: slashFields({ text: 'status' }).toString() })
  t.match(((await status.json()) as { text: string }).text, /You're \*\*in\*\*/)
  t.equal((await stopService(second)).code, 0)
  t.notMatch(first.output() + second.output(), SLASH_TOKEN, 'the slash token is redacted')
})

t.test('a second process on the same DATA_DIR stops with one clear line; the first keeps serving', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-server-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const first = await start({ DATA_DIR: dataDir })
  const second = spawnService({ DATA_DIR: dataDir })
  t.teardown(async () => { second.proc.kill('SIGKILL'); await second.exited }) // had it started after all
  t.equal(await Promise.race([second.exited.then(({ code }) => code), sleep(60_000, undefined, { ref: false }).then(() => 'still running after 60 s')]), 1)
  const output = second.output()
  const fatal = output.split('\n').filter((line) => line.includes('"level":60'))
  t.equal(fatal.length, 1, 'one fatal line')
  t.match(fatal[0], `another Coffee process (pid ${first.proc.pid!}, started `)
  t.match(fatal[0], `is using the embedded database in DATA_DIR ${dataDir}; stop it, or set DATABASE_URL to share a Postgres between instances.`)
  t.notMatch(output, /\n\s+at |"stack"/, 'no stack trace')
  t.notMatch(output, /Server listening/)

  const health = await fetch(`${first.url}/health`)
  t.equal(health.status, 200, 'the first one is unharmed')
  t.same(await health.json(), { status: 'ok', database: 'ok', mattermost: 'not_configured' })
  t.equal((await stopService(first)).code, 0)
  t.same(readdirSync(path.join(dataDir, 'pglite.lock')), [], 'and released the lock on its way out')
})

t.test('at start, one line says whether Mattermost takes the bot token', async (t) => {
  const mm = await startFakeMattermost()
  t.teardown(() => mm.close())
  const { token } = mm.addBot({ username: 'coffee' })
  const cases = [
    { token, level: 30, says: `Mattermost at ${mm.url} answers; Coffee posts as @coffee.`, health: 'ok' },
    { token: 'w'.repeat(26), level: 50, says: `Mattermost at ${mm.url} refused the bot token (401): check MATTERMOST_BOT_TOKEN`, health: 'token_rejected' }
  ]
  for (const { token: botToken, level, says, health } of cases) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-server-'))
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
    await createPgliteDataDir(dataDir) // no initdb: this test is about Mattermost
    const running = await start({ DATA_DIR: dataDir, MATTERMOST_URL: mm.url, MATTERMOST_BOT_TOKEN: botToken })
    let line: string | undefined
    for (let i = 0; i < 100 && line === undefined; i++) {
      line = running.output().split('\n').find((l) => l.includes('"mattermost":'))
      if (line === undefined) await sleep(100)
    }
    t.match(line, `"level":${level}`)
    t.match(line, says)
    t.notMatch(running.output(), botToken, 'the token itself is never logged')
    t.match(await (await fetch(`${running.url}/health`)).json(), { mattermost: health }, '/health says the same')
    t.equal((await stopService(running)).code, 0)
  }
})

t.test('a malformed configuration stops the start with every problem named', async (t) => {
  const service = spawnService({ PORT: 'x', ADMIN_TOKEN: 'short' })
  t.equal((await service.exited).code, 78)
  const output = service.output()
  t.match(output, /PORT must be a whole number[\s\S]*ADMIN_TOKEN must be at least 16/)
})
