// A fake Mattermost with a bot, a team and the channel the slash helpers talk about, plus the real gateway.
import type { Test } from 'tap'
import { startFakeMattermost, type FakeMattermost, type FakeMattermostOptions, type FakeUser } from './fake-mattermost.js'
import { createGateway } from '../../src/mattermost/gateway.js'
import { TEAM_ID, CHANNEL_ID, mmId } from './slash.js'

export interface MattermostWorld {
  mm: FakeMattermost
  bot: FakeUser
  botToken: string
  gateway: ReturnType<typeof createGateway>
  /** The user called `name` (id mmId(name)), created on first use and made a member of the channel. */
  person(name: string, options?: { admin?: boolean, channelId?: string, roles?: string }): FakeUser
  /** Mattermost settings as the app's environment. */
  env: Record<string, string>
}

export async function createMattermostWorld (t: Test, options: FakeMattermostOptions = {}): Promise<MattermostWorld> {
  const mm = await startFakeMattermost(options)
  t.teardown(() => mm.close())
  const { user: bot, token: botToken } = mm.addBot({ username: 'coffee' })
  mm.addTeam({ id: TEAM_ID, name: 'acme' })
  mm.addTeamMember(TEAM_ID, bot.id)
  mm.addChannel({ id: CHANNEL_ID, team_id: TEAM_ID, name: 'town-square', display_name: 'Town Square' })
  mm.addMember(CHANNEL_ID, bot.id)
  const gateway = createGateway({ url: mm.url, token: botToken, timeoutMs: 5000 })
  return {
    mm,
    bot,
    botToken,
    gateway,
    person (name, { admin = false, channelId = CHANNEL_ID, roles } = {}) {
      const user = mm.user(mmId(name)) ?? mm.addUser({ id: mmId(name), username: name, ...(roles !== undefined ? { roles } : {}) })
      mm.addTeamMember(TEAM_ID, user.id)
      if (mm.membership(channelId, user.id) === undefined) mm.addMember(channelId, user.id, { admin })
      return user
    },
    env: { MATTERMOST_URL: mm.url, MATTERMOST_BOT_TOKEN: botToken, PUBLIC_URL: 'http://coffee.test' }
  }
}

/** The app on a test database, wired to a fake Mattermost, with these people in the channel and joined. */
/**
 * `announce`: whether the channel's announcement of each round is on (Coffee's default). Off unless asked: these
 * worlds count the posts groups get, and test/rounds/announce.test.ts is where the channel's post is read.
 */
export async function createJoinedWorld (t: Test, names: readonly string[], options: { env?: Record<string, string>, seed?: number, maxInlineWaitMs?: number, announce?: boolean } = {}) {
  const { createTestApp } = await import('./app.js')
  const { say } = await import('./slash.js')
  const { startNow } = await import('./rounds.js')
  const { createRandom } = await import('../../src/core/matching/index.js')
  const world = await createMattermostWorld(t)
  const ctx = await createTestApp(t, {
    gateway: world.gateway,
    env: { ...world.env, ...options.env },
    random: createRandom(options.seed ?? 1),
    delivery: { retryDelaysMs: [1, 1], maxInlineWaitMs: options.maxInlineWaitMs ?? 2000 }
  })
  for (const name of names) {
    world.person(name)
    await say(ctx.app, 'join', { userName: name })
  }
  await startNow(ctx.db.prisma, ctx.clock.now())
  await ctx.db.prisma.program.updateMany({ data: { announce: options.announce ?? false } })
  return { ...world, ...ctx }
}
