// One matchRound for an everyone-channel: --people=100000 with 52 rounds of weekly pair history (random pairings,
// as a year of rounds in a channel that size makes: almost no pair twice), optionally in three time zones. Run by
// bench/matching.ts in a child process with the Docker image's heap limit (--max-old-space-size=256); reports time
// and memory to the parent over IPC (or prints them when run alone).
//
// --history=columns (default): the history as a GroupHistory (src/core/matching/history.ts) built from integer ids,
// as a store reading (round, participant id) rows would, timed separately; --history=objects: 2.6 million PastGroup
// objects with string ids, as the rounds service passed them before, to show what that form costs by itself.
import { parseArgs } from 'node:util'
import { createRandom, GroupHistory, hashString, matchRound, type PastGroup } from '../../src/core/matching/index.js'
import { availability } from '../../src/core/working-hours.js'

export interface LargeResult {
  type: 'result'
  people: number
  zones: boolean
  history: 'columns' | 'objects'
  pastGroups: number
  /** Building the GroupHistory from integer ids (columns only). */
  historyMs: number
  ms: number
  cpuMs: number
  repeats: number
  apart: number
  alone: number
  groups: number
  /** Resident set high-water mark of the whole process (kernel's ru_maxrss). */
  maxRssMb: number
  /** V8's heap: the most it had committed, and in use, right after the call. */
  heapTotalMb: number
  heapUsedMb: number
  /** Typed-array memory (outside the heap limit, inside RSS) right after the call. */
  arrayBuffersMb: number
}

const { values: args } = parseArgs({ options: { people: { type: 'string', default: '100000' }, zones: { type: 'string', default: '0' }, history: { type: 'string', default: 'columns' }, seed: { type: 'string', default: '1' } } })
const n = Number(args.people)
const zoned = args.zones === '1'
const mode = args.history === 'objects' ? 'objects' : 'columns'
const ROUNDS = 52
const CLUSTERS = ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo']

const ids = Array.from({ length: n }, (_, i) => `user-${String(i).padStart(6, '0')}`)
const random = createRandom(hashString(`${args.seed}:${n}:large`))
const permutation = (): Int32Array => {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = order[i]!
    order[i] = order[j]!
    order[j] = tmp
  }
  return order
}
// Round r pairs order[0] with order[1], order[2] with order[3], …
const rounds = Array.from({ length: ROUNDS }, permutation)
const pastGroups = ROUNDS * Math.floor(n / 2)

let historyMs = 0
let history: PastGroup[] | GroupHistory
if (mode === 'objects') {
  history = []
  for (let r = 0; r < ROUNDS; r++) {
    const order = rounds[r]!
    for (let i = 0; i + 1 < n; i += 2) history.push({ round: r + 1, members: [ids[order[i]!]!, ids[order[i + 1]!]!] })
  }
} else {
  const started = performance.now()
  const columns = new GroupHistory()
  // A store numbers people itself (participant ids): each id is looked up once, groups are integers.
  const person = Int32Array.from(ids, (id) => columns.person(id))
  const pair = new Int32Array(2)
  for (let r = 0; r < ROUNDS; r++) {
    const order = rounds[r]!
    for (let i = 0; i + 1 < n; i += 2) {
      pair[0] = person[order[i]!]!
      pair[1] = person[order[i + 1]!]!
      columns.addGroup(r + 1, pair)
    }
  }
  history = columns
  historyMs = performance.now() - started
}

const zones = new Map(ids.map((id, i) => [id, CLUSTERS[i % CLUSTERS.length]!]))
const mb = (bytes: number): number => Math.round(bytes / 2 ** 20)

const started = performance.now()
const cpu = process.cpuUsage()
const avail = zoned ? availability(zones, { start: 9, end: 17 }, new Date('2026-03-02T09:00:00Z')) : undefined
const result = matchRound({ people: ids, groupSize: 2, history, blocks: [], round: ROUNDS + 1, random: createRandom(1), ...(avail === undefined ? {} : { availability: avail }) })
const used = process.cpuUsage(cpu)
const ms = performance.now() - started
const memory = process.memoryUsage()
const report: LargeResult = {
  type: 'result',
  people: n,
  zones: zoned,
  history: mode,
  pastGroups,
  historyMs,
  ms,
  cpuMs: (used.user + used.system) / 1000,
  repeats: result.repeats,
  apart: result.apart,
  alone: result.alone.length,
  groups: result.groups.length,
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  heapTotalMb: mb(memory.heapTotal),
  heapUsedMb: mb(memory.heapUsed),
  arrayBuffersMb: mb(memory.arrayBuffers)
}
if (process.send === undefined) console.log(JSON.stringify(report))
else process.send(report)
