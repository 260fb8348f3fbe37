// npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [top=25]
// Where a V8 CPU profile (node --cpu-prof, e.g. from `npm run bench:http -- --cpu-prof`) spends its time: self time
// by package (node_modules/<name>, Coffee's own src/ files, Node internals, GC, idle), the hottest functions, and
// the inclusive time of Coffee's own functions (what a handler costs with everything it calls).
import { readFileSync } from 'node:fs'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, hitCount?: number, children?: number[] }
interface Profile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

const [file, topArg] = process.argv.slice(2)
if (file === undefined) {
  console.error('usage: tsx bench/lib/profile-summary.ts <file.cpuprofile> [top]')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

// Self time per node from the sample timeline (more exact than hitCount x mean interval).
const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)))
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
const byId = new Map(profile.nodes.map((node) => [node.id, node]))

function where (frame: CallFrame): string {
  const url = frame.url
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (url.startsWith('node:')) return 'node internals'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules !== null) {
    const name = modules[1] ?? '?'
    return name.startsWith('.') ? 'node_modules' : name
  }
  const own = /\/(src|bench|test)\/(.*)$/.exec(url)
  if (own !== null) return `${own[1] ?? ''}/${own[2] ?? ''}`.replace(/^src\/generated\/.*/, 'src/generated (Prisma client)')
  return url
}
const label = (frame: CallFrame) => `${frame.functionName || '(anonymous)'} ${where(frame)}:${frame.lineNumber + 1}`

const pct = (us: number) => `${(100 * us / total).toFixed(1).padStart(5)} %`
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`
function print (title: string, entries: Map<string, number>, limit: number): void {
  console.log(`\n${title}`)
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit)) console.log(`${pct(us)} ${ms(us)}  ${name}`)
}

const byPackage = new Map<string, number>()
const byFunction = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)
  if (node === undefined) continue
  byPackage.set(where(node.callFrame), (byPackage.get(where(node.callFrame)) ?? 0) + us)
  byFunction.set(label(node.callFrame), (byFunction.get(label(node.callFrame)) ?? 0) + us)
}

// Inclusive time of Coffee's functions: self time of every sample whose stack contains the function (once per stack).
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at)
    if (node === undefined || !/\/(src)\//.test(node.callFrame.url) || node.callFrame.url.includes('/src/generated/')) continue
    const key = label(node.callFrame)
    if (!seen.has(key)) {
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us)
    }
  }
}

console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`)
print('Self time by package', byPackage, top)
print('Hottest functions (self time)', byFunction, top)
print("Coffee's own functions (inclusive time)", inclusive, top)
