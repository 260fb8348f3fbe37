// The real process: start with no configuration on the embedded database, answer /health, keep state across a
// restart, refuse to share its data directory with a second process, and shut down cleanly on SIGTERM.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { slashFields, slashHeaders, SLASH_TOKEN } from './helpers/slash.js'

const root = path.resolve(import.meta.dirname, '..')

interface Running { proc: ChildProcess, url: string, output: () => string }

async function start (env: Record<string, string>): Promise<Running> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  proc.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" within 60 s:\n${output}`)), 60_000)
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) { clearTimeout(timer); resolve(match[1]!) }
    }
    proc.stdout!.on('data', check)
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}:\n${output}`)) })
  })
  return { proc, url, output: () => output }
}

async function stop (running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => running.proc.once('exit', (code) => resolve(code)))
  running.proc.kill(signal)
  return exited
}

t.test('starts with nothing configured, explains what is missing, and serves /health', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-server-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const running = await start({ DATA_DIR: dataDir })
  const health = await fetch(`${running.url}/health`)
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok', database: 'pglite' })
  t.match(running.output(), /not configured: MATTERMOST_URL and MATTERMOST_BOT_TOKEN/)
  t.match(running.output(), /not configured: ADMIN_TOKEN/)
  const rounds = await fetch(`${running.url}/rounds`, { method: 'POST' })
  t.equal(rounds.status, 503, 'closed until ADMIN_TOKEN is set')
  t.match(await rounds.text(), /ADMIN_TOKEN is not set/)
  t.equal(await stop(running), 0, 'clean exit on SIGTERM')
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
  t.equal(await stop(first, 'SIGINT'), 0)
  t.match(first.output(), /"url":"\/coffee\?token=\[redacted\]/, 'requests are logged, without the token')
  const second = await start(env)
  const status = await fetch(`${second.url}/coffee`, { method: 'POST', headers: slashHeaders(), body: slashFields({ text: 'status' }).toString() })
  t.match(((await status.json()) as { text: string }).text, /You're \*\*in\*\*/)
  t.equal(await stop(second), 0)
  t.notMatch(first.output() + second.output(), SLASH_TOKEN, 'the slash token is redacted')
})

t.test('a second process on the same DATA_DIR stops with one clear line; the first keeps serving', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-server-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const first = await start({ DATA_DIR: dataDir })
  const second = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server.ts')], {
    cwd: root, env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise((resolve) => second.once('exit', resolve))
  t.teardown(async () => { second.kill('SIGKILL'); await exited }) // had it started after all
  let output = ''
  second.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  second.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  t.equal(await Promise.race([exited, sleep(60_000, undefined, { ref: false }).then(() => 'still running after 60 s')]), 1)
  const fatal = output.split('\n').filter((line) => line.includes('"level":60'))
  t.equal(fatal.length, 1, 'one fatal line')
  t.match(fatal[0], `another Coffee process (pid ${first.proc.pid!}, started `)
  t.match(fatal[0], `is using the embedded database in DATA_DIR ${dataDir}; stop it, or set DATABASE_URL to share a Postgres between instances.`)
  t.notMatch(output, /\n\s+at |"stack"/, 'no stack trace')
  t.notMatch(output, /Server listening/)

  const health = await fetch(`${first.url}/health`)
  t.equal(health.status, 200, 'the first one is unharmed')
  t.same(await health.json(), { status: 'ok', database: 'pglite' })
  t.equal(await stop(first), 0)
  t.same(readdirSync(path.join(dataDir, 'pglite.lock')), [], 'and released the lock on its way out')
})

t.test('a malformed configuration stops the start with every problem named', async (t) => {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server.ts')], {
    cwd: root, env: { PATH: process.env.PATH ?? '', PORT: 'x', ADMIN_TOKEN: 'short' }, stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  proc.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise((resolve) => proc.once('exit', resolve))
  t.equal(code, 78)
  t.match(output, /PORT must be a whole number[\s\S]*ADMIN_TOKEN must be at least 16/)
})
