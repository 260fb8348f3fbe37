/** The clock port: everything that depends on time asks this, so tests can move time. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests move by hand. */
export function createManualClock (start: Date | string): Clock & { set(at: Date | string): void, advance(ms: number): void } {
  let current = new Date(start).getTime()
  return {
    now: () => new Date(current),
    set: (at) => { current = new Date(at).getTime() },
    advance: (ms) => { current += ms }
  }
}
