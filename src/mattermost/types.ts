// Mattermost objects as the core sees them: plain data, trimmed to the fields Coffee reads, with Mattermost's own field
// names so nothing needs translating when reading the API docs. No @mattermost/* type leaks past the gateway.

export interface ChatUser {
  id: string
  username: string
  first_name: string
  last_name: string
  nickname: string
  /** The job title people fill in on their profile ('' when none). */
  position: string
  /** 0 unless the account is deactivated. */
  delete_at: number
  is_bot: boolean
  /** Space-separated system roles, e.g. "system_user" or "system_user system_admin". */
  roles: string
  locale: string
  /** The IANA zone the user picked or Mattermost detected; '' when unknown. */
  timezone: string
}

export interface ChatChannelMember {
  channel_id: string
  user_id: string
  /** "channel_user", or "channel_user channel_admin" for channel admins. */
  roles: string
}

export interface NewPost {
  channelId: string
  message: string
  props?: Record<string, unknown>
  /** Reply in this thread. */
  rootId?: string
}
