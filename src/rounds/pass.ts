// One /rounds pass: everything that is due, in an order that keeps promises to people — pending messages
// (follow-ups before the next intros) first, then new rounds, then their intros.
import { startDueRounds, roundDue, type StartDeps, type StartOptions, type RoundReport, type SkipReport } from './start-rounds.js'
import { deliverPending, DeliveryStopped, DEFAULT_DELIVERY_OPTIONS, type DeliveryCounts, type DeliveryDeps, type DeliveryOptions } from './deliver.js'

export interface PassDeps extends StartDeps {
  gateway: StartDeps['gateway'] & DeliveryDeps['gateway']
  publicUrl: string | undefined
  actionsKey: string | undefined
  delivery?: Partial<DeliveryOptions>
  abandonedLeases?: DeliveryDeps['abandonedLeases']
  sleep?: (ms: number) => Promise<void>
}

export interface PassSummary {
  dry_run: boolean
  rounds: RoundReport[]
  skipped: SkipReport[]
  /** pending is null when it could not be counted (the database stopped answering). */
  deliveries: { sent: number, retried: number, failed: number, pending: number | null, superseded: number, expired: number }
  errors: { channel_id?: string, channel_name?: string, message: string }[]
}

export async function runPass (deps: PassDeps, options: StartOptions = {}): Promise<PassSummary> {
  const dryRun = options.dryRun === true
  const deliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.delivery }
  const deliveries: PassSummary['deliveries'] = { sent: 0, retried: 0, failed: 0, pending: 0, superseded: 0, expired: 0 }
  const errors: PassSummary['errors'] = []
  const add = (counts: DeliveryCounts) => {
    deliveries.sent += counts.sent
    deliveries.retried += counts.retried
    deliveries.failed += counts.failed
    deliveries.superseded += counts.superseded
    deliveries.expired += counts.expired
  }
  const deliver = async (holding: readonly number[] = []) => {
    try {
      add(await deliverPending(deps, deliveryOptions, holding))
    } catch (error) {
      // What went out before it stopped went out: the summary says so.
      if (error instanceof DeliveryStopped) add(error.counts)
      deps.log.error({ err: error }, 'delivering failed')
      errors.push({ message: `delivering failed: ${(error as Error).message}` })
    }
  }

  if (!dryRun) {
    const now = deps.clock.now()
    const programs = await deps.store.programs(options.channelId === undefined ? {} : { channelId: options.channelId })
    const closing = programs.filter((p) => p.lastRoundId !== null && roundDue(p, now, options.force === true) !== null).map((p) => p.lastRoundId!)
    if (deps.publicUrl === undefined) {
      errors.push({ message: 'follow-ups are off: set PUBLIC_URL so Mattermost can reach Coffee when people click "did you meet?"' })
    } else {
      // A round about to start first gets the previous round's follow-up out, even if it was not due yet.
      await deps.followups.enqueueFollowups(now, closing)
    }
    // ...but not its unsent intros: the new round supersedes them (core/staleness.ts), people would get two.
    await deliver(closing)
  }
  const started = await startDueRounds(deps, options).catch((error: unknown) => {
    if (deliveries.sent + deliveries.retried + deliveries.failed === 0) throw error // nothing done: the caller says why
    return { started: [], skipped: [], errors: [stopped(deps, error)] }
  })
  errors.push(...started.errors)
  if (!dryRun) {
    if (started.started.length > 0) {
      await deps.store.refreshStatistics().catch((error: unknown) => { deps.log.warn({ err: error }, 'could not refresh the database statistics') })
      await deliver()
    }
    // The database may have gone away mid-pass: what was done is still worth telling.
    deliveries.pending = await deps.store.pendingCount().catch((error: unknown) => {
      if (started.started.length + deliveries.sent + deliveries.retried + deliveries.failed === 0) throw error
      errors.push(stopped(deps, error))
      return null
    })
  }
  return { dry_run: dryRun, rounds: started.started, skipped: started.skipped, deliveries, errors }
}

function stopped (deps: PassDeps, error: unknown): PassSummary['errors'][number] {
  deps.log.error({ err: error }, 'the pass stopped early')
  return { message: `the pass stopped early, the rest is left for the next call: ${(error as Error).message}` }
}
