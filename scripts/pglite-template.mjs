// Makes the embedded database's starting point, dist/pglite/pgdata-<PGlite version>.tar.gz: an empty Postgres
// cluster straight from initdb, which a new DATA_DIR is filled from at start (src/db/pglite.ts). initdb takes ~800 MB
// for a few seconds, so it runs here, once per build and PGlite version, rather than in the service. Runs after tsc
// (`npm run build`); does nothing when the file is already there. Older versions' files are removed.
import { readdirSync, rmSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { defaultPgliteTemplate } = await import(pathToFileURL(path.join(root, 'dist', 'db', 'paths.js')).href)

const file = defaultPgliteTemplate()
if (existsSync(file)) process.exit(0)
const started = Date.now()
const { createPgliteTemplate } = await import(pathToFileURL(path.join(root, 'dist', 'db', 'pglite.js')).href)
const bytes = await createPgliteTemplate(file)
for (const name of readdirSync(path.dirname(file))) {
  if (name !== path.basename(file)) rmSync(path.join(path.dirname(file), name), { force: true })
}
console.log(`coffee: made ${path.relative(root, file)} (${(bytes / 1048576).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
