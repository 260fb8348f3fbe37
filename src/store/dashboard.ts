// One-time dashboard links (prisma model DashboardLink): made by /coffee dashboard, used once by opening them.
import type { PrismaClient } from '../generated/prisma/client.js'

export interface NewLink {
  tokenHash: string
  channelId: string
  userId: string
  systemAdmin: boolean
  expiresAt: Date
}

export interface UsedLink {
  channelId: string
  userId: string
  systemAdmin: boolean
}

/** Links are kept this long past their expiry (to tell "expired" from "forged" in the log), then deleted. */
const KEEP_MS = 24 * 60 * 60 * 1000

export function createDashboardStore (prisma: PrismaClient) {
  return {
    async createLink (link: NewLink, now: Date): Promise<void> {
      await prisma.dashboardLink.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - KEEP_MS) } } })
      await prisma.dashboardLink.create({ data: link })
    },

    /**
     * Uses a link: one conditional UPDATE (unused and unexpired), so of two opens racing only one gets the row.
     * Null when the link is unknown, expired or already used.
     */
    async useLink (tokenHash: string, now: Date): Promise<UsedLink | null> {
      const [used] = await prisma.dashboardLink.updateManyAndReturn({
        where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
        select: { channelId: true, userId: true, systemAdmin: true }
      })
      return used ?? null
    }
  }
}

export type DashboardStore = ReturnType<typeof createDashboardStore>
