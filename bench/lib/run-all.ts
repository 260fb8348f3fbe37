// npm run bench: runs every bench:* script of package.json in turn (in the order they are listed) and fails if any
// of them failed. New benchmarks only need their bench:<name> script. Options differ between benchmarks, so none
// are passed on: run a single benchmark (npm run bench:<name> -- …) to give it options.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts?: Record<string, string> }
const names = Object.keys(manifest.scripts ?? {}).filter((name) => name.startsWith('bench:'))
if (process.argv.length > 2) {
  process.stderr.write('npm run bench takes no options (each benchmark has its own): use npm run bench:<name> -- <options>\n')
  process.exit(2)
}
const failed: string[] = []
for (const name of names) {
  process.stderr.write(`\n=== npm run ${name}\n`)
  const result = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.status !== 0) failed.push(name)
}
process.stderr.write(`\n${failed.length === 0 ? `all ${names.length} benchmarks ran` : `failed: ${failed.join(', ')}`}\n`)
if (failed.length > 0) process.exitCode = 1
