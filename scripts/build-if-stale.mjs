// Builds (prisma generate + tsc + the embedded database's starting point) when dist/ is missing or older than the
// sources, so that `npm install && npm start` works on a fresh clone and `npm start` never runs stale code, while an
// up-to-date build starts at once.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const output = path.join(root, 'dist', 'server.js')

function newest (entry) {
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(entry).filter((name) => name !== 'generated').map((name) => newest(path.join(entry, name))))
}

const sources = ['src', 'prisma/schema.prisma', 'tsconfig.json', 'package-lock.json'].map((p) => path.join(root, p)).filter(existsSync)
const stale = !existsSync(output) || Math.max(...sources.map(newest)) > statSync(output).mtimeMs
if (!stale) {
  // The build is current; so is the embedded database's starting point, unless dist/ was built by tsc alone.
  const { defaultPgliteTemplate } = await import(pathToFileURL(path.join(root, 'dist', 'db', 'paths.js')).href)
  const template = defaultPgliteTemplate()
  if (template === null || existsSync(template)) process.exit(0)
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'pglite-template.mjs')], { cwd: root, stdio: 'inherit' })
  process.exit(result.status ?? 1)
}

try {
  createRequire(path.join(root, 'package.json')).resolve('typescript')
} catch {
  console.warn('coffee: dist/ is missing or stale, but the build tools (dev dependencies) are not installed: run `npm install` and `npm run build`.')
  process.exit(process.argv.includes('--required') ? 1 : 0)
}
console.log('coffee: building (prisma generate, tsc, dist/pglite)…')
const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
process.exit(result.status ?? 1)
