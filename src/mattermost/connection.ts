// Can Coffee work with Mattermost right now? One answer for /health (a word, safe to show strangers) and one for the
// log (a sentence that names the fix), from one GET /users/me with the bot's token.
import type { ChatGateway } from './gateway.js'
import { GatewayError } from './gateway.js'
import { within, LATE } from '../deadline.js'

export const MATTERMOST_STATES = ['ok', 'not_configured', 'unreachable', 'token_rejected', 'failing'] as const
export type MattermostState = typeof MATTERMOST_STATES[number]

export interface ConnectionCheck {
  state: MattermostState
  /** For the operator's log: what is wrong and what to do; on success, who the bot is. */
  detail: string
}

export async function checkConnection (gateway: Pick<ChatGateway, 'whoAmI'> | undefined, url: string | undefined, timeoutMs = 3000): Promise<ConnectionCheck> {
  if (gateway === undefined || url === undefined) {
    return { state: 'not_configured', detail: 'Mattermost is not configured: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN.' }
  }
  try {
    // One more try when no answer came: a kept-alive connection the server had just closed fails that way.
    const ask = async () => await gateway.whoAmI().catch(async (error: unknown) => {
      if (error instanceof GatewayError && error.status === 0) return await gateway.whoAmI()
      throw error
    })
    const me = await within(ask(), timeoutMs)
    if (me === LATE) {
      return { state: 'unreachable', detail: `Mattermost at ${url} cannot be reached (no answer to GET /api/v4/users/me within ${timeoutMs} ms): check MATTERMOST_URL and that this host can reach it.` }
    }
    const note = me.is_bot ? '' : ' (a person\'s account, not a bot account: posts will come from them)'
    return { state: 'ok', detail: `Mattermost at ${url} answers; Coffee posts as @${me.username}${note}.` }
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error
    if (error.status === 401) {
      return { state: 'token_rejected', detail: `Mattermost at ${url} refused the bot token (401): check MATTERMOST_BOT_TOKEN against the bot's access token (System Console > Integrations > Bot Accounts).` }
    }
    if (error.status === 0) {
      return { state: 'unreachable', detail: `Mattermost at ${url} cannot be reached (${error.message}): check MATTERMOST_URL and that this host can reach it.` }
    }
    return { state: 'failing', detail: `Mattermost at ${url} answered GET /users/me with an error (${error.message}): is MATTERMOST_URL the server's address (no /api/v4), and is the server healthy?` }
  }
}
