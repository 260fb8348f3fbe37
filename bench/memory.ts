// npm run bench:memory [-- --strict] [-- --idle=10] [-- --keep]
//
// What the service costs in memory on its embedded database, started as `npm start` starts it: `node dist/server.js`
// (built first if stale, as prestart does) with DATABASE_URL unset, twice on one temporary DATA_DIR:
//   first start  the directory is empty: the database is created and migrated
//   restart      the same directory again, as after a deploy or a reboot
// Each run waits for GET /health to answer, leaves the service alone for --idle seconds (default 10), then reads
// /proc/<pid>/status: the peak is the kernel's high-water mark of the resident set (VmHWM) over the whole start,
// idle is the resident set (VmRSS) at the end of the quiet period. Elsewhere than Linux, `ps` is sampled instead.
// The child gets a minimal environment (and a temporary working directory, so no .env is read): NODE_OPTIONS is
// passed on, so `NODE_OPTIONS=--max-old-space-size=256 npm run bench:memory` measures the Docker image's setting.
// Targets: the first start peaks at <= 450 MB; idle <= 300 MB after either start.
// Exit code: 1 when something breaks; with --strict also when a target is missed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(here, '..')
const RESULTS_DIR = path.join(here, 'results')
const TARGET_PEAK_MB = 450
const TARGET_IDLE_MB = 300
const READY_TIMEOUT_MS = 120_000

const { values: args } = parseArgs({
  options: {
    strict: { type: 'boolean', default: false },
    idle: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false }
  }
})
const IDLE_S = Number(args.idle)
if (!Number.isFinite(IDLE_S) || IDLE_S < 0) throw new Error(`--idle must be a number of seconds (got "${args.idle ?? ''}")`)

interface Run {
  name: 'first start' | 'restart'
  /** From spawn to the first 200 from /health. */
  readyMs: number
  rssReadyMb: number
  peakMb: number
  idleMb: number
}

interface Memory { rssMb: number, peakMb?: number }

/** The child's resident set now and, where the kernel keeps it, its peak so far. */
function memoryOf (pid: number): Memory | undefined {
  const status = `/proc/${pid}/status`
  if (existsSync('/proc/self/status')) {
    try {
      const text = readFileSync(status, 'utf8')
      const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN)
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
    } catch {
      return undefined // exited
    }
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' })
  const kb = Number(ps.stdout.trim())
  return ps.status === 0 && kb > 0 ? { rssMb: kb / 1024 } : undefined
}

async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

async function healthy (port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
    return response.ok
  } catch {
    return false
  }
}

function exited (child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => { resolve() }))
}

async function start (name: Run['name'], dataDir: string, cwd: string): Promise<Run> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS }),
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn'
  }
  const started = performance.now()
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-20_000) }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let sampledPeakMb = 0 // where there is no VmHWM
  try {
    let readyMs: number | undefined
    while (readyMs === undefined) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name}: the service exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`)
      if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`${name}: /health did not answer within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)
      sampledPeakMb = Math.max(sampledPeakMb, memoryOf(child.pid!)?.rssMb ?? 0)
      if (await healthy(port)) readyMs = performance.now() - started
      else await sleep(100)
    }
    const rssReadyMb = memoryOf(child.pid!)?.rssMb ?? NaN
    const quietUntil = performance.now() + IDLE_S * 1000
    while (performance.now() < quietUntil) {
      sampledPeakMb = Math.max(sampledPeakMb, memoryOf(child.pid!)?.rssMb ?? 0)
      await sleep(Math.min(250, Math.max(0, quietUntil - performance.now())))
    }
    const end = memoryOf(child.pid!)
    if (end === undefined) throw new Error(`${name}: the service exited while idle:\n${output}`)
    return { name, readyMs, rssReadyMb, peakMb: end.peakMb ?? Math.max(sampledPeakMb, end.rssMb), idleMb: end.rssMb }
  } finally {
    child.kill('SIGTERM')
    const stopped = exited(child)
    const late = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await stopped
    clearTimeout(late)
  }
}

async function main (): Promise<void> {
  // What prestart does: npm start never runs a stale build, and neither does this benchmark.
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.mjs'), '--required'], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('the build failed (scripts/build-if-stale.mjs)')

  const load1 = os.loadavg()[0] ?? 0
  const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
  const nodeOptions = process.env.NODE_OPTIONS ?? ''
  process.stderr.write(`Coffee memory benchmark: embedded database, ${IDLE_S} s idle after each start; ${machine}; NODE_OPTIONS=${nodeOptions === '' ? '(none)' : nodeOptions}; load average ${load1.toFixed(2)}\n`)

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'coffee-bench-memory-'))
  const dataDir = path.join(scratch, 'data')
  const runs: Run[] = []
  try {
    runs.push(await start('first start', dataDir, scratch))
    runs.push(await start('restart', dataDir, scratch))
  } finally {
    if (args.keep === true) process.stderr.write(`kept ${scratch}\n`)
    else rmSync(scratch, { recursive: true, force: true })
  }

  const fmt = (mb: number): string => mb.toFixed(0)
  const first = runs[0]!
  const checks = [
    { ok: first.peakMb <= TARGET_PEAK_MB, line: `first start peaks at ${fmt(first.peakMb)} MB (target <= ${TARGET_PEAK_MB} MB)` },
    ...runs.map((run) => ({ ok: run.idleMb <= TARGET_IDLE_MB, line: `${run.name}: ${fmt(run.idleMb)} MB idle (target <= ${TARGET_IDLE_MB} MB)` }))
  ]
  process.stdout.write([
    '',
    `Coffee memory benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine}; load average ${load1.toFixed(2)} at start, ${(os.loadavg()[0] ?? 0).toFixed(2)} at end`,
    '',
    `| run | ready after (s) | RSS when ready (MB) | peak RSS (MB) | idle RSS after ${IDLE_S} s (MB) |`,
    '|:--|--:|--:|--:|--:|',
    ...runs.map((run) => `| ${run.name} | ${(run.readyMs / 1000).toFixed(1)} | ${fmt(run.rssReadyMb)} | ${fmt(run.peakMb)} | ${fmt(run.idleMb)} |`),
    '',
    ...checks.map((check) => `${check.ok ? 'PASS' : 'FAIL'}  ${check.line}`),
    ''
  ].join('\n'))

  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ machine, nodeOptions, idleSeconds: IDLE_S, runs, checks }, null, 2) + '\n')
  if (args.strict === true && checks.some((check) => !check.ok)) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
