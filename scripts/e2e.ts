// `npm run test:e2e`: the end-to-end suite against a real Mattermost. Builds Coffee and the Mattermost server (or
// reuses the cached one), starts Mattermost on a throwaway Postgres database with its rate limiter on, creates its
// system admin, then runs test/e2e (and the gateway's own tests) with TEST_MATTERMOST_URL: once with Coffee on its
// embedded database, once on Postgres. Exits 3 when no Mattermost can be built here (no Go, no module proxy).
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { BuildError, ensureBuild, startMattermost, type RateLimit } from './mattermost/server.js'
import { bootstrapAdmin } from './mattermost/provision.js'

const root = path.resolve(import.meta.dirname, '..')
const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
/** Mattermost's defaults when an admin turns the rate limiter on, counted per token. */
export const E2E_RATE_LIMIT: RateLimit = { perSec: 10, maxBurst: 100 }
const files = process.argv.slice(2)

function log (line: string): void {
  console.log(`[e2e] ${line}`)
}

async function tap (label: string, env: Record<string, string>, testFiles: string[]): Promise<{ pass: number, fail: number, status: number }> {
  log(`--- ${label}`)
  const child = spawn('npx', ['tap', '--jobs=1', '--timeout=600', ...testFiles], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); process.stdout.write(chunk) })
  const status = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
  const totals = /# \{ total: \d+, pass: (\d+)(?:, fail: (\d+))?/.exec(output.split('\n').filter((l) => l.startsWith('# { total')).at(-1) ?? '')
  const pass = Number(totals?.[1] ?? 0)
  const fail = Number(totals?.[2] ?? 0) + (status !== 0 && Number(totals?.[2] ?? 0) === 0 ? 1 : 0)
  return { pass, fail, status }
}

async function main (): Promise<number> {
  let build
  try {
    build = ensureBuild(log)
  } catch (error) {
    if (!(error instanceof BuildError)) throw error
    console.error(`\n[e2e] NO REAL MATTERMOST: the server could not be built here, so the end-to-end suite did not run.\n${error.message}\n`)
    return 3
  }
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) return built.status ?? 1

  const server = await startMattermost(build, { postgresUrl, rateLimit: E2E_RATE_LIMIT, log })
  // Interrupted (Ctrl-C, CI's time limit): stop the server and drop its database rather than leave them behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { server.stop().finally(() => process.exit(130)) })
  }
  let pass = 0
  let fail = 0
  try {
    const admin = await bootstrapAdmin(server.url)
    const env = { TEST_MATTERMOST_URL: admin.testUrl, COFFEE_E2E_RATE_LIMIT: `${E2E_RATE_LIMIT.perSec}/${E2E_RATE_LIMIT.maxBurst}` }
    const suites = files.length > 0 ? files : readdirSync(path.join(root, 'test/e2e')).filter((f) => f.endsWith('.e2e.ts')).sort().map((f) => `test/e2e/${f}`)
    for (const [label, extra] of [['Coffee on its embedded database', {}], ['Coffee on Postgres', { TEST_DATABASE_URL: postgresUrl }]] as const) {
      const result = await tap(label, { ...env, ...extra }, suites)
      pass += result.pass
      fail += result.fail
    }
    if (files.length === 0) {
      const gateway = await tap('the gateway against the real server', env, ['test/mattermost/gateway.test.ts'])
      pass += gateway.pass
      fail += gateway.fail
    }
  } finally {
    await server.stop()
  }
  console.log(`\ne2e: ${pass} passed, ${fail} failed`)
  return fail === 0 ? 0 : 1
}

process.exitCode = await main()
