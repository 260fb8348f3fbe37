// npm run bench:round [-- --people=10000] [-- --only=pglite|postgres]
//
// One big round, end to end: 10,000 participants in one channel, POST /rounds (forced) on the real app and database
// against a zero-latency fake Mattermost in another process — eligibility (POST /users/ids in batches, paged
// channel members), matching, the committed plan, then 5,000 group channels and intros with bounded concurrency.
// Then a second round (with the first as history, and the first round's follow-ups). Baseline, in the same run and per
// round: the same Mattermost calls made directly through the gateway with the same concurrency (round 1: a group
// channel and a post per pair; round 2: a follow-up in each of those, then a new group channel and a post per pair),
// from a process of its own so that the service's memory is measured alone.
// Targets: the first round in <= 60 s, the service's peak RSS <= 512 MB. Exit 1 when a target is missed.
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'

const here = path.dirname(fileURLToPath(import.meta.url))
const { values: args } = parseArgs({ options: { people: { type: 'string', default: '10000' }, only: { type: 'string' } } })
const PEOPLE = Number(args.people)
const TARGET_MS = 60_000
const TARGET_RSS_MB = 512
// The service runs with the heap limit the Docker image sets (NODE_OPTIONS), so that its memory is measured as deployed.
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? '256')

function child (script: string, argv: string[]): ChildProcess {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the service process (Chrome DevTools opens it), to see where a round goes.
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
  const service = script === 'service.ts' && argv.at(-1) === 'round' ? [`--max-old-space-size=${HEAP_MB}`, ...profile] : []
  return fork(path.join(here, 'round', script), argv, { execArgv: ['--import', 'tsx', ...service], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } })
}

function message<T> (proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => { if (m.type === type) { cleanup(); resolve(m as T) } }
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`${type}: child exited with ${code}`)) }
    const cleanup = () => { proc.off('message', onMessage); proc.off('exit', onExit) }
    proc.on('message', onMessage)
    proc.on('exit', onExit)
  })
}

async function postgresUrl (): Promise<{ url: string, drop: () => Promise<void> } | undefined> {
  const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const admin = new pg.Client({ connectionString: server })
  try { await admin.connect() } catch { return undefined }
  const name = `coffee_bench_${randomBytes(4).toString('hex')}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => { await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.end() }
  }
}

interface Done {
  /** Per round: the same Mattermost calls made directly. */
  baselineMs: number[]
  maxRssMb: number
  database: string
  results: { round: number, ms: number, status: number, rssBeforeMb: number, summary: { rounds?: { groups: number, eligible: number }[], deliveries?: { sent: number, pending: number, failed: number }, errors?: unknown[] } }[]
}

async function runOn (kind: 'pglite' | 'postgres'): Promise<boolean> {
  const database = kind === 'postgres' ? await postgresUrl() : undefined
  if (kind === 'postgres' && database === undefined) { console.log('postgres: not reachable, skipped'); return true }
  const mm = child('fake-mattermost.ts', [String(PEOPLE)])
  try {
    const ready = await message<{ url: string, token: string }>(mm, 'ready')
    const baseline = child('service.ts', [ready.url, ready.token, String(PEOPLE), '', 'baseline'])
    const { baselineMs, maxRssMb: baselineRssMb } = await message<{ baselineMs: number[], maxRssMb: number }>(baseline, 'baseline')
    const service = child('service.ts', [ready.url, ready.token, String(PEOPLE), database?.url ?? '', 'round'])
    const done = { ...await message<Omit<Done, 'baselineMs'>>(service, 'done'), baselineMs }
    mm.send({ type: 'count' })
    const count = await message<{ groups: number, posts: number, intros: number }>(mm, 'count')
    const first = done.results[0]!
    const expectedGroups = Math.floor(PEOPLE / 2)
    const introsOk = count.intros === 2 * expectedGroups
    console.log(`\n${kind} — ${PEOPLE} participants`)
    console.log('| run | time (s) | vs baseline | groups | sent | pending | failed |')
    console.log('|:--|--:|--:|--:|--:|--:|--:|')
    for (const r of done.results) {
      const d = r.summary.deliveries
      const base = done.baselineMs[r.round - 1] ?? NaN
      const calls = r.round === 1 ? `${expectedGroups} group channels + intros` : `${expectedGroups} follow-ups, then ${expectedGroups} group channels + intros`
      console.log(`| baseline ${r.round}: ${calls} via the gateway | ${(base / 1000).toFixed(1)} | 1.00 | | | | |`)
      console.log(`| round ${r.round} (POST /rounds) | ${(r.ms / 1000).toFixed(1)} | ${(r.ms / base).toFixed(2)} | ${r.summary.rounds?.[0]?.groups ?? 0} | ${d?.sent ?? '?'} | ${d?.pending ?? '?'} | ${d?.failed ?? '?'} |`)
    }
    for (const r of done.results) {
      if ((r.summary.errors?.length ?? 0) > 0) console.log(`round ${r.round} errors: ${JSON.stringify(r.summary.errors).slice(0, 500)}`)
    }
    console.log(`RSS before each round: ${done.results.map((r) => `${r.rssBeforeMb.toFixed(0)} MB`).join(', ')}`)
    console.log(`peak RSS of the service process (--max-old-space-size=${HEAP_MB}): ${done.maxRssMb.toFixed(0)} MB (target <= ${TARGET_RSS_MB}); of the baseline process: ${baselineRssMb.toFixed(0)} MB`)
    console.log(`intros in the fake Mattermost: ${count.intros} (expected ${2 * expectedGroups}, each exactly once: ${introsOk ? 'yes' : 'NO'})`)
    const timeOk = first.ms <= TARGET_MS && first.status === 200
    const rssOk = done.maxRssMb <= TARGET_RSS_MB
    console.log(`${timeOk ? 'PASS' : 'FAIL'} first round in ${(first.ms / 1000).toFixed(1)} s (target <= ${TARGET_MS / 1000} s)`)
    console.log(`${rssOk ? 'PASS' : 'FAIL'} peak RSS ${done.maxRssMb.toFixed(0)} MB (target <= ${TARGET_RSS_MB} MB)`)
    return timeOk && rssOk && introsOk
  } finally {
    mm.send({ type: 'close' })
    await database?.drop()
  }
}

const kinds = args.only === undefined ? ['pglite', 'postgres'] as const : [args.only as 'pglite' | 'postgres']
let ok = true
for (const kind of kinds) ok = (await runOn(kind)) && ok
process.exit(ok ? 0 : 1)
