// Builds the real app on a real (test) database for one tap test, torn down with it.
import type { Test } from 'tap'
import { buildApp, type AppDeps } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createManualClock } from '../../src/clock.js'
import { createTestDatabase } from './database.js'
import { SLASH_TOKEN } from './slash.js'

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef'

export function testConfig (env: Record<string, string> = {}): Config {
  // A generous command timeout: a loaded CI machine is slow; test/routes/database-outage.test.ts sets its own.
  return loadConfig({ MATTERMOST_SLASH_TOKEN: SLASH_TOKEN, ADMIN_TOKEN, LOG_LEVEL: 'silent', COMMAND_TIMEOUT_MS: '30000', ...env })
}

export interface TestAppOptions extends Partial<Omit<AppDeps, 'db' | 'config'>> {
  env?: Record<string, string>
  now?: string
}

export async function createTestApp (t: Test, options: TestAppOptions = {}) {
  const { env, now = '2026-11-23T09:00:00Z', ...deps } = options
  const { db, url } = await createTestDatabase(t)
  const clock = createManualClock(now)
  const config = testConfig(env)
  const app = await buildApp({ config, db, clock, ...deps })
  t.teardown(() => app.close())
  return { app, db, clock, config, url }
}
