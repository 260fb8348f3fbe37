// Where Coffee's files are, for the database layer (and for scripts/build-if-stale.mjs, which cannot afford to load
// PGlite just to find them).
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The directory holding Coffee's package.json, found from this file whether it runs from src/ (tsx) or dist/ (tsc):
 * prisma/migrations and dist/pglite are found from there. Undefined if there is none (a bundled copy).
 */
export function packageRoot (): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The installed PGlite's version: a pre-initialised data directory only fits the Postgres it was made with. */
export function pgliteVersion (): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}

/** <package root>/dist/pglite/pgdata-<PGlite version>.tar.gz, which `npm run build` makes; null without a package root. */
export function defaultPgliteTemplate (): string | null {
  const root = packageRoot()
  return root === undefined ? null : path.join(root, 'dist', 'pglite', `pgdata-${pgliteVersion()}.tar.gz`)
}
