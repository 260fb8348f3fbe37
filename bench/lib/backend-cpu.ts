// CPU time of the Postgres backends serving one database, read from /proc/<pid>/stat: works when Postgres runs on
// this machine (as in CI and in the bench figures), and answers undefined otherwise. Backends that end during a
// measurement are not counted, so the figure is a lower bound (the pool keeps its connections while under load).
import { readFileSync } from 'node:fs'
import pg from 'pg'

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on every Linux Node supports). */
const TICKS_PER_SECOND = 100

export class BackendCpu {
  private constructor (private readonly client: pg.Client, private readonly database: string) {}

  static async open (serverUrl: string, database: string): Promise<BackendCpu> {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    return new BackendCpu(client, database)
  }

  /** CPU microseconds used so far by each backend of the database, or undefined when /proc does not show them. */
  async sample (): Promise<Map<number, number> | undefined> {
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.database])
    const micros = new Map<number, number>()
    for (const { pid } of rows) {
      let stat: string
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue // ended meanwhile, or not on this machine
      }
      // "pid (comm) state ppid …": utime and stime are fields 14 and 15, the 12th and 13th after "(comm)". A comm other
      // than postgres means the pid belongs to another pid namespace (Postgres in a container).
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (comm !== 'postgres') continue
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      micros.set(pid, (Number(fields[11]) + Number(fields[12])) * 1e6 / TICKS_PER_SECOND)
    }
    if (micros.size === 0 && rows.length > 0) return undefined
    return micros
  }

  /** CPU microseconds used between two samples by the backends alive at the second. */
  static between (before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
    if (before === undefined || after === undefined) return undefined
    let sum = 0
    for (const [pid, micros] of after) sum += micros - (before.get(pid) ?? 0)
    return sum
  }

  async close (): Promise<void> {
    await this.client.end()
  }
}
