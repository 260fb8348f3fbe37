import t from 'tap'
import path from 'node:path'
import { loadConfig, missingSettings, ConfigError } from '../src/config.js'

t.test('defaults make a fresh clone run with nothing set', async (t) => {
  const config = loadConfig({}, { cwd: '/srv/coffee' })
  t.equal(config.port, 3000)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.databaseUrl, undefined)
  t.equal(config.dataDir, path.resolve('/srv/coffee', 'data'))
  t.equal(config.mattermost, undefined)
  t.same(config.slashTokens, [])
  t.equal(config.logLevel, 'info')
  t.ok(Object.isFrozen(config), 'config is frozen')
  t.equal(missingSettings(config).length, 4, 'every missing Mattermost setting is named')
})

t.test('a full configuration is read and normalised', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '127.0.0.1',
    DATABASE_URL: 'postgres://coffee:secret@db:5432/coffee',
    DATA_DIR: '/var/lib/coffee',
    MATTERMOST_URL: 'https://chat.example.com/',
    MATTERMOST_BOT_TOKEN: 'bottoken',
    MATTERMOST_SLASH_TOKEN: ' one, two ,,three ',
    PUBLIC_URL: 'https://coffee.example.com//',
    ADMIN_TOKEN: '0123456789abcdef',
    LOG_LEVEL: 'DEBUG',
    TRUST_PROXY: 'yes'
  })
  t.equal(config.port, 8080)
  t.equal(config.databaseUrl, 'postgres://coffee:secret@db:5432/coffee')
  t.same(config.mattermost, { url: 'https://chat.example.com', botToken: 'bottoken' })
  t.same(config.slashTokens, ['one', 'two', 'three'])
  t.equal(config.publicUrl, 'https://coffee.example.com')
  t.equal(config.logLevel, 'debug')
  t.equal(config.trustProxy, true)
  t.same(missingSettings(config), [])
})

t.test('every malformed variable is named in one error', async (t) => {
  const error = t.throws(() => loadConfig({
    PORT: 'eighty',
    DATABASE_URL: 'mysql://root:hunter2@db/coffee',
    MATTERMOST_URL: 'not a url',
    ADMIN_TOKEN: 'short',
    LOG_LEVEL: 'loud',
    TRUST_PROXY: 'maybe',
    DELIVERY_CONCURRENCY: '0'
  })) as ConfigError
  t.type(error, ConfigError)
  t.equal(error.problems.length, 7)
  t.match(error.message, /PORT must be a whole number/)
  t.match(error.message, /DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//)
  t.notMatch(error.message, /hunter2/, 'passwords in URLs are not echoed')
  t.match(error.message, /MATTERMOST_URL is not a valid URL/)
  t.match(error.message, /ADMIN_TOKEN must be at least 16 characters/)
  t.match(error.message, /LOG_LEVEL must be one of/)
  t.match(error.message, /TRUST_PROXY must be true or false/)
  t.match(error.message, /DELIVERY_CONCURRENCY must be a whole number from 1 to 64/)
})

t.test('a bot token without a URL leaves Mattermost unconfigured', async (t) => {
  const config = loadConfig({ MATTERMOST_BOT_TOKEN: 'x' })
  t.equal(config.mattermost, undefined)
  t.match(missingSettings(config)[0], /MATTERMOST_URL and MATTERMOST_BOT_TOKEN/)
})
