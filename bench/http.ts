// npm run bench:http [-- --strict] [-- --only=postgres|pglite] [-- --duration=10] [-- --connections=20]
//                   [-- --warmup=2] [-- --rate=500] [-- --scenarios=baseline,join,status,fixed] [-- --cpu-prof]
//
// Load benchmark of Coffee's slash command, against a floor measured in the same run: a bare Fastify route that
// parses the same form body and does one INSERT through the same Prisma client. Per database (a throwaway Postgres
// database, then an in-memory PGlite):
//   coffee-join      POST /coffee `join`, a different user per request (all in one channel, as in real life)
//   coffee-status    POST /coffee `status`, cycling over the users who joined
//   baseline-insert  POST /baseline, the floor
// then, on Postgres only, status and join at a fixed 500 req/s (autocannon overallRate, latencies corrected for
// coordinated omission).
// Targets: coffee/baseline throughput >= 0.6 (join and status, each database) and p99 <= 50 ms at 500 req/s on
// Postgres. Every response body is checked; a wrong answer counts as bad and fails the run.
// The server runs in a child process (bench/lib/http-server.ts) so that autocannon does not share its event loop.
// Postgres: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test is the server;
// the benchmark creates coffee_bench_<random> there and drops it at the end.
// --cpu-prof writes the server's CPU profiles to bench/results/profiles/ (summarise with bench/lib/profile-summary.ts).
// Exit code: 1 when something breaks; with --strict also when a target is missed.
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { slashFields, slashHeaders } from '../test/helpers/slash.js'
import { BackendCpu } from './lib/backend-cpu.js'
import { DATABASE_URL_ENV, type ChildMessage, type ParentMessage } from './lib/protocol.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const RESULTS_DIR = path.join(here, 'results')

const TARGET_RATIO = 0.6
const TARGET_P99_MS = 50

const { values: args } = parseArgs({
  options: {
    strict: { type: 'boolean', default: false },
    only: { type: 'string' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
    rate: { type: 'string', default: '500' },
    scenarios: { type: 'string', default: 'baseline,join,status,fixed' },
    'cpu-prof': { type: 'boolean', default: false }
  }
})

function positive (name: string, raw: string | undefined): number {
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number (got "${raw ?? ''}")`)
  return value
}
const DURATION = positive('duration', args.duration)
const WARMUP = Number(args.warmup ?? 0)
const CONNECTIONS = Math.round(positive('connections', args.connections))
const RATE = positive('rate', args.rate)
type Kind = 'postgres' | 'pglite'
const KINDS: Kind[] = args.only === undefined ? ['postgres', 'pglite'] : [args.only as Kind]
if (!KINDS.every((kind) => kind === 'postgres' || kind === 'pglite')) throw new Error('--only must be postgres or pglite')
const SCENARIOS = new Set((args.scenarios ?? '').split(',').map((s) => s.trim()))
for (const s of SCENARIOS) if (!['baseline', 'join', 'status', 'fixed'].includes(s)) throw new Error(`--scenarios: unknown "${s}" (baseline, join, status, fixed)`)

interface Measurement {
  database: Kind
  scenario: string
  /** Requests per second over the measurement (completed, 2xx or not). */
  rps: number
  p50: number
  p99: number
  /** Non-2xx, wrong bodies, connection errors and timeouts. */
  bad: number
  total: number
  /** CPU time of the server process (Node only, not Postgres) per request, in microseconds. */
  cpuPerRequest: number
  /** CPU time of the Postgres backends per request, in microseconds, when Postgres runs on this machine. */
  dbCpuPerRequest?: number
  /** The fixed rate asked for, if any. */
  rate?: number
}

// ---------------------------------------------------------------------------------------------------------------
// The server process

class Server {
  private readonly inbox: ChildMessage[] = []
  private waiting: ((message: ChildMessage) => void) | undefined
  private exited = false

  constructor (readonly child: ChildProcess) {
    child.on('message', (message: ChildMessage) => {
      const waiting = this.waiting
      if (waiting !== undefined) {
        this.waiting = undefined
        waiting(message)
      } else this.inbox.push(message)
    })
    child.on('exit', () => {
      this.exited = true
      this.waiting?.({ type: 'error', message: 'the server process exited' })
    })
  }

  static start (kind: Kind, databaseUrl: string | undefined, tag: string): Server {
    const execArgv = ['--import', 'tsx']
    if (args['cpu-prof'] === true) {
      const dir = path.join(RESULTS_DIR, 'profiles')
      mkdirSync(dir, { recursive: true })
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=http-${kind}-${tag}.cpuprofile`)
    }
    const child = fork(path.join(here, 'lib', 'http-server.ts'), [], {
      execArgv,
      env: { ...process.env, NODE_ENV: 'production', [DATABASE_URL_ENV]: databaseUrl ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    return new Server(child)
  }

  async next<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    const message = this.inbox.shift() ?? (this.exited
      ? { type: 'error' as const, message: 'the server process exited' }
      : await new Promise<ChildMessage>((resolve) => { this.waiting = resolve }))
    if (message.type === 'error') throw new Error(`server: ${message.message}`)
    if (message.type !== type) throw new Error(`server: expected "${type}", got "${message.type}"`)
    return message as Extract<ChildMessage, { type: T }>
  }

  async ask<T extends ChildMessage['type']>(message: ParentMessage, answer: T): Promise<Extract<ChildMessage, { type: T }>> {
    this.child.send(message)
    return this.next(answer)
  }

  async close (): Promise<void> {
    if (this.exited) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    try {
      await Promise.race([this.ask({ type: 'close' }, 'closed'), new Promise((_resolve, reject) => setTimeout(() => reject(new Error('timeout')), 10_000))])
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
    } catch {}
    if (!this.exited) this.child.kill('SIGKILL')
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/** A Mattermost-style 26-character user id, distinct per n. */
const userId = (n: number) => `u${n.toString(36).padStart(25, '0')}`

let nextUser = 0

interface Load {
  title: string
  port: number
  path: string
  body: () => string
  ok: (body: string) => boolean
  seconds: number
  rate?: number
}

async function load ({ title, port, path: urlPath, body, ok, seconds, rate }: Load) {
  let wrong = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    title,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [{
      method: 'POST',
      path: urlPath,
      headers: slashHeaders(),
      setupRequest: (request) => ({ ...request, body: body() }),
      onResponse: (status, responseBody) => { if (status === 200 && !ok(responseBody)) wrong++ }
    }]
  })
  return { result, wrong }
}

async function measure (server: Server, backends: BackendCpu | undefined, database: Kind, scenario: string, spec: Omit<Load, 'title' | 'seconds'>): Promise<Measurement> {
  if (WARMUP > 0 && spec.rate === undefined) await load({ ...spec, title: `${scenario} (warm-up)`, seconds: WARMUP })
  const cpuBefore = (await server.ask({ type: 'cpu' }, 'cpu')).micros
  const dbBefore = await backends?.sample()
  const { result, wrong } = await load({ ...spec, title: scenario, seconds: DURATION })
  const dbMicros = BackendCpu.between(dbBefore, await backends?.sample())
  const cpuAfter = (await server.ask({ type: 'cpu' }, 'cpu')).micros
  const total = result.requests.total
  const measurement: Measurement = {
    database,
    scenario: spec.rate === undefined ? scenario : `${scenario} @${spec.rate}/s`,
    rps: total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + wrong + result.errors + result.timeouts,
    total,
    cpuPerRequest: total === 0 ? 0 : (cpuAfter - cpuBefore) / total,
    ...(dbMicros === undefined || total === 0 ? {} : { dbCpuPerRequest: dbMicros / total }),
    ...(spec.rate === undefined ? {} : { rate: spec.rate })
  }
  process.stderr.write(`  ${pad(measurement.scenario, 24)} ${fmt(measurement.rps, 0).padStart(7)} req/s   p99 ${fmt(measurement.p99, 1).padStart(6)} ms   server CPU ${fmt(measurement.cpuPerRequest, 0).padStart(5)} µs/req` +
    `${measurement.dbCpuPerRequest === undefined ? '' : `   Postgres CPU ${fmt(measurement.dbCpuPerRequest, 0).padStart(5)} µs/req`}   bad ${measurement.bad}\n`)
  return measurement
}

const slashBody = (text: string, n: number) => slashFields({ text, userId: userId(n), userName: `user${n}` }).toString()

async function benchDatabase (kind: Kind, databaseUrl: string | undefined, tag: string, backends?: BackendCpu): Promise<Measurement[]> {
  process.stderr.write(`\n${kind}: starting the server...\n`)
  const server = Server.start(kind, databaseUrl, tag)
  try {
    const { coffeePort, baselinePort } = await server.next('ready')
    const out: Measurement[] = []

    if (SCENARIOS.has('baseline')) {
      out.push(await measure(server, backends, kind, 'baseline-insert', {
        port: baselinePort, path: '/baseline', body: () => slashBody('join', nextUser++), ok: (b) => b.includes('"ok"')
      }))
    }
    const join = { port: coffeePort, path: '/coffee', body: () => slashBody('join', nextUser++), ok: (b: string) => b.includes("You're in") }
    if (SCENARIOS.has('join')) out.push(await measure(server, backends, kind, 'coffee-join', join))
    else if (SCENARIOS.has('status') || SCENARIOS.has('fixed')) await load({ ...join, title: 'people joining, for status', seconds: Math.max(WARMUP, 1) })

    const { userIds } = await server.ask({ type: 'users' }, 'users')
    if (userIds.length === 0) throw new Error('nobody joined: /coffee join does not work, see the bad count above')
    let cursor = 0
    const status = {
      port: coffeePort,
      path: '/coffee',
      body: () => {
        const id = userIds[cursor++ % userIds.length] ?? ''
        return slashFields({ text: 'status', userId: id, userName: `user-${id}` }).toString()
      },
      ok: (b: string) => b.includes("You're **in**")
    }
    if (SCENARIOS.has('status')) out.push(await measure(server, backends, kind, 'coffee-status', status))

    if (kind === 'postgres' && SCENARIOS.has('fixed')) {
      out.push(await measure(server, backends, kind, 'coffee-status', { ...status, rate: RATE }))
      out.push(await measure(server, backends, kind, 'coffee-join', { ...join, rate: RATE }))
    }
    return out
  } finally {
    await server.close()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Postgres: a throwaway database

function serverUrl (): string {
  for (const name of ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL']) {
    const value = process.env[name]
    if (value !== undefined && value !== '') return value
  }
  return 'postgres://postgres@127.0.0.1:5432/test'
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')

async function admin (url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function withThrowawayDatabase<T> (tag: string, fn: (url: string, backends: BackendCpu) => Promise<T>): Promise<T> {
  const server = serverUrl()
  const name = `coffee_bench_${tag}`
  try {
    await admin(server, `CREATE DATABASE ${name}`)
  } catch (error) {
    throw new Error(`cannot create a database on ${redact(server)} (${(error as Error).message}); set BENCH_DATABASE_URL, or run --only=pglite`)
  }
  const drop = () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  const onSignal = () => { drop().finally(() => process.exit(130)) }
  process.once('SIGINT', onSignal)
  const backends = await BackendCpu.open(server, name)
  try {
    const url = new URL(server)
    url.pathname = `/${name}`
    return await fn(url.toString(), backends)
  } finally {
    process.off('SIGINT', onSignal)
    await backends.close()
    await drop()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const pad = (s: string, n: number) => s.padEnd(n)

interface Check { ok: boolean, line: string }

function checks (results: Measurement[]): Check[] {
  const out: Check[] = []
  const find = (database: Kind, scenario: string) => results.find((r) => r.database === database && r.scenario === scenario)
  for (const database of KINDS) {
    const baseline = find(database, 'baseline-insert')
    for (const scenario of ['coffee-join', 'coffee-status']) {
      const coffee = find(database, scenario)
      if (baseline === undefined || coffee === undefined) continue
      const ratio = coffee.rps / baseline.rps
      out.push({ ok: ratio >= TARGET_RATIO, line: `${database} ${scenario} throughput / baseline-insert = ${fmt(ratio, 2)} (target >= ${TARGET_RATIO})` })
    }
    for (const scenario of ['coffee-status', 'coffee-join']) {
      const fixed = find(database, `${scenario} @${RATE}/s`)
      if (fixed === undefined) continue
      out.push({ ok: fixed.p99 <= TARGET_P99_MS, line: `${database} ${scenario} at ${RATE} req/s: p99 ${fmt(fixed.p99, 1)} ms (target <= ${TARGET_P99_MS} ms)` })
      const achieved = fixed.rps / RATE
      if (achieved < 0.95) out.push({ ok: false, line: `${database} ${scenario} at ${RATE} req/s: only ${fmt(fixed.rps, 0)} req/s were served` })
    }
  }
  const bad = results.filter((r) => r.bad > 0)
  out.push({
    ok: bad.length === 0,
    line: bad.length === 0 ? 'every response was a correct 200' : `wrong or failed responses: ${bad.map((r) => `${r.database} ${r.scenario}: ${r.bad}/${r.total}`).join(', ')}`
  })
  return out
}

function table (results: Measurement[]): string {
  const header = ['database', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'bad', 'vs baseline', 'server CPU µs/req', 'Postgres CPU µs/req']
  const rows = results.map((r) => {
    const baseline = results.find((b) => b.database === r.database && b.scenario === 'baseline-insert')
    const ratio = r.rate === undefined && baseline !== undefined && r !== baseline ? fmt(r.rps / baseline.rps, 2) : ''
    const db = r.dbCpuPerRequest !== undefined ? fmt(r.dbCpuPerRequest, 0) : r.database === 'pglite' ? 'in server' : 'n/a'
    return [r.database, r.scenario, fmt(r.rps, 0), fmt(r.p50, 1), fmt(r.p99, 1), String(r.bad), ratio, fmt(r.cpuPerRequest, 0), db]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ') + ' |'
  return [line(header), '|' + widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------------------------

async function main (): Promise<void> {
  const started = new Date()
  const tag = randomBytes(4).toString('hex')
  const load1 = os.loadavg()[0] ?? 0
  const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, ${os.platform()} ${os.arch()}`
  process.stderr.write(`Coffee HTTP benchmark: ${DURATION} s per measurement (+${WARMUP} s warm-up), ${CONNECTIONS} connections; ${machine}; load average ${fmt(load1, 2)}\n`)
  if (load1 > 0.5 * os.cpus().length) process.stderr.write('warning: the machine is busy; figures will be low and noisy\n')

  const results: Measurement[] = []
  for (const kind of KINDS) {
    if (kind === 'postgres') {
      results.push(...await withThrowawayDatabase(tag, (url, backends) => benchDatabase(kind, url, tag, backends)))
    } else {
      results.push(...await benchDatabase(kind, undefined, tag))
    }
  }

  const verdicts = checks(results)
  const report = [
    '',
    `Coffee HTTP benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine}; ` +
      `${CONNECTIONS} connections, ${DURATION} s per measurement; load average ${fmt(load1, 2)} at start, ${fmt(os.loadavg()[0] ?? 0, 2)} at end`,
    '',
    table(results),
    '',
    ...verdicts.map((v) => `${v.ok ? 'PASS' : 'FAIL'}  ${v.line}`),
    ''
  ].join('\n')
  process.stdout.write(report)

  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `http-${started.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ started, machine, connections: CONNECTIONS, duration: DURATION, results, checks: verdicts }, null, 2) + '\n')
  process.stderr.write(`(results saved to ${path.relative(process.cwd(), file)})\n`)

  if (args.strict === true && verdicts.some((v) => !v.ok)) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
