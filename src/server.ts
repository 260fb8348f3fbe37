// The process: read the environment once, open the database, apply migrations, listen, and shut down
// gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the database).
import 'dotenv/config'
import closeWithGrace from 'close-with-grace'
import pino from 'pino'
import { loadConfig, missingSettings, ConfigError } from './config.js'
import { loggerOptions } from './logger.js'
import { DataDirLockedError } from './db/data-dir-lock.js'
import { openDatabase } from './db/database.js'
import { applyMigrations } from './db/migrate.js'
import { createGateway } from './mattermost/gateway.js'
import { checkConnection } from './mattermost/connection.js'
import { buildApp } from './app.js'

async function main (): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78) // EX_CONFIG
    }
    throw error
  }
  const logger = pino(loggerOptions(config.logLevel))
  for (const missing of missingSettings(config)) logger.warn(`not configured: ${missing}`)

  let db
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: logger, timeoutMs: config.databaseTimeoutMs })
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      logger.fatal(error.message) // the message says who holds it and what to do: no stack trace
      process.exit(1)
    }
    throw error
  }
  try {
    const applied = await applyMigrations(db.sql, { log: logger })
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated')
  } catch (error) {
    logger.fatal({ err: error }, 'could not migrate the database')
    await db.close()
    process.exit(1)
  }
  logger.info({ database: db.kind, ...(db.kind === 'pglite' ? { dataDir: config.dataDir } : {}) }, 'database ready')

  const gateway = config.mattermost === undefined ? undefined : createGateway({ url: config.mattermost.url, token: config.mattermost.botToken, log: logger })
  const app = await buildApp({ config, db, gateway, logger })
  app.addHook('onClose', async () => { await db.close() })

  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error')
    else logger.info({ signal }, 'shutting down')
    await app.close()
  })

  await app.listen({ port: config.port, host: config.host })

  // One line that says whether the bot can work, so a wrong token or URL shows at start and not at the first round.
  if (gateway !== undefined) {
    const { state, detail } = await checkConnection(gateway, config.mattermost?.url)
    if (state === 'ok') logger.info({ mattermost: state }, detail)
    else logger.error({ mattermost: state }, detail)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
