// A real Mattermost for a test, named like a database by TEST_MATTERMOST_URL (http://admin:password@host:port; see
// `npm run test:e2e`). Each world is set up through Mattermost's own API as README tells an admin to: its own team
// and public channel, a bot with an access token, the /coffee slash command pointing at a Coffee started with
// `npm start`, and people who log in and type commands. Everything it creates is deactivated at teardown, since an
// unlicensed server caps active users at 250.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { createClient, type Client } from '../../scripts/mattermost/provision.js'
import { freePort } from '../../scripts/mattermost/server.js'
import { createServerDatabase, testServerUrl } from './database.js'
import { startNpmService, stopService, type RunningService } from './service.js'

export type { Client } from '../../scripts/mattermost/provision.js'

const PASSWORD = 'Coffee-e2e-person-1'
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef'

/** The real server tests may use, or undefined (the tests that need one then skip). */
export function testMattermostUrl (): string | undefined {
  const url = process.env.TEST_MATTERMOST_URL
  return url === undefined || url === '' ? undefined : url
}

export interface Server {
  /** The base URL, without credentials. */
  url: string
  /** Logged in as the system admin named in TEST_MATTERMOST_URL. */
  admin: Client
}

const servers = new Map<string, Promise<Server>>()

export function connectServer (testUrl: string): Promise<Server> {
  let server = servers.get(testUrl)
  if (server === undefined) {
    server = (async () => {
      const parsed = new URL(testUrl)
      const username = decodeURIComponent(parsed.username)
      const password = decodeURIComponent(parsed.password)
      parsed.username = ''
      parsed.password = ''
      const url = parsed.toString().replace(/\/$/, '')
      const admin = createClient(url)
      await admin.login(username, password)
      return { url, admin }
    })()
    servers.set(testUrl, server)
  }
  return server
}

export interface Person {
  id: string
  username: string
  /** Logged in as this person. */
  client: Client
}

export interface Bot {
  id: string
  username: string
  token: string
  client: Client
}

export interface Channel {
  id: string
  name: string
  display_name: string
  team_id: string
  type: string
}

export interface CommandResponse {
  response_type?: string
  text?: string
  [key: string]: unknown
}

export interface Coffee extends RunningService {
  env: Record<string, string>
}

export interface World {
  server: Server
  team: { id: string, name: string }
  /** A public channel the bot is in. */
  channel: Channel
  bot: Bot
  /** The /coffee command's token. */
  slashToken: string
  /** A unique suffix for names on the shared server. */
  suffix: string
  /** Creates a person in the team (and in `channels`, default the world's channel), logged in. */
  person(name: string, options?: { channels?: Channel[], systemAdmin?: boolean }): Promise<Person>
  /** Many people at once (no login), members of the team and of `channel`. */
  people(names: readonly string[], channel?: Channel): Promise<Person[]>
  createChannel(name: string, type: 'O' | 'P', options?: { withBot?: boolean }): Promise<Channel>
  makeChannelAdmin(channel: Channel, person: Person): Promise<void>
  /** Types `/coffee <text>` as this person, through POST /api/v4/commands/execute: Mattermost calls Coffee. */
  slash(person: Person, text: string, channel?: Channel): Promise<CommandResponse>
  /** Coffee, started with `npm start` on its own database (Postgres with TEST_DATABASE_URL, else embedded). */
  coffee: Coffee
  /** Stops Coffee and starts it again on the same database, its clock `clockShiftMs` ahead. */
  restartCoffee(options?: { clockShiftMs?: number, env?: Record<string, string> }): Promise<Coffee>
  /** POST /rounds as the scheduler does. */
  rounds(body?: Record<string, unknown>): Promise<{ status: number, body: RoundsSummary }>
  /** Coffee's admin API. */
  api(path: string): Promise<{ status: number, body: unknown }>
  /** This person's group (G) or direct (D) messages, each with its posts oldest first, read as the person. */
  conversations(person: Person, type: 'G' | 'D'): Promise<Conversation[]>
}

export interface Post {
  id: string
  user_id: string
  channel_id: string
  /** The thread's first post for a reply; '' otherwise. */
  root_id: string
  message: string
  props: Record<string, unknown>
  create_at: number
  update_at: number
}

export interface Conversation {
  channel: Channel
  memberIds: string[]
  posts: Post[]
}

export interface RoundsSummary {
  rounds: { channel_id: string, round: number, eligible: number, groups: number, excluded: Record<string, number> }[]
  skipped: { channel_id: string, reason: string }[]
  deliveries: { sent: number, retried: number, failed: number, pending: number, superseded: number, expired: number }
  errors: { channel_id?: string, channel_name?: string, message: string }[]
  [key: string]: unknown
}

export interface WorldOptions {
  /** Extra environment for Coffee. */
  env?: Record<string, string>
}

/** Names a test can read: lower case, letters first, unique on the server. */
function uniqueSuffix (): string {
  return randomBytes(3).toString('hex')
}

export async function createWorld (t: Test, testUrl: string, options: WorldOptions = {}): Promise<World> {
  const server = await connectServer(testUrl)
  const { admin } = server
  const suffix = uniqueSuffix()
  const created: string[] = []
  t.teardown(async () => {
    // Free the seats: an unlicensed server refuses new users past 250 active ones.
    for (const id of created) await admin.updateUserActive(id, false).catch(() => {})
  })

  const adminId = (await admin.getMe()).id
  const team = await admin.createTeam({ name: `coffee-${suffix}`, display_name: `Coffee ${suffix}`, type: 'O' } as Parameters<Client['createTeam']>[0])

  // README, step 2: a bot account, its access token; the bot joins the team and the channels where Coffee runs.
  const botUser = await admin.createBot({ username: `coffee-${suffix}`, display_name: 'Coffee', description: 'Coffee introductions' })
  const botToken = await admin.createUserAccessToken(botUser.user_id, 'Coffee')
  await admin.addToTeam(team.id, botUser.user_id)
  t.teardown(async () => { await admin.disableBot(botUser.user_id).catch(() => {}) })
  const bot: Bot = { id: botUser.user_id, username: botUser.username, token: botToken.token!, client: createClient(server.url, botToken.token!) }

  const createChannel = async (name: string, type: 'O' | 'P', { withBot = true } = {}): Promise<Channel> => {
    const channel = await admin.createChannel({ team_id: team.id, name: `${name}-${suffix}`, display_name: name, type }) as unknown as Channel
    if (withBot) await admin.addToChannel(bot.id, channel.id)
    // Its creator, the system admin, is a member too: out, so the channel holds only the people a test adds.
    await admin.removeFromChannel(adminId, channel.id)
    return channel
  }
  const channel = await createChannel('coffee-lovers', 'O')

  // README, step 3: the slash command, pointing at where Coffee will listen.
  const port = await freePort()
  const coffeeUrl = `http://127.0.0.1:${port}`
  const command = await admin.addCommand({
    team_id: team.id,
    trigger: 'coffee',
    url: `${coffeeUrl}/coffee`,
    method: 'P',
    display_name: 'Coffee',
    description: 'Meet people from this channel',
    auto_complete: true,
    auto_complete_hint: '[join | leave | skip | pause 2w | status | help]',
    auto_complete_desc: 'Meet people from this channel'
  } as Parameters<Client['addCommand']>[0])

  const database = await coffeeDatabase(t)
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    ...database,
    MATTERMOST_URL: server.url,
    MATTERMOST_BOT_TOKEN: bot.token,
    MATTERMOST_SLASH_TOKEN: command.token,
    PUBLIC_URL: coffeeUrl,
    ADMIN_TOKEN: E2E_ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    ...options.env
  }
  let coffee: Coffee = { ...await startNpmService(env), env }
  t.teardown(async () => { await stopService(coffee) })

  /** An account named after `name` (unique on the server), deactivated when the test ends. */
  const createAccount = async (name: string) => {
    const username = `${name}-${suffix}`
    const user = await admin.createUser({ username, password: PASSWORD, email: `${username}@example.com`, first_name: name[0]!.toUpperCase() + name.slice(1), last_name: 'Tester' } as Parameters<Client['createUser']>[0], '', '')
    created.push(user.id)
    return { user, username }
  }

  const person = async (name: string, { channels = [channel], systemAdmin = false }: { channels?: Channel[], systemAdmin?: boolean } = {}): Promise<Person> => {
    const { user, username } = await createAccount(name)
    if (systemAdmin) await admin.updateUserRoles(user.id, 'system_user system_admin')
    await admin.addToTeam(team.id, user.id)
    for (const c of channels) await admin.addToChannel(user.id, c.id)
    const client = createClient(server.url)
    await client.login(username, PASSWORD)
    return { id: user.id, username, client }
  }

  const world: World = {
    server,
    team: { id: team.id, name: team.name },
    channel,
    bot,
    slashToken: command.token,
    suffix,
    person,
    async people (names, inChannel = channel) {
      const people: Person[] = []
      for (const name of names) {
        const { user, username } = await createAccount(name)
        people.push({ id: user.id, username, client: admin })
      }
      for (let i = 0; i < people.length; i += 100) await admin.addUsersToTeam(team.id, people.slice(i, i + 100).map((p) => p.id))
      for (let i = 0; i < people.length; i += 100) await admin.addToChannels(people.slice(i, i + 100).map((p) => p.id), inChannel.id)
      return people
    },
    createChannel,
    async makeChannelAdmin (c, p) {
      await admin.updateChannelMemberSchemeRoles(c.id, p.id, true, true)
    },
    async slash (who, text, inChannel = channel) {
      return await who.client.executeCommand(`/coffee ${text}`, { channel_id: inChannel.id, team_id: team.id } as Parameters<Client['executeCommand']>[1]) as unknown as CommandResponse
    },
    get coffee () { return coffee },
    async restartCoffee ({ clockShiftMs = 0, env: extra = {} } = {}) {
      await stopService(coffee)
      Object.assign(env, extra)
      coffee = { ...await startNpmService(env, { clockShiftMs }), env }
      return coffee
    },
    async rounds (body = {}) {
      const response = await fetch(`${coffee.url}/rounds`, { method: 'POST', headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      return { status: response.status, body: await response.json() as RoundsSummary }
    },
    async conversations (who, type) {
      const channels = (await who.client.getMyChannels(team.id)).filter((c) => c.type === type)
      const conversations: Conversation[] = []
      for (const c of channels) {
        const list = await who.client.getPosts(c.id, 0, 200)
        const posts = list.order.map((id) => list.posts[id]!).filter((p) => p.type === '').reverse() as unknown as Post[]
        const members = await who.client.getChannelMembers(c.id)
        conversations.push({ channel: c as unknown as Channel, memberIds: members.map((m) => m.user_id), posts })
      }
      return conversations
    },
    async api (apiPath) {
      const response = await fetch(`${coffee.url}${apiPath}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })
      return { status: response.status, body: await response.json() }
    }
  }
  return world
}

/** Coffee's database for a world: a throwaway Postgres database with TEST_DATABASE_URL, else a fresh DATA_DIR. */
async function coffeeDatabase (t: Test): Promise<Record<string, string>> {
  const serverUrl = testServerUrl()
  if (serverUrl !== undefined) {
    const { url, drop } = await createServerDatabase(serverUrl)
    t.teardown(drop)
    return { DATABASE_URL: url }
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coffee-e2e-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  return { DATA_DIR: dataDir }
}
