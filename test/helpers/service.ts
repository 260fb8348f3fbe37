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
}

/** Spawns the service with only PATH, HOME, PORT=0, HOST=127.0.0.1, LOG_LEVEL=info and `env`. */
export function spawnService (env: Record<string, string>, { clockShiftMs = 0 }: SpawnOptions = {}): ServiceProcess {
  const imports = ['--import', 'tsx', ...(clockShiftMs === 0 ? [] : ['--import', shiftClock])]
  const proc = spawn(process.execPath, [...imports, path.join(root, 'src/server.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...(clockShiftMs === 0 ? {} : { COFFEE_TEST_CLOCK_SHIFT_MS: String(clockShiftMs) }),
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
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
      proc.kill('SIGKILL')
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

/** Sends the signal and resolves with how the process ended. */
export async function stopService (service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  service.proc.kill(signal)
  return service.exited
}
