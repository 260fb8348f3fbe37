// `npm run mattermost -- build` builds (or finds) the server; `npm run mattermost -- start` also starts it, creates
// the first user (the system admin) and prints how to reach it, until Ctrl-C.
import { BuildError, ensureBuild, startMattermost } from './server.js'
import { bootstrapAdmin } from './provision.js'

const command = process.argv[2] ?? 'build'
const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

try {
  const build = ensureBuild((line) => console.log(line))
  console.log(`Mattermost: ${build.binary}`)
  if (command === 'start') {
    const server = await startMattermost(build, { postgresUrl, log: (line) => console.log(line) })
    const admin = await bootstrapAdmin(server.url)
    console.log(`Mattermost is running at ${server.url}; system admin ${admin.username} / ${admin.password}`)
    console.log(`TEST_MATTERMOST_URL=${admin.testUrl}`)
    const stop = () => { server.stop().then(() => process.exit(0), () => process.exit(1)) }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  } else if (command !== 'build') {
    console.error(`usage: npm run mattermost -- build | start (got "${command}")`)
    process.exit(2)
  }
} catch (error) {
  console.error(error instanceof BuildError ? `Mattermost could not be built: ${error.message}` : error)
  process.exit(1)
}
