// Starts the embedded database (PGlite) light. A new data directory is unpacked from a pre-initialised one, a
// tarball that `npm run build` makes (scripts/pglite-template.mjs) in a process of its own: PGlite's initdb, which
// would otherwise run here, starts a second Postgres and initdb beside the first and takes the process past 800 MB
// once. And Postgres runs with small shared buffers: it touches all of them at start, 145 MB with initdb's 128 MB.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import * as tar from 'tar'
import type { DbLog } from './database.js'
import { defaultPgliteTemplate } from './paths.js'

/**
 * Postgres settings for the embedded database, on top of PGlite's own. Command-line settings win over the
 * postgresql.conf that initdb wrote, so they apply to existing data directories too.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  // 16 MB: the whole database of a team fits, and the service rests at ~250 MB instead of ~380 (bench:memory).
  shared_buffers: '16MB'
})

export function pgliteStartParams (): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])]
}

/**
 * Makes a pre-initialised data directory at file, a gzipped tarball (written atomically) of a new cluster that was
 * shut down cleanly, so that a database started from it has nothing to recover. Runs initdb in this process: call it
 * from a build step (scripts/pglite-template.mjs), not from the service. Returns the tarball's size in bytes.
 */
export async function createPgliteTemplate (file: string, prepare?: (pglite: PGlite) => Promise<void>): Promise<number> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'coffee-pglite-'))
  try {
    const pglite = await PGlite.create({ dataDir: scratch })
    try {
      await prepare?.(pglite)
    } finally {
      await pglite.close()
    }
    mkdirSync(path.dirname(file), { recursive: true })
    const draft = `${file}.${process.pid}.tmp`
    // Plain ustar (noPax), which PGlite's own loadDataDir reads too: in-memory databases start from the same file.
    await tar.create({ file: draft, cwd: scratch, gzip: true, portable: true, noPax: true }, readdirSync(scratch))
    renameSync(draft, file)
    return statSync(file).size
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

export interface StartPgliteOptions {
  /** The cluster's directory (DATA_DIR/pglite), or undefined for a database in memory. */
  dir?: string | undefined
  /** The pre-initialised data directory (default defaultPgliteTemplate()); without one, initdb runs here. */
  template?: string | undefined
  log: DbLog
}

/**
 * Opens PGlite on dir, unpacking the template there first if it holds no database yet. The template is unpacked
 * as a stream (PGlite's loadDataDir holds the whole tarball, twice, and leaves the process ~80 MB larger) into
 * <dir>.creating, renamed to dir once complete: a first start that dies half-way leaves no half-made database.
 */
export async function startPglite (options: StartPgliteOptions): Promise<PGlite> {
  const { dir, log } = options
  const templateFile = options.template ?? defaultPgliteTemplate()
  const startParams = pgliteStartParams()
  if (dir === undefined) return PGlite.create({ startParams, loadDataDir: readTemplate(templateFile) })

  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    if (templateFile !== null && existsSync(templateFile)) {
      log.info({ dir, template: templateFile }, 'creating the embedded database from the pre-initialised one')
      await unpackTemplate(templateFile, dir)
    } else {
      log.warn({ dir, template: templateFile }, 'no pre-initialised database for this PGlite version (`npm run build` makes it): ' +
        'running initdb in this process, which takes about 800 MB of memory once')
    }
  }
  return PGlite.create({ dataDir: dir, startParams })
}

async function unpackTemplate (file: string, dir: string): Promise<void> {
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0) throw new Error(`${dir} holds files but no database (no PG_VERSION): move it out of the way and start again`)
    rmdirSync(dir)
  }
  const staging = `${dir}.creating`
  rmSync(staging, { recursive: true, force: true }) // left by a first start that died half-way
  mkdirSync(staging, { recursive: true })
  try {
    await tar.extract({ file, cwd: staging, strict: true })
  } catch (error) {
    throw new Error(`could not unpack the pre-initialised database ${file}: ${(error as Error).message}`, { cause: error })
  }
  renameSync(staging, dir)
}

/** The template for PGlite's loadDataDir (in memory, where its cost does not matter), if there is one. */
function readTemplate (file: string | null): Blob | undefined {
  if (file === null || !existsSync(file)) return undefined
  return new Blob([readFileSync(file)], { type: 'application/gzip' })
}
