import type { ParticipationStore } from '../store/participation.js'
import type { StatsStore } from '../store/stats.js'

/** Looking people up in Mattermost; satisfied by the Mattermost gateway. */
export interface UserDirectory {
  getUserByUsername(username: string): Promise<{ id: string, username: string } | null>
  getUser(userId: string): Promise<{ id: string, roles: string } | null>
  getChannelMember(channelId: string, userId: string): Promise<{ roles: string } | null>
}

/** What /coffee commands may use. */
export interface CommandDeps {
  store: ParticipationStore
  /** Read-only numbers and history, for /coffee stats and /coffee history. */
  stats: StatsStore
  /** Undefined until MATTERMOST_URL and MATTERMOST_BOT_TOKEN are configured. */
  users: UserDirectory | undefined
}
