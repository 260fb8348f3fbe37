// Drives POST /rounds like a scheduler does.
import type { FastifyInstance } from 'fastify'
import { ADMIN_TOKEN } from './app.js'
import type { PassSummary } from '../../src/rounds/pass.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'

/**
 * Round 1 of every channel that has no start yet is due at `now`, as after a channel admin's `/coffee config start
 * now`: the next scheduler call starts it. (Tests of choosing a start type the command instead.)
 */
export async function startNow (prisma: PrismaClient, now: Date): Promise<void> {
  await prisma.program.updateMany({ where: { startAt: null }, data: { startAt: now } })
}

export async function rounds (app: FastifyInstance, body: Record<string, unknown> = {}, token: string = ADMIN_TOKEN) {
  const response = await app.inject({ method: 'POST', url: '/rounds', headers: { authorization: `Bearer ${token}` }, payload: body })
  return { status: response.statusCode, body: response.json() as PassSummary & { message?: string } }
}

/** A pass that must succeed. */
export async function pass (app: FastifyInstance, body: Record<string, unknown> = {}): Promise<PassSummary> {
  const result = await rounds(app, body)
  if (result.status !== 200) throw new Error(`/rounds answered ${result.status}: ${JSON.stringify(result.body)}`)
  return result.body
}
