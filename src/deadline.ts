// Waiting with a limit, for request paths that must answer even when what they wait for does not (a stalled database,
// a silent Mattermost). Nothing is cancelled: the work goes on, and its outcome, even a rejection, is just not waited for.

export const LATE = Symbol('late')

/** The work's result, or LATE when it has not settled within ms. */
export async function within<T> (work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<typeof LATE>((resolve) => { timer = setTimeout(resolve, ms, LATE) })])
  } finally {
    clearTimeout(timer)
  }
}
