import type { ChatGateway } from '../mattermost/gateway.js'
import type { ParticipationStore } from '../store/participation.js'
import type { StatsStore } from '../store/stats.js'
import type { DashboardLinks } from '../dashboard/links.js'

/** Looking people up in Mattermost, and making sure the bot is in the channel. */
export type UserDirectory = Pick<ChatGateway, 'getUserByUsername' | 'getUser' | 'getChannelMember' | 'getMe' | 'joinChannel'>

/** What /coffee commands may use. */
export interface CommandDeps {
  store: ParticipationStore
  /** Read-only numbers and history, for /coffee stats and /coffee history. */
  stats: StatsStore
  /** Undefined until MATTERMOST_URL and MATTERMOST_BOT_TOKEN are configured. */
  users: UserDirectory | undefined
  /** One-time dashboard links; undefined until PUBLIC_URL and Mattermost are configured. */
  dashboard?: DashboardLinks | undefined
}
