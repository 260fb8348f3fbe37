// The delivery workers' group commit (src/rounds/deliver.ts): results wait for company, unless a worker is waiting for
// one of them (it must be written before that worker posts again); then the write starts at once with what has come.
import t from 'tap'
import { setImmediate as tick } from 'node:timers/promises'
import { createGroupCommit } from '../../src/rounds/deliver.js'

const LONG_DELAY_MS = 60_000

function recorder () {
  const writes: number[][] = []
  return { writes, commit: createGroupCommit(async (items: number[]) => { writes.push(items) }, LONG_DELAY_MS) }
}

t.test('without a hurry, items wait for the delay (or a flush) and go together', async (t) => {
  const { writes, commit } = recorder()
  const first = commit.add(1)
  commit.add(2)
  await tick()
  await tick()
  t.same(writes, [], 'nothing written before the delay')
  await commit.flush()
  await first.committed
  t.same(writes, [[1, 2]], 'one write for both')
})

t.test('a hurried item is written at once, with what was queued before the write starts', async (t) => {
  const { writes, commit } = recorder()
  const first = commit.add(1)
  first.hurry()
  commit.add(2) // came back in the same turn: joins the write
  await first.committed
  t.same(writes, [[1, 2]], 'written long before the delay, both in one write')
  const third = commit.add(3)
  await tick()
  await tick()
  t.same(writes, [[1, 2]], 'a later item without a hurry waits again')
  third.hurry()
  await third.committed
  t.same(writes, [[1, 2], [3]])
  first.hurry() // already written: nothing to do
  await tick()
  t.same(writes, [[1, 2], [3]], 'hurrying a written item writes nothing')
})

t.test('an item hurried while a write is in progress goes in the next write as soon as that one ends', async (t) => {
  const writes: number[][] = []
  let release!: () => void
  const blocked = new Promise<void>((resolve) => { release = resolve })
  const commit = createGroupCommit(async (items: number[]) => {
    writes.push(items)
    if (writes.length === 1) await blocked
  }, LONG_DELAY_MS)
  const first = commit.add(1)
  first.hurry()
  await tick()
  t.same(writes, [[1]], 'the first write is in progress')
  const second = commit.add(2)
  second.hurry()
  await tick()
  t.same(writes, [[1]], 'one write at a time')
  release()
  await second.committed
  t.same(writes, [[1], [2]], 'the second followed at once, not after the delay')
})
