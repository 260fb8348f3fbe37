import t from 'tap'
import { parseGroupSize, MAX_GROUP_SIZE, MIN_GROUP_SIZE } from '../../src/core/group-size.js'

t.test('config size: every size from a pair to what a group message holds, nothing else', async (t) => {
  for (let size = MIN_GROUP_SIZE; size <= MAX_GROUP_SIZE; size++) t.same(parseGroupSize(String(size)), { ok: true, value: size })
  for (const value of ['1', '8', '0', '', 'three', '2.5', '-3', '3 people', '07x']) {
    const parsed = parseGroupSize(value)
    t.equal(parsed.ok, false, `"${value}" is refused`)
    if (!parsed.ok) t.match(parsed.error, /Groups can have 2 to 7 people\. Try `\/coffee config size 3`\./)
  }
})
