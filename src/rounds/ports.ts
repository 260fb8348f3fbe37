// What the rounds pass needs from Mattermost. The Mattermost gateway satisfies it; tests use the real gateway
// against a fake Mattermost server.

export interface ChatUser {
  id: string
  username: string
  delete_at: number
  is_bot?: boolean
}

export interface RoundsGateway {
  getMe(): Promise<ChatUser>
  getUsersByIds(ids: string[]): Promise<ChatUser[]>
  getChannelMemberIds(channelId: string): Promise<string[]>
  /** A group message between the bot and these people (2..7 of them); the same channel every time for the same set. */
  createGroupChannel(userIds: string[]): Promise<string>
  /** A direct message between the bot and this person. */
  createDirectChannel(userId: string): Promise<string>
  createPost(post: { channelId: string, message: string, props?: Record<string, unknown> }): Promise<{ id: string }>
  /** A recent post in the channel carrying props[key] === value, to learn whether an interrupted send went through. */
  findRecentPostWithProp(channelId: string, key: string, value: string): Promise<string | null>
}

/** What a failed Mattermost call tells the retry logic. */
export interface DeliveryFailure {
  message: string
  /** Worth trying again later (5xx, 429, timeouts, connection errors). */
  transient: boolean
  /** Mattermost's Retry-After, when it rate limited us. */
  retryAfterMs?: number
}
