// The server side of bench/http.ts, run as a child process (node --import tsx) so that the load generator does not
// share its event loop. It opens the database the way src/server.ts does (openDatabase + applyMigrations), and
// serves Coffee, built by buildApp with logging off, on a random port of 127.0.0.1.
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { IN_MEMORY, openDatabase, type DbLog } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrate.js'
import { SLASH_TOKEN } from '../../test/helpers/slash.js'
import { DATABASE_URL_ENV, type ChildMessage, type ParentMessage } from './protocol.js'

const silent: DbLog = { info () {}, warn () {} }

function send (message: ChildMessage): void {
  if (process.send === undefined) throw new Error('bench/lib/http-server.ts is started by bench/http.ts (it needs an IPC channel)')
  process.send(message)
}

async function main (): Promise<void> {
  const databaseUrl = process.env[DATABASE_URL_ENV] ?? ''
  const db = await openDatabase({ databaseUrl, dataDir: IN_MEMORY, log: silent })
  await applyMigrations(db.sql, { log: silent })

  // All the load comes from 127.0.0.1 under a few hundred user ids: the per-person rate limit stays on (its cost is
  // part of Coffee's) but at its maximum, so that it never answers 429.
  const config = loadConfig({ MATTERMOST_SLASH_TOKEN: SLASH_TOKEN, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' })
  const coffee = await buildApp({ config, db, logger: false })
  await coffee.listen({ host: '127.0.0.1', port: 0 })
  const address = coffee.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port')

  process.on('message', (message: ParentMessage) => {
    const answer = async (): Promise<void> => {
      if (message.type === 'users') {
        const participants = await db.prisma.participant.findMany({ select: { userId: true } })
        send({ type: 'users', userIds: participants.map((p) => p.userId) })
      } else if (message.type === 'close') {
        await coffee.close()
        await db.close()
        send({ type: 'closed' })
        process.disconnect()
      }
    }
    answer().catch((error: unknown) => send({ type: 'error', message: String((error as Error).stack ?? error) }))
  })

  send({ type: 'ready', port: address.port, database: db.kind })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: String((error as Error).stack ?? error) })
  process.exitCode = 1
  process.disconnect()
})
