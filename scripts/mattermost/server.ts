// A real Mattermost server for the end-to-end suite: built from its Go module (Team Edition, no web app), cached
// outside the repository, started on a free loopback port against a throwaway Postgres database.
//
// The server module's own go.mod pins an older github.com/mattermost/mattermost/server/public than its code needs, so
// the build requires the public module of (nearly) the same commit, as Mattermost's own plugins do in their go.mod.
// Neither pseudo-version is in the Go checksum database, so their checksums are pinned here instead and checked after
// the download; every other module is checked against the server's own go.sum as usual.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

/** The Mattermost release line this build follows, and the exact module versions. */
export const MATTERMOST = Object.freeze({
  /** Mattermost master of 2026-01-13 (11.4 development; the Go module proxy serves this pin of Mattermost's playbooks plugin). */
  server: { path: 'github.com/mattermost/mattermost/server/v8', version: 'v8.0.0-20260113162330-9e1d4c2072c0', sum: 'h1:Q8G/lGungMAkoa3aWDIbkDOHFKo8o7D5whXobOwMCnI=' },
  public: { path: 'github.com/mattermost/mattermost/server/public', version: 'v0.1.22-0.20260113165922-8e4cadbc88ee', sum: 'h1:CcjbByJ/s6YfvR62ZckyjfQgUMnfmfW19XU2Lx8PqQU=' }
})

export interface BuildLog { (line: string): void }

const goEnv = {
  GOFLAGS: '-mod=mod',
  GOWORK: 'off',
  GOTOOLCHAIN: 'local',
  // These two pseudo-versions are not in sum.golang.org: their checksums are checked against MATTERMOST instead.
  GONOSUMDB: 'github.com/mattermost/mattermost/server/v8,github.com/mattermost/mattermost/server/public',
  CGO_ENABLED: '0'
}

export function cacheRoot (): string {
  return process.env.COFFEE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'coffee-e2e')
}

export interface Build {
  /** The mattermost binary. */
  binary: string
  /** The copied module: the server finds i18n/, templates/ and fonts/ here (it is started with this as its CWD). */
  serverDir: string
}

function buildDir (): string {
  return path.join(cacheRoot(), `mattermost-${MATTERMOST.server.version}`)
}

/** The build if it is cached, else undefined. */
export function cachedBuild (): Build | undefined {
  const dir = buildDir()
  const build = { binary: path.join(dir, 'bin', 'mattermost'), serverDir: path.join(dir, 'server') }
  return existsSync(path.join(dir, 'built')) && existsSync(build.binary) ? build : undefined
}

export class BuildError extends Error {
  override readonly name = 'BuildError'
}

function run (command: string, args: string[], options: { cwd?: string, log: BuildLog }): string {
  options.log(`$ ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...goEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.error !== undefined) throw new BuildError(`${command} could not run: ${result.error.message}`)
  if (result.status !== 0) throw new BuildError(`${command} ${args.join(' ')} exited with ${result.status}:\n${(result.stderr + result.stdout).trim().split('\n').slice(-30).join('\n')}`)
  return result.stdout
}

interface Downloaded { Dir?: string, Sum?: string, Error?: string }

function download (module: { path: string, version: string, sum: string }, log: BuildLog): string {
  const out = run('go', ['mod', 'download', '-json', `${module.path}@${module.version}`], { log })
  const info = JSON.parse(out) as Downloaded
  if (info.Error !== undefined || info.Dir === undefined) throw new BuildError(`go mod download ${module.path}@${module.version}: ${info.Error ?? 'no directory'}`)
  if (module.sum !== '' && info.Sum !== module.sum) throw new BuildError(`${module.path}@${module.version} has checksum ${info.Sum}, expected ${module.sum}`)
  return info.Dir
}

/** Builds the server unless it is cached. Needs Go and the Go module proxy; throws a BuildError saying what failed. */
export function ensureBuild (log: BuildLog = () => {}): Build {
  const cached = cachedBuild()
  if (cached !== undefined) return cached
  const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' })
  if (goVersion.error !== undefined || goVersion.status !== 0) throw new BuildError('Go is not installed (`go version` failed): the real Mattermost cannot be built here')
  log(goVersion.stdout.trim())

  const dir = buildDir()
  mkdirSync(cacheRoot(), { recursive: true })
  const work = mkdtempSync(path.join(cacheRoot(), 'building-'))
  try {
    const serverModule = download(MATTERMOST.server, log)
    download(MATTERMOST.public, log)
    const serverDir = path.join(work, 'server')
    cpSync(serverModule, serverDir, { recursive: true })
    makeWritable(serverDir)
    run('go', ['mod', 'edit', `-require=${MATTERMOST.public.path}@${MATTERMOST.public.version}`], { cwd: serverDir, log })
    const started = Date.now()
    run('go', ['build', '-o', path.join(work, 'bin', 'mattermost'), './cmd/mattermost'], { cwd: serverDir, log })
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`)
    writeFileSync(path.join(work, 'built'), `${MATTERMOST.server.version}\n`)
    rmSync(dir, { recursive: true, force: true })
    renameSync(work, dir)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  const build = cachedBuild()
  if (build === undefined) throw new BuildError(`the build finished but ${dir} holds no binary`)
  return build
}

function makeWritable (dir: string): void {
  chmodSync(dir, 0o755)
  for (const name of readdirSync(dir)) {
    const entry = path.join(dir, name)
    if (statSync(entry).isDirectory()) makeWritable(entry)
    else chmodSync(entry, 0o644)
  }
}

export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface RateLimit {
  perSec: number
  maxBurst: number
}

export interface StartOptions {
  /** A Postgres server (any database on it): a throwaway database is created there and dropped at stop. */
  postgresUrl: string
  /** Mattermost's own rate limiter, per token (VaryByUser), as RateLimitSettings; off when undefined. */
  rateLimit?: RateLimit | undefined
  log?: BuildLog
  /** How long the first start (about 300 database migrations) may take. */
  timeoutMs?: number
}

export interface RunningMattermost {
  url: string
  /** The server's console output so far (warnings and errors). */
  output: () => string
  stop: () => Promise<void>
}

/**
 * The settings Coffee needs (bot accounts, access tokens, custom slash commands, loopback integrations, a site URL),
 * nothing that calls out (no email, telemetry, notices, plugins, web app), as MM_<SECTION>_<SETTING> variables.
 */
export function mattermostEnv ({ port, dataSource, dir, rateLimit }: { port: number, dataSource: string, dir: string, rateLimit?: RateLimit | undefined }): Record<string, string> {
  return {
    MM_CONFIG: path.join(dir, 'config.json'),
    MM_SQLSETTINGS_DRIVERNAME: 'postgres',
    MM_SQLSETTINGS_DATASOURCE: dataSource,
    MM_SERVICESETTINGS_SITEURL: `http://127.0.0.1:${port}`,
    MM_SERVICESETTINGS_LISTENADDRESS: `127.0.0.1:${port}`,
    MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION: 'true',
    // Personal access tokens stay off, as on a fresh server: bots get theirs regardless (README does not ask for them).
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'false',
    MM_SERVICESETTINGS_ENABLECOMMANDS: 'true',
    MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1 localhost',
    MM_SERVICESETTINGS_WEBSERVERMODE: 'disabled',
    MM_SERVICESETTINGS_ENABLESECURITYFIXALERT: 'false',
    MM_SERVICESETTINGS_ENABLELOCALMODE: 'false',
    MM_TEAMSETTINGS_MAXUSERSPERTEAM: '10000',
    MM_TEAMSETTINGS_MAXCHANNELSPERTEAM: '100000',
    MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS: 'false',
    MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION: 'false',
    MM_LOGSETTINGS_ENABLEFILE: 'false',
    MM_LOGSETTINGS_CONSOLELEVEL: 'WARN',
    MM_LOGSETTINGS_CONSOLEJSON: 'false',
    MM_LOGSETTINGS_ENABLEDIAGNOSTICS: 'false',
    MM_NOTIFICATIONLOGSETTINGS_ENABLEFILE: 'false',
    MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED: 'false',
    MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED: 'false',
    MM_FILESETTINGS_DIRECTORY: path.join(dir, 'files'),
    MM_PLUGINSETTINGS_ENABLE: 'false',
    MM_PLUGINSETTINGS_DIRECTORY: path.join(dir, 'plugins'),
    MM_PLUGINSETTINGS_CLIENTDIRECTORY: path.join(dir, 'client-plugins'),
    MM_METRICSSETTINGS_ENABLE: 'false',
    MM_RATELIMITSETTINGS_ENABLE: rateLimit === undefined ? 'false' : 'true',
    ...(rateLimit === undefined
      ? {}
      : {
          MM_RATELIMITSETTINGS_PERSEC: String(rateLimit.perSec),
          MM_RATELIMITSETTINGS_MAXBURST: String(rateLimit.maxBurst),
          MM_RATELIMITSETTINGS_VARYBYUSER: 'true',
          MM_RATELIMITSETTINGS_VARYBYREMOTEADDR: 'false'
        })
  }
}

/** Starts the built server on a free loopback port and a fresh database; resolves once /api/v4/system/ping answers. */
export async function startMattermost (build: Build, { postgresUrl, rateLimit, log = () => {}, timeoutMs = 240_000 }: StartOptions): Promise<RunningMattermost> {
  const database = `coffee_mm_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${database}`)
  } finally {
    await admin.end()
  }
  const dataSource = withDatabase(postgresUrl, database)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coffee-mm-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env = mattermostEnv({ port, dataSource, dir, rateLimit })

  const proc: ChildProcess = spawn(build.binary, ['server'], {
    cwd: build.serverDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-200_000) }
  proc.stdout!.on('data', keep)
  proc.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  let stopped = false

  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000)
        await exited
        clearTimeout(timer)
      }
      const cleanup = new pg.Client({ connectionString: postgresUrl })
      await cleanup.connect()
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      } finally {
        await cleanup.end()
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const started = Date.now()
  log(`starting Mattermost on ${url} (database ${database})`)
  try {
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`Mattermost exited with ${proc.exitCode ?? proc.signalCode}:\n${output.slice(-4000)}`)
      if (Date.now() - started > timeoutMs) throw new Error(`Mattermost did not answer within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`)
      if (await ping(url)) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  } catch (error) {
    await stop()
    throw error
  }
  log(`Mattermost answers on ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return { url, output: () => output, stop }
}

async function ping (url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) })
    await response.arrayBuffer()
    return response.ok
  } catch {
    return false
  }
}

function withDatabase (postgresUrl: string, database: string): string {
  const parsed = new URL(postgresUrl)
  parsed.pathname = `/${database}`
  if (!parsed.searchParams.has('sslmode')) parsed.searchParams.set('sslmode', 'disable')
  parsed.searchParams.set('connect_timeout', '10')
  return parsed.toString()
}
