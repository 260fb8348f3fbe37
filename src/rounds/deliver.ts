// Sends what the outbox holds, exactly once. The plan is already committed; each delivery is claimed with a
// lease, its channel is recorded before posting, and a retry first looks in that channel for the post an
// interrupted attempt may have made (every post carries its delivery key in props.coffee_delivery).
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../clock.js'
import type { RoundsStore, Delivery } from '../store/rounds.js'
import { GatewayError, type ChatGateway } from '../mattermost/gateway.js'
import { DeliveryImpossible, loadDelivery, renderDelivery } from './render.js'

export const DELIVERY_PROP = 'coffee_delivery'

export interface DeliveryOptions {
  /** Parallel Mattermost conversations. */
  concurrency: number
  /** Waits between tries within one pass; their count + 1 is the tries per pass. */
  retryDelaysMs: readonly number[]
  /** A Retry-After longer than this is not waited for: the delivery waits for a later pass instead. */
  maxInlineWaitMs: number
  /** How long a claimed delivery stays ours if this process dies. */
  leaseMs: number
  /** Stop claiming new work after this long (the rest stays pending for the next pass). */
  budgetMs: number
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  concurrency: 8,
  retryDelaysMs: [250, 1000],
  maxInlineWaitMs: 5000,
  leaseMs: 5 * 60_000,
  budgetMs: 10 * 60_000
}

export interface DeliveryDeps {
  store: RoundsStore
  gateway: Pick<ChatGateway, 'createGroupChannel' | 'createDirectChannel' | 'createPost' | 'findRecentPostWithProp'>
  clock: Clock
  log: FastifyBaseLogger
  publicUrl: string | undefined
  /** Signs button contexts; undefined when follow-ups are impossible. */
  actionsKey: string | undefined
  sleep?: (ms: number) => Promise<void>
}

export interface DeliveryCounts {
  sent: number
  retried: number
  failed: number
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** What a failed attempt tells the retry logic. */
export interface DeliveryFailure {
  message: string
  /** Worth trying again later (5xx, 429, timeouts, connection errors). */
  transient: boolean
  /** Mattermost's Retry-After, when it rate limited us. */
  retryAfterMs?: number
}

export function toFailure (error: unknown): DeliveryFailure {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof GatewayError) return { message, transient: error.transient, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) }
  // Anything else that does not say it is final (a database hiccup, a bug) is worth another try later.
  return { message, transient: !(error instanceof DeliveryImpossible) }
}

/** Later passes back off: 1, 2, 4 … minutes, at most an hour. */
export function backoffMs (attempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1))
}

export async function deliverPending (deps: DeliveryDeps, options: DeliveryOptions = DEFAULT_DELIVERY_OPTIONS): Promise<DeliveryCounts> {
  const { store, clock, log } = deps
  const sleep = deps.sleep ?? realSleep
  const counts: DeliveryCounts = { sent: 0, retried: 0, failed: 0 }
  const started = Date.now()
  // One 429 slows every worker: Mattermost's limit is per bot, not per request.
  let pausedUntil = 0
  const waitForGate = async () => {
    const wait = pausedUntil - Date.now()
    if (wait > 0) await sleep(wait)
  }

  async function sendOnce (delivery: Delivery, tries: number): Promise<void> {
    await waitForGate()
    const rendered = renderDelivery(await loadDelivery(delivery, store), { actionsUrl: deps.publicUrl === undefined ? undefined : `${deps.publicUrl}/actions`, actionsKey: deps.actionsKey })
    if (rendered.unneeded !== undefined) {
      await store.markSkipped(delivery.id, rendered.unneeded)
      return
    }
    let channelId = delivery.channelId
    if (channelId === null) {
      const { conversation } = rendered
      channelId = 'channelId' in conversation
        ? conversation.channelId
        : 'group' in conversation ? await deps.gateway.createGroupChannel(conversation.group) : await deps.gateway.createDirectChannel(conversation.direct)
      await store.recordChannel(delivery, channelId)
      delivery.channelId = channelId
    }
    if (delivery.attempts > 1 || tries > 1) {
      const existing = await deps.gateway.findRecentPostWithProp(channelId, DELIVERY_PROP, delivery.dedupeKey)
      if (existing !== null) {
        log.info({ delivery: delivery.dedupeKey, postId: existing }, 'an earlier attempt had already posted; recording it')
        await store.markSent(delivery.id, existing, clock.now())
        return
      }
    }
    await waitForGate()
    const post = await deps.gateway.createPost({ channelId, message: rendered.message, props: { ...rendered.props, [DELIVERY_PROP]: delivery.dedupeKey } })
    await store.markSent(delivery.id, post.id, clock.now())
  }

  async function send (delivery: Delivery): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await sendOnce(delivery, tries)
        counts.sent++
        return
      } catch (error) {
        const failure = toFailure(error)
        if (failure.retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, Date.now() + failure.retryAfterMs)
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs <= options.maxInlineWaitMs && Date.now() - started < options.budgetMs) {
          // Mattermost pacing the bot (its rate limiter's 429): not a failed try. The gate holds every worker until
          // Retry-After; counting it as a try would push a whole round's tail into later passes.
          tries--
          continue
        }
        if (!failure.transient) {
          log.warn({ delivery: delivery.dedupeKey, err: failure.message }, 'Mattermost refused a delivery; giving up on it')
          await store.markFailed(delivery.id, failure.message)
          counts.failed++
          return
        }
        const delay = failure.retryAfterMs ?? options.retryDelaysMs[tries - 1]
        if (delay !== undefined && tries <= options.retryDelaysMs.length && delay <= options.maxInlineWaitMs) {
          log.info({ delivery: delivery.dedupeKey, err: failure.message, tries }, 'delivery failed; trying again shortly')
          await sleep(delay)
          delivery.attempts = await store.countAttempt(delivery.id)
          continue
        }
        const next = new Date(clock.now().getTime() + Math.max(failure.retryAfterMs ?? 0, backoffMs(delivery.attempts)))
        log.warn({ delivery: delivery.dedupeKey, err: failure.message, next }, 'delivery failed; it stays pending for a later pass')
        await store.markRetry(delivery.id, next, failure.message)
        counts.retried++
        return
      }
    }
  }

  while (Date.now() - started < options.budgetMs) {
    const now = clock.now()
    const batch = await store.claimDeliveries(now, new Date(now.getTime() + options.leaseMs), options.concurrency * 8)
    if (batch.length === 0) break
    let next = 0
    const worker = async () => {
      while (next < batch.length) {
        const delivery = batch[next++]!
        await send(delivery)
      }
    }
    await Promise.all(Array.from({ length: Math.min(options.concurrency, batch.length) }, worker))
  }
  return counts
}
