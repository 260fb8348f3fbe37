// The service as its own process (node --import tsx src/server.ts), for tests of what only a real process shows:
// start-up without configuration, signals, SIGKILL and restarts, two processes on one data directory.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const root = path.resolve(import.meta.dirname, '../..')
const shiftClock = pathToFileURL(path.join(root, 'test/helpers/shift-clock.ts')).href

export interface ServiceProcess {
  proc: ChildProcess
  /** Everything it printed so far (stdout and stderr). */
  output: () => string
  /** Resolves once it exits. */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export interface RunningService extends ServiceProcess {
  url: string
}

export interface SpawnOptions {
  /** Runs the process's clock this far ahead (test/helpers/shift-clock.ts), as if it started that much later. */
  clockShiftMs?: number
  /** Start it as README tells people to, with `npm start` (the built dist/), instead of from the sources. */
  npmStart?: boolean
}

/** Spawns the service with only PATH, HOME, PORT=0, HOST=127.0.0.1, LOG_LEVEL=info and `env`. */
export function spawnService (env: Record<string, string>, { clockShiftMs = 0, npmStart = false }: SpawnOptions = {}): ServiceProcess {
  const imports = ['--import', 'tsx', ...(clockShiftMs === 0 ? [] : ['--import', shiftClock])]
  const processEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    COMMAND_TIMEOUT_MS: '30000', // a loaded CI machine is slow
    ...(clockShiftMs === 0 ? {} : { COFFEE_TEST_CLOCK_SHIFT_MS: String(clockShiftMs) }),
    ...env
  }
  // npm runs the service as its child: both go in a process group of their own, so a signal reaches the service.
  const proc = npmStart
    ? spawn('npm', ['start', '--silent'], { cwd: root, env: { ...processEnv, ...(clockShiftMs === 0 ? {} : { NODE_OPTIONS: imports.join(' ') }) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, [...imports, path.join(root, 'src/server.ts')], { cwd: root, env: processEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })))
  return { proc, output: () => output, exited }
}

/** Spawns the service and waits for "Server listening"; rejects with its output if it exits or stays silent. */
export async function startService (env: Record<string, string>, options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunningService> {
  const service = spawnService(env, options)
  const { proc, output } = service
  const timeoutMs = options.timeoutMs ?? 60_000
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      stopService(service, 'SIGKILL').catch(() => {})
      reject(new Error(`no "listening" within ${timeoutMs / 1000} s:\n${output()}`))
    }, timeoutMs)
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output())
      if (match !== null) { clearTimeout(timer); resolve(match[1]!) }
    }
    proc.stdout!.on('data', check)
    service.exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`exited with ${code ?? signal}:\n${output()}`)) }, reject)
  })
  return { ...service, url }
}

/** `npm start` with `env`, as startService: for the end-to-end suite. */
export async function startNpmService (env: Record<string, string>, options: Omit<SpawnOptions, 'npmStart'> & { timeoutMs?: number } = {}): Promise<RunningService> {
  return await startService(env, { ...options, npmStart: true })
}

/** Sends the signal (to the process group of an `npm start`) and resolves with how the process ended. */
export async function stopService (service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  const { proc } = service
  if (proc.exitCode !== null || proc.signalCode !== null) return service.exited
  if (proc.spawnargs[0] === 'npm' && proc.pid !== undefined) process.kill(-proc.pid, signal)
  else proc.kill(signal)
  return service.exited
}
