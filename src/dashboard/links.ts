// Making a one-time dashboard link: a fresh token, its hash stored with an expiry, the URL to hand over.
import type { DashboardStore } from '../store/dashboard.js'
import { LINK_TTL_MS, newLinkToken, hashLinkToken } from './session.js'

export interface LinkRequest {
  channelId: string
  userId: string
  systemAdmin: boolean
}

export function createDashboardLinks ({ store, publicUrl }: { store: Pick<DashboardStore, 'createLink'>, publicUrl: string }) {
  return {
    async issue (request: LinkRequest, now: Date): Promise<string> {
      const token = newLinkToken()
      await store.createLink({ ...request, tokenHash: hashLinkToken(token), expiresAt: new Date(now.getTime() + LINK_TTL_MS) }, now)
      return `${publicUrl}/dashboard/open/${token}`
    }
  }
}

export type DashboardLinks = ReturnType<typeof createDashboardLinks>
