// Sends what the outbox holds, exactly once. The plan is already committed; each delivery is claimed with a
// lease, and a retry first looks in its conversation for the post an interrupted attempt may have made (every post
// carries its delivery key in props.coffee_delivery). A new conversation needs no record for that: Mattermost gives
// the same group or direct channel for the same people every time, so a retry opens it again and looks there.
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../clock.js'
import type { RoundsStore, DeliveryToSend, DeliveryResult } from '../store/rounds.js'
import { GatewayError, type ChatGateway } from '../mattermost/gateway.js'
import { DeliveryImpossible, renderDelivery, DELIVERY_PROP, type RenderedDelivery } from './render.js'
import { staleness, type Staleness } from '../core/staleness.js'

export { DELIVERY_PROP }

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
  /** How long a delivery's result may wait for others' before they are written together. */
  commitDelayMs: number
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  concurrency: 8,
  retryDelaysMs: [250, 1000],
  maxInlineWaitMs: 5000,
  leaseMs: 5 * 60_000,
  budgetMs: 10 * 60_000,
  commitDelayMs: 10
}

export interface DeliveryDeps {
  store: RoundsStore
  gateway: Pick<ChatGateway, 'getMe' | 'createGroupChannel' | 'createDirectChannel' | 'createPost' | 'patchPost' | 'findRecentPostWithProp'>
  clock: Clock
  log: FastifyBaseLogger
  publicUrl: string | undefined
  /** Signs button contexts; undefined when follow-ups are impossible. */
  actionsKey: string | undefined
  sleep?: (ms: number) => Promise<void>
  /**
   * Deliveries a failed pass still held (it could not give them back: the database was gone). The next pass gives
   * them back first instead of letting their lease run out. One per process: passes do not overlap in it.
   */
  abandonedLeases?: Set<number>
}

export interface DeliveryCounts {
  sent: number
  retried: number
  failed: number
  /** Never sent: a newer round of the program exists (core/staleness.ts). */
  superseded: number
  /** Never sent: too old to be useful. */
  expired: number
}

const STALE_REASON: Record<Staleness, string> = {
  superseded: 'a newer round of this channel has started',
  expired: 'too late: more than half the time to the next round has passed'
}

// Edits of one post per delivery, at most: clicks arriving faster than that are each applied by their own update.
const MAX_EDITS = 3

const sameAnswers = (a: readonly { userId: string, answer: string }[], b: readonly { userId: string, answer: string }[]): boolean =>
  a.length === b.length && a.every((x, i) => x.userId === b[i]!.userId && x.answer === b[i]!.answer)

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** deliverPending stopped (the database went away): what it had done by then, which the pass still reports. */
export class DeliveryStopped extends Error {
  readonly counts: DeliveryCounts
  constructor (cause: unknown, counts: DeliveryCounts) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'DeliveryStopped'
    this.counts = counts
  }
}

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

/** The longest a failed delivery waits for a later pass: well inside a scheduler's interval (15 minutes in compose). */
export const MAX_BACKOFF_MS = 2 * 60_000

/** Later passes back off: 1, then 2 minutes. A pass that finds Mattermost healthy retries them at once anyway. */
export function backoffMs (attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** Math.max(0, attempts - 1))
}

/** An item given to a group commit: `committed` resolves once it is written; `hurry` writes it without waiting for company. */
export interface Committing {
  committed: Promise<void>
  hurry: () => void
}

/**
 * Group commit: writes asked for by many workers go to the database together, one statement per write. With
 * `delayMs` 0 a write starts at once, or as soon as the one in progress ends, with everything asked for meanwhile;
 * otherwise it waits up to `delayMs` for company — unless someone is waiting for an item already (hurry): then
 * waiting longer only holds them up, and the write starts at once with what has come so far.
 */
export function createGroupCommit<T> (write: (items: T[]) => Promise<void>, delayMs: number) {
  interface Entry { item: T, queued: boolean, resolve: () => void, reject: (error: unknown) => void }
  let queue: Entry[] = []
  let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined
  let writing: Promise<void> | null = null
  /** Someone waits for an item still queued: the next write starts as soon as it can. */
  let hurried = false
  /** The pending timer is a setImmediate. */
  let immediate = false

  function start (): void {
    if (timer !== undefined) { clearTimeout(timer as ReturnType<typeof setTimeout>); clearImmediate(timer as ReturnType<typeof setImmediate>); timer = undefined }
    if (writing !== null || queue.length === 0) return
    const batch = queue
    queue = []
    hurried = false
    for (const w of batch) w.queued = false
    writing = write(batch.map((w) => w.item)).then(
      () => { for (const w of batch) w.resolve() },
      (error: unknown) => { for (const w of batch) w.reject(error) }
    ).finally(() => {
      writing = null
      if (queue.length > 0) schedule()
    })
  }
  function schedule (): void {
    if (writing !== null) return
    if (hurried && timer !== undefined && !immediate) {
      clearTimeout(timer as ReturnType<typeof setTimeout>)
      timer = undefined
    }
    if (timer !== undefined) return
    // setImmediate, not now: what else has already come back (other workers' posts) joins this write.
    immediate = delayMs === 0 || hurried
    timer = immediate ? setImmediate(start) : setTimeout(start, delayMs)
  }
  return {
    add (item: T): Committing {
      let entry!: Entry
      const committed = new Promise<void>((resolve, reject) => { entry = { item, queued: true, resolve, reject } })
      queue.push(entry)
      schedule()
      return {
        committed,
        hurry () {
          if (!entry.queued) return // being written, or written
          hurried = true
          schedule()
        }
      }
    },
    /** Writes everything asked for so far, now. */
    async flush (): Promise<void> {
      while (writing !== null || queue.length > 0) {
        start()
        await writing
      }
    }
  }
}

/**
 * Deliveries backing off after an outage wait for Mattermost, not for the clock: when some are waiting and
 * Mattermost answers, they are due now. A Retry-After of MAX_BACKOFF_MS or more is Mattermost's own wish and stays.
 */
async function retryIfMattermostIsBack ({ store, gateway, clock, log }: DeliveryDeps): Promise<void> {
  const now = clock.now()
  const horizon = new Date(now.getTime() + MAX_BACKOFF_MS)
  if (!await store.backingOff(now, horizon)) return
  try {
    await gateway.getMe()
  } catch {
    return
  }
  const count = await store.retryBackedOff(now, horizon)
  log.info({ count }, 'Mattermost answers again: retrying what was backing off')
}

/** `holding`: rounds about to be superseded (a newer one starts in this pass); their intros are left alone. */
export async function deliverPending (deps: DeliveryDeps, options: DeliveryOptions = DEFAULT_DELIVERY_OPTIONS, holding: readonly number[] = []): Promise<DeliveryCounts> {
  const { store, clock, log } = deps
  const sleep = deps.sleep ?? realSleep
  const counts: DeliveryCounts = { sent: 0, retried: 0, failed: 0, superseded: 0, expired: 0 }
  // Claimed and not yet written back: given back if the pass fails.
  const held = new Set<number>()
  if (deps.abandonedLeases !== undefined && deps.abandonedLeases.size > 0) {
    await store.releaseLeases([...deps.abandonedLeases])
    deps.abandonedLeases.clear()
  }
  await retryIfMattermostIsBack(deps)
  const started = Date.now()
  const renderOptions = { actionsUrl: deps.publicUrl === undefined ? undefined : `${deps.publicUrl}/actions`, actionsKey: deps.actionsKey }
  // A result lost in a crash leaves its delivery leased and pending, and the retry finds the post by its key instead
  // of posting again.
  const results = createGroupCommit((items: DeliveryResult[]) => store.recordResults(items), options.commitDelayMs)
  let failure: unknown
  /** Queues a result; `committed` resolves (never rejects) once it is written or has failed to be. */
  const finish = (result: DeliveryResult, counted: keyof DeliveryCounts): Committing => {
    const { committed, hurry } = results.add(result)
    return {
      committed: committed.then(() => {
        counts[counted]++
        held.delete(result.id)
      }, (error: unknown) => { failure ??= error }),
      hurry
    }
  }
  // One 429 slows every worker: Mattermost's limit is per bot, not per request.
  let pausedUntil = 0
  const waitForGate = async () => {
    const wait = pausedUntil - Date.now()
    if (wait > 0) await sleep(wait)
  }

  /**
   * `older`: the result of the worker's delivery before last. It must be written before this worker posts again, so
   * that after a crash at most two posts per worker are unrecorded (and found by their keys), while the last result
   * is written as the next post goes out: a worker never waits for the database between two posts.
   */
  async function sendOnce (delivery: DeliveryToSend, tries: number, older: Committing): Promise<DeliveryResult> {
    await waitForGate()
    const rendered = renderDelivery(delivery, renderOptions)
    if (rendered.unneeded !== undefined) return { id: delivery.id, state: 'skipped', error: rendered.unneeded }
    const { conversation } = rendered
    let channelId: string
    if ('channelId' in conversation) {
      channelId = conversation.channelId
    } else {
      // Opened again on every try, the same channel each time (Mattermost keeps one group or direct channel per set of
      // people); it is recorded with the result.
      channelId = 'group' in conversation ? await deps.gateway.createGroupChannel(conversation.group) : await deps.gateway.createDirectChannel(conversation.direct)
    }
    // An edit of an earlier post (a reminder marks the follow-up): made on every try, before looking for our own post,
    // since it is idempotent and a retry cannot tell whether an earlier try made it.
    if (rendered.patch !== undefined) await patchWithCurrentAnswers(delivery, rendered.patch)
    if (delivery.attempts > 1 || tries > 1) {
      const existing = await deps.gateway.findRecentPostWithProp(channelId, DELIVERY_PROP, delivery.dedupeKey)
      if (existing !== null) {
        log.info({ delivery: delivery.dedupeKey, postId: existing }, 'an earlier attempt had already posted; recording it')
        return { id: delivery.id, state: 'sent', channelId, postId: existing, at: clock.now() }
      }
    }
    // Waiting for company would only hold this worker up now.
    older.hurry()
    await older.committed
    await waitForGate()
    const post = await deps.gateway.createPost({ channelId, message: rendered.message, props: { ...rendered.props, [DELIVERY_PROP]: delivery.dedupeKey }, ...(rendered.rootId === undefined ? {} : { rootId: rendered.rootId }) })
    return { id: delivery.id, state: 'sent', channelId, postId: post.id, at: clock.now() }
  }

  /**
   * The edit shows the answers read at the claim; a click that lands before the edit would be hidden by it (Mattermost
   * applies the click's update, then our edit). So the answers are read again after each edit, and the edit made again
   * while they have changed: a click recorded after that read has its update applied after our edit.
   */
  async function patchWithCurrentAnswers (delivery: DeliveryToSend, patch: NonNullable<RenderedDelivery['patch']>): Promise<void> {
    for (let edits = 1; ; edits++) {
      await deps.gateway.patchPost(patch.postId, { message: patch.message, props: patch.props })
      const group = delivery.group
      if (group === null || edits === MAX_EDITS) return
      const answers = await store.answers(group.id)
      if (sameAnswers(answers, group.outcomes)) return
      group.outcomes = answers
      const again = renderDelivery(delivery, renderOptions).patch
      if (again === undefined) return
      patch = again
    }
  }

  /** Resolves once the delivery is done with, with the promise of its result being written (not awaited here). */
  async function send (delivery: DeliveryToSend, older: Committing): Promise<{ written: Committing }> {
    const stale = staleness({ kind: delivery.kind, round: delivery.round, cadenceDays: delivery.program.cadenceDays, introState: delivery.group?.introState }, clock.now())
    if (stale !== null) {
      log.info({ delivery: delivery.dedupeKey, stale }, 'a message no longer worth sending; it never will be')
      return { written: finish({ id: delivery.id, state: stale, error: STALE_REASON[stale] }, stale) }
    }
    for (let tries = 1; ; tries++) {
      try {
        // A message found unneeded counts as sent: it is done with.
        return { written: finish(await sendOnce(delivery, tries, older), 'sent') }
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
          return { written: finish({ id: delivery.id, state: 'failed', error: failure.message }, 'failed') }
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
        return { written: finish({ id: delivery.id, state: 'pending', nextAttemptAt: next, error: failure.message }, 'retried') }
      }
    }
  }

  // Workers take deliveries from a queue of claimed batches; the next batch is claimed when half of the current one
  // is left, so that Mattermost is never waiting for the database (a claim of 64 takes 10-30 ms on Postgres; the
  // last few deliveries of a batch, one per worker, take less).
  const queue: DeliveryToSend[] = []
  let claiming: Promise<void> | null = null
  let exhausted = false
  const batchSize = options.concurrency * 8
  const claimAhead = batchSize / 2
  function claimMore (): Promise<void> | null {
    if (claiming !== null || exhausted) return claiming
    if (Date.now() - started >= options.budgetMs) {
      exhausted = true
      return null
    }
    const now = clock.now()
    claiming = store.claimDeliveries(now, new Date(now.getTime() + options.leaseMs), batchSize, holding).then((batch) => {
      if (batch.length === 0) exhausted = true
      for (const delivery of batch) held.add(delivery.id)
      queue.push(...batch)
    }, (error: unknown) => {
      exhausted = true
      failure ??= error
    }).finally(() => { claiming = null })
    return claiming
  }
  const worker = async () => {
    const none: Committing = { committed: Promise.resolve(), hurry () {} }
    // This worker's last two results, the older first.
    let recent: [Committing, Committing] = [none, none]
    while (failure === undefined) {
      if (queue.length <= claimAhead) claimMore() // errors end up in `failure`
      const delivery = queue.shift()
      if (delivery !== undefined) {
        const { written } = await send(delivery, recent[0])
        recent = [recent[1], written]
        continue
      }
      const more = claimMore()
      if (more === null) return
      await more
    }
  }
  const workers = await Promise.allSettled(Array.from({ length: options.concurrency }, worker))
  await results.flush()
  for (const w of workers) if (w.status === 'rejected') failure ??= w.reason
  if (failure !== undefined) {
    // Every worker has stopped: nothing held is being sent. A post that went through without being recorded is
    // found by its key on the next try, as after a crash.
    const ids = [...held]
    await store.releaseLeases(ids).catch(() => {
      for (const id of ids) deps.abandonedLeases?.add(id)
    })
    throw new DeliveryStopped(failure, counts)
  }
  return counts
}
