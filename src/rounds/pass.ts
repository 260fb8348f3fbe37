// One /rounds pass: everything that is due, in an order that keeps promises to people — pending messages
// (follow-ups before the next intros) first, then new rounds, then their intros.
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../clock.js'
import type { RoundsStore } from '../store/rounds.js'
import type { RoundsGateway } from './ports.js'
import { startDueRounds, type StartOptions, type RoundReport, type SkipReport } from './start-rounds.js'
import { deliverPending, DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './deliver.js'

export interface PassDeps {
  store: RoundsStore
  gateway: RoundsGateway
  clock: Clock
  random: () => number
  log: FastifyBaseLogger
  publicUrl: string | undefined
  actionsSecret: string | undefined
  delivery?: Partial<DeliveryOptions>
  sleep?: (ms: number) => Promise<void>
}

export interface PassSummary {
  dry_run: boolean
  rounds: RoundReport[]
  skipped: SkipReport[]
  deliveries: { sent: number, retried: number, failed: number, pending: number }
  errors: { channel_id?: string, message: string }[]
}

export async function runPass (deps: PassDeps, options: StartOptions = {}): Promise<PassSummary> {
  const dryRun = options.dryRun === true
  const deliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.delivery }
  const deliveries = { sent: 0, retried: 0, failed: 0, pending: 0 }
  const errors: PassSummary['errors'] = []
  const deliver = async () => {
    try {
      const counts = await deliverPending(deps, deliveryOptions)
      deliveries.sent += counts.sent
      deliveries.retried += counts.retried
      deliveries.failed += counts.failed
    } catch (error) {
      deps.log.error({ err: error }, 'delivering failed')
      errors.push({ message: `delivering failed: ${(error as Error).message}` })
    }
  }

  if (!dryRun) await deliver()
  const started = await startDueRounds(deps, options)
  errors.push(...started.errors)
  if (!dryRun) {
    if (started.started.length > 0) await deliver()
    deliveries.pending = await deps.store.pendingCount()
  }
  return { dry_run: dryRun, rounds: started.started, skipped: started.skipped, deliveries, errors }
}
