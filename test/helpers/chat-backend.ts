// The Mattermost a gateway test talks to: the fake (fast, the default), or the real server named by
// TEST_MATTERMOST_URL, as a test's database is PGlite or the server named by TEST_DATABASE_URL. Both are set up the
// same way, through what each offers: the fake's own methods, the real server's API as its system admin.
import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { GatewayError } from '../../src/mattermost/gateway.js'
import { startFakeMattermost, type FakeMattermost } from './fake-mattermost.js'
import { connectServer, testMattermostUrl } from './real-mattermost.js'
import { createClient, type Client } from '../../scripts/mattermost/provision.js'

const PASSWORD = 'Coffee-gateway-1'

export interface BackendUser {
  id: string
  username: string
}

export interface BackendChannel {
  id: string
  team_id: string
  name: string
  display_name: string
}

export interface BackendPost {
  id: string
  user_id: string
  channel_id: string
  root_id: string
  message: string
  props: Record<string, unknown>
}

export interface ChatBackend {
  kind: 'fake' | 'real'
  url: string
  bot: BackendUser & { token: string }
  /** The fake itself, for what only it can do (counting requests); undefined on the real server. */
  fake: FakeMattermost | undefined
  addUser(input?: { first_name?: string, last_name?: string, nickname?: string }): Promise<BackendUser>
  /** A public channel of the bot's team (private with `private: true`) that nobody is a member of yet. */
  addChannel(name: string, options?: { private?: boolean }): Promise<BackendChannel>
  addMember(channelId: string, userId: string, options?: { admin?: boolean }): Promise<void>
  removeMember(channelId: string, userId: string): Promise<void>
  deactivate(userId: string): Promise<void>
  /** A post by someone other than the bot. */
  addPost(channelId: string, userId: string, message: string, props?: Record<string, unknown>): Promise<void>
  post(id: string): Promise<BackendPost>
  /** Posts of a channel, oldest first. */
  posts(channelId: string): Promise<BackendPost[]>
  channelType(id: string): Promise<string>
  memberIds(channelId: string): Promise<string[]>
}

export async function createChatBackend (t: Test): Promise<ChatBackend> {
  const url = testMattermostUrl()
  return url === undefined ? await fakeBackend(t) : await realBackend(t, url)
}

async function fakeBackend (t: Test): Promise<ChatBackend> {
  const mm = await startFakeMattermost()
  t.teardown(() => mm.close())
  const { user, token } = mm.addBot({ username: 'coffee' })
  const named = new Map<string, string>()
  return {
    kind: 'fake',
    url: mm.url,
    bot: { id: user.id, username: user.username, token },
    fake: mm,
    async addUser (input = {}) {
      const u = mm.addUser(input)
      return { id: u.id, username: u.username }
    },
    async addChannel (name, options = {}) {
      const c = mm.addChannel({ name, type: options.private === true ? 'P' : 'O' })
      // The bot is in the channel's team, as the real backend's bot is in its team.
      mm.addTeamMember(c.team_id, user.id)
      named.set(c.id, name)
      return { id: c.id, team_id: c.team_id, name: c.name, display_name: c.display_name }
    },
    async addMember (channelId, userId, options = {}) { mm.addMember(channelId, userId, options) },
    async removeMember (channelId, userId) { mm.removeMember(channelId, userId) },
    async deactivate (userId) { mm.deactivate(userId) },
    async addPost (channelId, userId, message, props) { mm.addPost({ channel_id: channelId, user_id: userId, message, ...(props === undefined ? {} : { props }) }) },
    async post (id) { return mm.post(id)! },
    async posts (channelId) { return mm.posts(channelId) },
    async channelType (id) { return mm.channel(id)!.type },
    async memberIds (channelId) { return mm.memberIds(channelId) }
  }
}

async function realBackend (t: Test, testUrl: string): Promise<ChatBackend> {
  const { url, admin } = await connectServer(testUrl)
  const suffix = randomBytes(3).toString('hex')
  const me = await admin.getMe()
  const team = await admin.createTeam({ name: `gateway-${suffix}`, display_name: `Gateway ${suffix}`, type: 'O' } as Parameters<typeof admin.createTeam>[0])
  const bot = await admin.createBot({ username: `coffee-${suffix}`, display_name: 'Coffee' })
  const { token } = await admin.createUserAccessToken(bot.user_id, 'gateway tests')
  await admin.addToTeam(team.id, bot.user_id)
  const created: string[] = []
  t.teardown(async () => {
    for (const id of created) await admin.updateUserActive(id, false).catch(() => {})
    await admin.disableBot(bot.user_id).catch(() => {})
  })
  let users = 0
  const sessions = new Map<string, Client>()
  const usernames = new Map<string, string>()
  return {
    kind: 'real',
    url,
    bot: { id: bot.user_id, username: bot.username, token: token! },
    fake: undefined,
    async addUser (input = {}) {
      const username = `u${++users}-${suffix}`
      const user = await admin.createUser({ username, email: `${username}@example.com`, password: PASSWORD, ...input } as Parameters<typeof admin.createUser>[0], '', '')
      created.push(user.id)
      usernames.set(user.id, username)
      await admin.addToTeam(team.id, user.id)
      return { id: user.id, username }
    },
    async addChannel (name, options = {}) {
      const channel = await admin.createChannel({ team_id: team.id, name: `${name}-${suffix}`, display_name: name, type: options.private === true ? 'P' : 'O' })
      await admin.removeFromChannel(me.id, channel.id)
      return { id: channel.id, team_id: channel.team_id, name: channel.name, display_name: channel.display_name }
    },
    async addMember (channelId, userId, { admin: channelAdmin = false } = {}) {
      await admin.addToChannel(userId, channelId)
      if (channelAdmin) await admin.updateChannelMemberSchemeRoles(channelId, userId, true, true)
    },
    async removeMember (channelId, userId) { await admin.removeFromChannel(userId, channelId) },
    async deactivate (userId) { await admin.updateUserActive(userId, false) },
    async addPost (channelId, userId, message, props) {
      let client = sessions.get(userId)
      if (client === undefined) {
        client = createClient(url)
        await client.login(usernames.get(userId)!, PASSWORD)
        sessions.set(userId, client)
      }
      await client.createPost({ channel_id: channelId, message, ...(props === undefined ? {} : { props }) } as Parameters<typeof admin.createPost>[0])
    },
    async post (id) { return await admin.getPost(id) as unknown as BackendPost },
    async posts (channelId) {
      const list = await admin.getPosts(channelId, 0, 200)
      return list.order.map((id) => list.posts[id]!).filter((p) => p.type === '').reverse() as unknown as BackendPost[]
    },
    async channelType (id) { return (await admin.getChannel(id)).type },
    async memberIds (channelId) { return (await admin.getChannelMembers(channelId, 0, 200)).map((m) => m.user_id) }
  }
}

/** The GatewayError a gateway call fails with; fails the test if it succeeds or throws anything else. */
export async function gatewayFailure (promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof GatewayError) return error
    throw error
  }
  throw new Error('expected a GatewayError')
}
