// Runs `prisma generate`. The Prisma CLI downloads its schema-engine binary before most commands even though
// generate never uses it; where that download is impossible (offline, locked-down CI) pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips it. The generated client needs no binary at run time.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const env = { ...process.env }
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url)
env.PRISMA_HIDE_UPDATE_MESSAGE = '1'
const result = spawnSync('prisma', ['generate', ...process.argv.slice(2)], { stdio: 'inherit', env, shell: process.platform === 'win32' })
process.exit(result.status ?? 1)
