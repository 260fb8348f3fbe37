// The embedded database's data directory is open in one process at a time. Other processes are real child
// processes holding the lock through the module itself; a crash is a real SIGKILL.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import t, { type Test } from 'tap'
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js'
import { IN_MEMORY, openDatabase, type DbLog } from '../../src/db/database.js'
import { silentLog } from '../helpers/database.js'

const root = path.resolve(import.meta.dirname, '../..')
const BOOT_ID = '/proc/sys/kernel/random/boot_id'

// A child that takes the lock on "go", releases it on "release", and dies without cleaning up on "crash".
const CHILD = `
import { createInterface } from 'node:readline'
const { lockDataDir } = await import(process.env.LOCK_MODULE)
let lock
console.log('ready')
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') {
    try {
      lock = await lockDataDir(process.env.DATA_DIR)
      console.log('won')
    } catch (error) {
      console.log(\`lost \${error.code} \${error.holder?.pid} \${error.message}\`)
    }
  } else if (line === 'release') {
    lock?.release()
    lock = undefined
    console.log('released')
  } else if (line === 'crash') {
    process.kill(process.pid, 'SIGKILL')
  }
}
`

interface Child { proc: ChildProcessWithoutNullStreams, pid: number, ask: (line: string) => Promise<string>, exited: Promise<number | null> }

async function child (t: Test, dataDir: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOCK_MODULE: path.join(root, 'src/db/data-dir-lock.ts'), DATA_DIR: dataDir }
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.stdin.end() // exits normally: releases its lock
    await exited
  })
  let stderr = ''
  proc.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<string> => {
    const { value, done } = await lines.next()
    if (done === true) throw new Error(`the child ended:\n${stderr}`)
    return value as string
  }
  t.equal(await next(), 'ready')
  return {
    proc,
    pid: proc.pid!,
    exited,
    async ask (line) {
      proc.stdin.write(`${line}\n`)
      return next()
    }
  }
}

function claims (dataDir: string): string[] {
  return readdirSync(path.join(dataDir, 'pglite.lock')).filter((name) => name.endsWith('.json'))
}

function recordingLog (): DbLog & { warnings: string[] } {
  const warnings: string[] = []
  return { info () {}, warn (_obj, msg) { warnings.push(msg ?? '') }, warnings }
}

t.test('a second process is refused, told who has the database and what to do', async (t) => {
  const dataDir = t.testdir()
  const holder = await child(t, dataDir)
  t.equal(await holder.ask('go'), 'won')

  const error = await openDatabase({ dataDir, log: silentLog }).then(() => undefined, (error: unknown) => error)
  t.ok(error instanceof DataDirLockedError)
  t.match(error, {
    code: 'ERR_COFFEE_DATA_DIR_LOCKED',
    holder: { pid: holder.pid },
    message: `another Coffee process (pid ${holder.pid}, started `
  })
  t.match((error as Error).message, `is using the embedded database in DATA_DIR ${dataDir}; stop it, or set DATABASE_URL to share a Postgres between instances. If no such process is running any more, remove ${path.join(dataDir, 'pglite.lock')}`)
  t.same(claims(dataDir).map((name) => name.split('-')[0]), [String(holder.pid)], 'the refused process left no claim')
  t.notOk(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION')), 'and did not touch the database')

  t.equal(await holder.ask('release'), 'released')
  const lock = await lockDataDir(dataDir)
  t.teardown(lock.release)
  t.match(await holder.ask('go'), `lost ERR_COFFEE_DATA_DIR_LOCKED ${process.pid} another Coffee process (pid ${process.pid},`, 'now it is the other way round')
})

t.test('the lock of a process that crashed is taken over', async (t) => {
  const dataDir = t.testdir()
  const crashed = await child(t, dataDir)
  t.equal(await crashed.ask('go'), 'won')
  crashed.proc.stdin.write('crash\n')
  t.equal(await crashed.exited, null, 'killed by SIGKILL: no exit handlers ran')
  const [stale] = claims(dataDir)
  t.match(stale, new RegExp(`^${crashed.pid}-`), 'its claim is still there')

  const log = recordingLog()
  const lock = await lockDataDir(dataDir, log)
  t.same(log.warnings, ['removed the stale lock of a process that is gone'])
  t.same(claims(dataDir).map((name) => name.split('-')[0]), [String(process.pid)], 'the stale claim is gone, ours is there')
  lock.release()
  t.same(claims(dataDir), [])
})

t.test('a claim that is not a claim (empty, garbage) holds nothing', async (t) => {
  const dataDir = t.testdir({ 'pglite.lock': { '1-2-3.json': '', '4-5-6.json': '{"pid":0,"hostname":"x"}', '.7-8-9.tmp': '' } })
  const lock = await lockDataDir(dataDir)
  t.equal(claims(dataDir).length, 1)
  t.ok(existsSync(path.join(dataDir, 'pglite.lock', '.7-8-9.tmp')), 'drafts are not read')
  lock.release()
  t.same(claims(dataDir), [])
})

t.test('claims that cannot be checked count as alive; those from before a restart or a reboot do not', async (t) => {
  const dataDir = t.testdir({ 'pglite.lock': {} })
  const claim = (name: string, holder: object): void => {
    writeFileSync(path.join(dataDir, 'pglite.lock', `${name}.json`), JSON.stringify({ hostname: os.hostname(), startedAt: new Date().toISOString(), ...holder }))
  }
  const boot = existsSync(BOOT_ID) ? readFileSync(BOOT_ID, 'utf8').trim() : undefined

  claim('elsewhere', { pid: process.pid, hostname: 'elsewhere.example' })
  await t.rejects(lockDataDir(dataDir), { message: `another Coffee process (pid ${process.pid} on elsewhere.example, started ` }, 'another host (or container): its pids are not ours to check')
  rmSync(path.join(dataDir, 'pglite.lock', 'elsewhere.json'))

  claim('init', { pid: 1, startedAt: '2020-01-01T00:00:00.000Z', bootId: boot })
  await t.rejects(lockDataDir(dataDir), { message: 'another Coffee process (pid 1, started 2020-01-01T00:00:00.000Z)' }, 'a live process, even one we may not signal')
  rmSync(path.join(dataDir, 'pglite.lock', 'init.json'))

  // A restarted container numbers its processes as before: the claim has our pid, from before this process began.
  claim('restarted', { pid: process.pid, startedAt: new Date(performance.timeOrigin - 1000).toISOString() })
  if (boot !== undefined) claim('rebooted', { pid: process.ppid, bootId: 'another boot' })
  const log = recordingLog()
  const lock = await lockDataDir(dataDir, log)
  t.equal(log.warnings.length, boot === undefined ? 1 : 2, 'both taken over')
  t.equal(claims(dataDir).length, 1)
  lock.release()
})

t.test('close releases the lock (once), so the database opens again; a second open in one process is refused', async (t) => {
  const dataDir = t.testdir()
  const first = await openDatabase({ dataDir, log: silentLog })
  t.equal(claims(dataDir).length, 1)
  await t.rejects(openDatabase({ dataDir, log: silentLog }), {
    name: 'DataDirLockedError',
    message: `this process (pid ${process.pid}) already has the embedded database in DATA_DIR ${dataDir} open: close that first`
  })
  await Promise.all([first.close(), first.close()])
  await first.close()
  t.same(claims(dataDir), [], 'released')
  const again = await openDatabase({ dataDir, log: silentLog })
  t.same(await again.sql.query('SELECT 1 AS one'), [{ one: 1 }])
  await again.close()
  t.same(claims(dataDir), [])
})

t.test('an in-memory database takes no lock', async (t) => {
  const db = await openDatabase({ dataDir: IN_MEMORY, log: silentLog })
  t.teardown(() => db.close())
  t.notOk(existsSync(path.resolve(IN_MEMORY)), 'no directory named after IN_MEMORY')
  t.notOk(existsSync(path.resolve('pglite.lock')))
})

t.test('processes starting at the same moment: exactly one wins, also over a stale lock', async (t) => {
  const dataDir = t.testdir()
  // A real stale claim, left by a process killed while holding the lock.
  const crashed = await child(t, dataDir)
  t.equal(await crashed.ask('go'), 'won')
  crashed.proc.stdin.write('crash\n')
  await crashed.exited
  const [staleName] = claims(dataDir)
  const staleText = readFileSync(path.join(dataDir, 'pglite.lock', staleName!), 'utf8')

  const racers = await Promise.all([child(t, dataDir), child(t, dataDir), child(t, dataDir)])
  for (let round = 0; round < 10; round++) {
    if (round % 2 === 0) writeFileSync(path.join(dataDir, 'pglite.lock', staleName!), staleText)
    const answers = await Promise.all(racers.map((racer) => racer.ask('go')))
    const winners = racers.filter((_, i) => answers[i] === 'won')
    t.equal(winners.length, 1, `round ${round}: one winner (${answers.map((answer) => answer.slice(0, 40)).join(' | ')})`)
    for (const answer of answers.filter((answer) => answer !== 'won')) {
      t.match(answer, `lost ERR_COFFEE_DATA_DIR_LOCKED ${winners[0]?.pid} `, 'the others name the winner')
    }
    t.same(claims(dataDir).map((name) => name.split('-')[0]), [String(winners[0]?.pid)])
    await Promise.all(racers.map((racer) => racer.ask('release')))
  }
})
