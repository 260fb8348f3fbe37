// npm run bench [-- args]: runs every bench:* script of package.json in turn (in the order they are listed),
// passing the arguments on, and fails if any of them failed. New benchmarks only need their bench:<name> script.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts?: Record<string, string> }
const names = Object.keys(manifest.scripts ?? {}).filter((name) => name.startsWith('bench:'))
const forwarded = process.argv.slice(2)
const failed: string[] = []
for (const name of names) {
  process.stderr.write(`\n=== npm run ${name}${forwarded.length > 0 ? ` -- ${forwarded.join(' ')}` : ''}\n`)
  const result = spawnSync('npm', ['run', '--silent', name, ...(forwarded.length > 0 ? ['--', ...forwarded] : [])], { stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.status !== 0) failed.push(name)
}
if (failed.length > 0) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}
