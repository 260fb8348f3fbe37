// npm run bench:http [-- --strict] [-- --only=postgres|pglite] [-- --rate=100] [-- --duration=20] [-- --warmup=3]
//
// Latency of Coffee's two most frequent slash commands at a fixed, realistic rate: people type /coffee, so what
// counts is how long one waits, not how many a server could take. Per database (a throwaway Postgres database, then an
// in-memory PGlite), the server runs in a child process (bench/lib/http-server.ts) and autocannon sends
//   coffee-join    POST /coffee `join`, a different person each time (all in one channel, as in real life)
//   coffee-status  POST /coffee `status`, cycling over the people who joined
// at --rate requests a second (default 100) for --duration seconds, latencies corrected for coordinated omission,
// each after --warmup seconds (default 3) of the same load that is not counted (a fresh process compiles its code
// and opens its connections on the first requests).
// Target: p99 <= 50 ms for both, on both databases. Every response body is checked; a wrong answer counts as bad.
// Postgres: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test is the server;
// the benchmark creates coffee_bench_<random> there and drops it at the end.
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
import { DATABASE_URL_ENV, type ChildMessage, type ParentMessage } from './lib/protocol.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const RESULTS_DIR = path.join(here, 'results')
const TARGET_P99_MS = 50

const { values: args } = parseArgs({
  options: {
    strict: { type: 'boolean', default: false },
    only: { type: 'string' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '100' }
  }
})

function positive (name: string, raw: string | undefined): number {
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number (got "${raw ?? ''}")`)
  return value
}
const DURATION = positive('duration', args.duration)
const RATE = positive('rate', args.rate)
const WARMUP = Number(args.warmup ?? 0)
type Kind = 'postgres' | 'pglite'
const KINDS: Kind[] = args.only === undefined ? ['postgres', 'pglite'] : [args.only as Kind]
if (!KINDS.every((kind) => kind === 'postgres' || kind === 'pglite')) throw new Error('--only must be postgres or pglite')

interface Measurement {
  database: Kind
  scenario: string
  /** Requests per second served (should be the rate asked for). */
  rps: number
  p50: number
  p99: number
  max: number
  /** Non-2xx, wrong bodies, connection errors and timeouts. */
  bad: number
  total: number
}

/** The server process, spoken to over IPC. */
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

  static start (databaseUrl: string | undefined): Server {
    return new Server(fork(path.join(here, 'lib', 'http-server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, NODE_ENV: 'production', [DATABASE_URL_ENV]: databaseUrl ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    }))
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
    try {
      await Promise.race([this.ask({ type: 'close' }, 'closed'), new Promise((_resolve, reject) => setTimeout(() => reject(new Error('timeout')), 10_000))])
    } catch {}
    if (!this.exited) this.child.kill('SIGKILL')
  }
}

/** A Mattermost-style 26-character user id, distinct per n. */
const userId = (n: number) => `u${n.toString(36).padStart(25, '0')}`
let nextUser = 0

async function load (scenario: string, port: number, body: () => string, ok: (body: string) => boolean, seconds: number) {
  let wrong = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    title: scenario,
    // Enough connections that a slow answer never holds up the next request at this rate.
    connections: Math.max(10, Math.ceil(RATE / 10)),
    duration: seconds,
    overallRate: RATE,
    requests: [{
      method: 'POST',
      path: '/coffee',
      headers: slashHeaders(),
      setupRequest: (request) => ({ ...request, body: body() }),
      onResponse: (status, responseBody) => { if (status === 200 && !ok(responseBody)) wrong++ }
    }]
  })
  return { result, wrong }
}

async function measure (database: Kind, scenario: string, port: number, body: () => string, ok: (body: string) => boolean): Promise<Measurement> {
  if (WARMUP > 0) await load(`${scenario} (warm-up)`, port, body, () => true, WARMUP)
  const { result, wrong } = await load(scenario, port, body, ok, DURATION)
  const m: Measurement = {
    database,
    scenario,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    bad: result.non2xx + wrong + result.errors + result.timeouts,
    total: result.requests.total
  }
  process.stderr.write(`  ${scenario.padEnd(14)} ${fmt(m.rps, 0).padStart(5)} req/s   p50 ${fmt(m.p50, 1).padStart(6)} ms   p99 ${fmt(m.p99, 1).padStart(6)} ms   max ${fmt(m.max, 1).padStart(6)} ms   bad ${m.bad}\n`)
  return m
}

const slashBody = (text: string, id: string) => slashFields({ text, userId: id, userName: `user-${id}` }).toString()

async function benchDatabase (kind: Kind, databaseUrl: string | undefined): Promise<Measurement[]> {
  process.stderr.write(`\n${kind}: starting the server...\n`)
  const server = Server.start(databaseUrl)
  try {
    const { port } = await server.next('ready')
    const join = await measure(kind, 'coffee-join', port, () => slashBody('join', userId(nextUser++)), (b) => b.includes("You're in"))
    const { userIds } = await server.ask({ type: 'users' }, 'users')
    if (userIds.length === 0) throw new Error('nobody joined: /coffee join does not work, see the bad count above')
    let cursor = 0
    const status = await measure(kind, 'coffee-status', port, () => slashBody('status', userIds[cursor++ % userIds.length]!), (b) => b.includes("You're **in**"))
    return [join, status]
  } finally {
    await server.close()
  }
}

function serverUrl (): string {
  for (const name of ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL']) {
    const value = process.env[name]
    if (value !== undefined && value !== '') return value
  }
  return 'postgres://postgres@127.0.0.1:5432/test'
}

async function admin (url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function withThrowawayDatabase<T> (fn: (url: string) => Promise<T>): Promise<T> {
  const server = serverUrl()
  const name = `coffee_bench_${randomBytes(4).toString('hex')}`
  await admin(server, `CREATE DATABASE ${name}`)
  const drop = () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  const onSignal = () => { drop().finally(() => process.exit(130)) }
  process.once('SIGINT', onSignal)
  try {
    const url = new URL(server)
    url.pathname = `/${name}`
    return await fn(url.toString())
  } finally {
    process.off('SIGINT', onSignal)
    await drop()
  }
}

const fmt = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

async function main (): Promise<void> {
  const started = new Date()
  const load1 = os.loadavg()[0] ?? 0
  const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}`
  process.stderr.write(`Coffee HTTP benchmark: ${RATE} req/s for ${DURATION} s per measurement; ${machine}; load average ${fmt(load1, 2)}\n`)
  if (load1 > 0.5 * os.cpus().length) process.stderr.write('warning: the machine is busy; figures will be noisy\n')

  const results: Measurement[] = []
  for (const kind of KINDS) {
    results.push(...(kind === 'postgres' ? await withThrowawayDatabase((url) => benchDatabase(kind, url)) : await benchDatabase(kind, undefined)))
  }

  const verdicts = results.flatMap((r) => [
    { ok: r.p99 <= TARGET_P99_MS, line: `${r.database} ${r.scenario} at ${RATE} req/s: p99 ${fmt(r.p99, 1)} ms (target <= ${TARGET_P99_MS} ms)` },
    ...(r.rps < 0.95 * RATE ? [{ ok: false, line: `${r.database} ${r.scenario}: only ${fmt(r.rps, 0)} of ${RATE} req/s were served` }] : []),
    ...(r.bad > 0 ? [{ ok: false, line: `${r.database} ${r.scenario}: ${r.bad} of ${r.total} answers were wrong or failed` }] : [])
  ])
  const rows = results.map((r) => `| ${r.database} | ${r.scenario} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${r.bad} |`)
  process.stdout.write([
    '',
    `Coffee HTTP benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine}; ${RATE} req/s, ${DURATION} s each; load average ${fmt(load1, 2)} at start, ${fmt(os.loadavg()[0] ?? 0, 2)} at end`,
    '',
    '| database | scenario | req/s | p50 ms | p99 ms | max ms | bad |',
    '|:--|:--|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    ...verdicts.map((v) => `${v.ok ? 'PASS' : 'FAIL'}  ${v.line}`),
    ''
  ].join('\n'))

  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `http-${started.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ started, machine, rate: RATE, duration: DURATION, results, checks: verdicts }, null, 2) + '\n')
  if (args.strict === true && verdicts.some((v) => !v.ok)) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
