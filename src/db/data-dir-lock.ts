// Keeps a second process off an embedded database that is already open: two PGlite instances writing one data
// directory corrupt it. The lock is a directory, <dataDir>/pglite.lock, holding one claim file per process that
// wants the database. A process publishes its claim, then looks for claims of other live processes: if there are
// none it holds the lock, otherwise it withdraws its claim. Of two processes starting together, the later of the
// two to publish always sees the other's claim, so at most one of them wins (both may withdraw, and then retry).
// Claims of dead processes (a kill -9, a crash, a power cut) are removed by whoever finds them. No process ever
// removes the claim of a live one, which is what makes the takeover of a stale lock safe: there is no moment where
// a lock is checked, found stale, and deleted while someone else has just replaced it.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Who holds (or wants) the data directory, as written in its claim. */
export interface LockHolder {
  pid: number
  hostname: string
  /** ISO time the claim was made. */
  startedAt: string
  /** Linux's boot id, to tell a claim from before a reboot; absent elsewhere. */
  bootId?: string | undefined
}

/** openDatabase throws this when another live process (or this one) has the embedded database open. */
export class DataDirLockedError extends Error {
  readonly code = 'ERR_COFFEE_DATA_DIR_LOCKED'
  constructor (readonly dataDir: string, readonly lockPath: string, readonly holder: LockHolder) {
    const local = holder.hostname === os.hostname()
    const database = `the embedded database in DATA_DIR ${dataDir}`
    super(local && holder.pid === process.pid
      ? `this process (pid ${holder.pid}) already has ${database} open: close that first`
      : `another Coffee process (pid ${holder.pid}${local ? '' : ` on ${holder.hostname}`}, started ${holder.startedAt}) is ` +
        `using ${database}; stop it, or set DATABASE_URL to share a Postgres between instances. If no such process is ` +
        `running any more, remove ${lockPath}`)
    this.name = 'DataDirLockedError'
  }
}

export interface DataDirLock {
  /** Withdraws this process's claim. Safe to call more than once; also runs when the process exits. */
  release (): void
}

export interface LockLog {
  warn (obj: object, msg?: string): void
}

/** Rounds of publish-and-look before giving up when other processes keep starting at the same moment. */
const ATTEMPTS = 5
/** A claim older than this is a holder, not a process starting at the same time as this one: no point retrying. */
const SETTLED_MS = 2_000

/** Takes the lock on dataDir's embedded database, or throws DataDirLockedError naming the process that has it. */
export async function lockDataDir (dataDir: string, log?: LockLog): Promise<DataDirLock> {
  const lockPath = path.join(path.resolve(dataDir), 'pglite.lock')
  mkdirSync(lockPath, { recursive: true })
  for (let attempt = 1; ; attempt++) {
    const mine = publishClaim(lockPath)
    const others = liveClaims(lockPath, mine.file, log)
    if (others.length === 0) return holdClaim(mine.file)
    unlinkIfPresent(mine.file)
    const first = others.reduce((a, b) => (Date.parse(a.startedAt) <= Date.parse(b.startedAt) ? a : b))
    if (attempt >= ATTEMPTS || mine.startedAtMs - Date.parse(first.startedAt) > SETTLED_MS) {
      throw new DataDirLockedError(path.resolve(dataDir), lockPath, first)
    }
    await sleep(10 + Math.random() * 90 * attempt)
  }
}

function publishClaim (lockPath: string): { file: string, startedAtMs: number } {
  const startedAtMs = Date.now()
  const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date(startedAtMs).toISOString(), bootId: bootId() }
  const name = `${process.pid}-${startedAtMs}-${randomBytes(4).toString('hex')}`
  const file = path.join(lockPath, `${name}.json`)
  // Written under a name nobody reads, then renamed: a claim is never seen half-written.
  const draft = path.join(lockPath, `.${name}.tmp`)
  try {
    writeFileSync(draft, `${JSON.stringify(holder)}\n`, { flag: 'wx' })
    renameSync(draft, file)
  } catch (error) {
    rmSync(draft, { force: true })
    throw error
  }
  return { file, startedAtMs }
}

/** Other processes' claims whose process is (or may be) alive; removes those of dead processes on the way. */
function liveClaims (lockPath: string, mine: string, log: LockLog | undefined): LockHolder[] {
  const live: LockHolder[] = []
  for (const name of readdirSync(lockPath)) {
    const file = path.join(lockPath, name)
    if (!name.endsWith('.json') || file === mine) continue
    let holder: LockHolder | undefined
    try {
      holder = parseHolder(readFileSync(file, 'utf8'))
    } catch (error) {
      if (isCode(error, 'ENOENT')) continue // withdrawn meanwhile
      throw error
    }
    if (holder !== undefined && isAlive(holder)) {
      live.push(holder)
    } else {
      unlinkIfPresent(file)
      log?.warn({ lock: file, holder }, 'removed the stale lock of a process that is gone')
    }
  }
  return live
}

function parseHolder (text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>
    const { pid, hostname, startedAt, bootId } = value
    if (!Number.isSafeInteger(pid) || pid! <= 0 || typeof hostname !== 'string' || typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) return undefined
    return { pid: pid!, hostname, startedAt, bootId: typeof bootId === 'string' ? bootId : undefined }
  } catch {
    return undefined // not a claim this code wrote (claims are never seen half-written): nobody holds it
  }
}

/**
 * Whether the process behind a claim may still be running. A claim from another host (or another container, which
 * has its own process ids) cannot be checked, so it counts as alive.
 */
function isAlive (holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return true
  const boot = bootId()
  if (holder.bootId !== undefined && boot !== undefined && holder.bootId !== boot) return false // before a reboot
  // Our own pid: another open in this process, or the claim of an earlier process that had the same pid (a
  // restarted container numbers its processes the same way each time).
  if (holder.pid === process.pid) return Date.parse(holder.startedAt) >= Math.floor(performance.timeOrigin)
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return isCode(error, 'EPERM') // alive, but someone else's
  }
}

function holdClaim (file: string): DataDirLock {
  const release = (): void => {
    process.off('exit', release)
    try {
      rmSync(file, { force: true })
    } catch {
      // A claim left behind (the directory went read-only, say) is a dead process's by the next start: taken over.
    }
  }
  process.on('exit', release)
  return { release }
}

function bootId (): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return undefined
  }
}

function unlinkIfPresent (file: string): void {
  try {
    unlinkSync(file)
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error
  }
}

function isCode (error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code
}
