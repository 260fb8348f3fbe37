// The server side of bench/http.ts, run as a child process (node --import tsx) so that the load generator does not
// share its event loop. It opens the database the way src/server.ts does (openDatabase + applyMigrations), then
// listens on two random ports of 127.0.0.1:
//   - Coffee itself, built by buildApp, with logging off (both servers log nothing, so neither pays for it);
//   - a bare Fastify with the same body parser and one route, POST /baseline, that inserts one row per request
//     through the same Prisma client (same driver adapter, same pool): the floor Coffee is compared with.
import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import { buildApp, BODY_LIMIT } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { IN_MEMORY, openDatabase, type DbLog } from '../../src/db/database.js'
import { applyMigrations } from '../../src/db/migrate.js'
import { SLASH_TOKEN } from '../../test/helpers/slash.js'
import { BASELINE_TABLE, DATABASE_URL_ENV, type ChildMessage, type ParentMessage } from './protocol.js'

const silent: DbLog = { info () {}, warn () {} }

function send (message: ChildMessage): void {
  if (process.send === undefined) throw new Error('bench/lib/http-server.ts is started by bench/http.ts (it needs an IPC channel)')
  process.send(message)
}

async function main (): Promise<void> {
  const databaseUrl = process.env[DATABASE_URL_ENV] ?? ''
  const db = await openDatabase({ databaseUrl, dataDir: IN_MEMORY, log: silent })
  await applyMigrations(db.sql, { log: silent })
  await db.sql.exec(`CREATE TABLE ${BASELINE_TABLE} (id bigserial PRIMARY KEY, user_id text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())`)

  // All the load comes from 127.0.0.1, as all slash commands come from the Mattermost server in production: the
  // per-address rate limit stays on (its cost is part of Coffee's) but at its maximum, so that it never answers 429.
  const config = loadConfig({ MATTERMOST_SLASH_TOKEN: SLASH_TOKEN, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' })
  const coffee = await buildApp({ config, db, logger: false })

  const baseline = Fastify({ logger: false, bodyLimit: BODY_LIMIT })
  await baseline.register(formbody, { bodyLimit: BODY_LIMIT })
  baseline.post('/baseline', async (request) => {
    const fields = request.body as Record<string, unknown>
    const userId = typeof fields.user_id === 'string' ? fields.user_id : ''
    await db.prisma.$executeRaw`INSERT INTO bench_baseline (user_id) VALUES (${userId})`
    return { response_type: 'ephemeral', text: 'ok' }
  })

  await coffee.listen({ host: '127.0.0.1', port: 0 })
  await baseline.listen({ host: '127.0.0.1', port: 0 })
  const portOf = (app: FastifyInstance): number => {
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port')
    return address.port
  }

  process.on('message', (message: ParentMessage) => {
    const answer = async (): Promise<void> => {
      if (message.type === 'users') {
        const participants = await db.prisma.participant.findMany({ select: { userId: true } })
        const [row] = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${BASELINE_TABLE}`)
        send({ type: 'users', userIds: participants.map((p) => p.userId), baselineRows: Number(row?.n ?? 0) })
      } else if (message.type === 'cpu') {
        const { user, system } = process.cpuUsage()
        send({ type: 'cpu', micros: user + system })
      } else if (message.type === 'close') {
        await coffee.close()
        await baseline.close()
        await db.close()
        send({ type: 'closed' })
        process.disconnect() // lets the process exit on its own, which writes a --cpu-prof profile
      }
    }
    answer().catch((error: unknown) => send({ type: 'error', message: String((error as Error).stack ?? error) }))
  })

  send({ type: 'ready', coffeePort: portOf(coffee), baselinePort: portOf(baseline), database: db.kind })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: String((error as Error).stack ?? error) })
  process.exitCode = 1
  process.disconnect()
})
