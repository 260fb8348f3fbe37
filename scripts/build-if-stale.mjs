// Builds (prisma generate + tsc) when dist/ is missing or older than the sources, so that `npm install && npm start`
// works on a fresh clone and `npm start` never runs stale code, while an up-to-date build starts at once.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const output = path.join(root, 'dist', 'server.js')

function newest (entry) {
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(entry).filter((name) => name !== 'generated').map((name) => newest(path.join(entry, name))))
}

const sources = ['src', 'prisma/schema.prisma', 'tsconfig.json', 'package-lock.json'].map((p) => path.join(root, p)).filter(existsSync)
const stale = !existsSync(output) || Math.max(...sources.map(newest)) > statSync(output).mtimeMs
if (!stale) process.exit(0)

try {
  createRequire(path.join(root, 'package.json')).resolve('typescript')
} catch {
  console.warn('coffee: dist/ is missing or stale, but the build tools (dev dependencies) are not installed: run `npm install` and `npm run build`.')
  process.exit(process.argv.includes('--required') ? 1 : 0)
}
console.log('coffee: building (prisma generate + tsc)…')
const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
process.exit(result.status ?? 1)
