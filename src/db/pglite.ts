// Starts the embedded database (PGlite) light. A new data directory is filled from a pre-initialised one, a tarball
// that `npm run build` makes (scripts/pglite-template.mjs) in a process of its own: PGlite's initdb, which would
// otherwise run here, starts a second Postgres and initdb beside the first and takes the process to ~830 MB at
// once. And Postgres runs with small shared buffers: it fills all of them at start, 145 MB with initdb's 128 MB.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { DbLog } from './database.js'
import { defaultPgliteTemplate } from './paths.js'

/**
 * Postgres settings for the embedded database, on top of PGlite's own. Command-line settings win over the
 * postgresql.conf that initdb wrote, so they apply to existing data directories too.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  // 16 MB: the whole database of a team fits, and the process rests at ~240 MB instead of ~380.
  shared_buffers: '16MB'
})

export function pgliteStartParams (): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])]
}

/**
 * Makes a pre-initialised data directory at file (a gzipped tarball, written atomically): runs initdb, in this
 * process, so call it from a build step rather than from the service. Returns its size in bytes.
 */
export async function createPgliteTemplate (file: string, prepare?: (pglite: PGlite) => Promise<void>): Promise<number> {
  const pglite = await PGlite.create()
  try {
    await prepare?.(pglite)
    await pglite.exec('CHECKPOINT') // so that a database started from it has no WAL to replay
    const bytes = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer())
    mkdirSync(path.dirname(file), { recursive: true })
    const draft = `${file}.${process.pid}.tmp`
    writeFileSync(draft, bytes)
    renameSync(draft, file)
    return bytes.length
  } finally {
    await pglite.close()
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
 * Opens PGlite on dir, filling it from the template first if it holds no database yet. A first start that died
 * half-way (it leaves <dir>.creating behind) is started over: nothing but the template can be in dir then.
 */
export async function startPglite (options: StartPgliteOptions): Promise<PGlite> {
  const { dir, log } = options
  const templateFile = options.template ?? defaultPgliteTemplate()
  const startParams = pgliteStartParams()
  if (dir === undefined) return PGlite.create({ startParams, loadDataDir: readTemplate(templateFile) })

  const creating = `${dir}.creating`
  if (existsSync(creating)) {
    log.warn({ dir }, 'the first start on this data directory did not finish creating the database: creating it again')
    rmSync(dir, { recursive: true, force: true })
  }
  if (existsSync(path.join(dir, 'PG_VERSION'))) return PGlite.create({ dataDir: dir, startParams })

  const template = readTemplate(templateFile)
  if (template === undefined) {
    log.warn({ dir, template: templateFile }, 'no pre-initialised database for this PGlite version (`npm run build` makes it): ' +
      'running initdb in this process, which takes about 800 MB of memory once')
  } else {
    log.info({ dir, template: templateFile }, 'creating the embedded database from the pre-initialised one')
  }
  writeFileSync(creating, `${process.pid}\n`)
  mkdirSync(dir, { recursive: true })
  const pglite = await PGlite.create({ dataDir: dir, startParams, loadDataDir: template })
  rmSync(creating, { force: true })
  return pglite
}

function readTemplate (file: string | null): Blob | undefined {
  if (file === null) return undefined
  try {
    return new Blob([readFileSync(file)], { type: 'application/gzip' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
