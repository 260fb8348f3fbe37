// Setting a fresh Mattermost up through its own API, as README's "Setting it up in Mattermost" tells an admin to:
// the first account created on a server becomes its system admin.
import mm from '@mattermost/client'

const { Client4, ClientError } = mm
export type Client = InstanceType<typeof Client4>

export const ADMIN = Object.freeze({ username: 'sysadmin', password: 'Coffee-e2e-admin-1', email: 'sysadmin@example.com' })

type FetchWithResponse = (url: string, options: Record<string, unknown>) => Promise<{ response: Response, data: { id?: string, message?: string, status_code?: number, detailed_error?: string } }>

/**
 * With Mattermost's rate limiter on, a burst of set-up or read-back requests gets 429 with a plain-text body, which
 * Client4 turns into an error without a status: this client waits as Retry-After says and asks again instead.
 */
function waitOnRateLimits (client: Client): void {
  const holder = client as unknown as { doFetchWithResponse: FetchWithResponse }
  const send = holder.doFetchWithResponse
  holder.doFetchWithResponse = async (url, options) => {
    let result = await send(url, { ...options, ignoreStatus: true })
    for (let waited = 0; result.response.status === 429 && waited < 120_000;) {
      const seconds = Number(result.response.headers.get('retry-after') ?? '1')
      const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000
      await new Promise((resolve) => setTimeout(resolve, ms))
      waited += ms
      result = await send(url, { ...options, ignoreStatus: true })
    }
    const { response, data } = result
    if (response.ok || options.ignoreStatus === true) return result
    // As Client4 itself throws.
    throw new ClientError(client.getUrl(), { message: data?.message ?? '', server_error_id: data?.id, status_code: data?.status_code, detailed_error: data?.detailed_error, url })
  }
}

export function createClient (url: string, token?: string): Client {
  const client = new Client4()
  waitOnRateLimits(client)
  client.setUrl(url)
  client.setIncludeCookies(false)
  if (token !== undefined) client.setToken(token)
  return client
}

export interface Admin {
  username: string
  password: string
  /** The server's URL with the admin's credentials, the form TEST_MATTERMOST_URL takes. */
  testUrl: string
}

/** Creates the first user (the system admin) unless it exists, and checks that it can log in as one. */
export async function bootstrapAdmin (url: string): Promise<Admin> {
  const client = createClient(url)
  try {
    await client.login(ADMIN.username, ADMIN.password)
  } catch {
    await client.createUser({ username: ADMIN.username, password: ADMIN.password, email: ADMIN.email } as Parameters<Client['createUser']>[0], '', '')
    await client.login(ADMIN.username, ADMIN.password)
  }
  const me = await client.getMe()
  if (!me.roles.split(' ').includes('system_admin')) throw new Error(`${ADMIN.username} is not a system admin on ${url} (roles: ${me.roles})`)
  const testUrl = new URL(url)
  testUrl.username = ADMIN.username
  testUrl.password = ADMIN.password
  return { username: ADMIN.username, password: ADMIN.password, testUrl: testUrl.toString().replace(/\/$/, '') }
}
