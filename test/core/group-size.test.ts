import fc from 'fast-check'
import t from 'tap'
import { describeLeftovers, groupSizes, parseGroupSize, MAX_GROUP_SIZE, MIN_GROUP_SIZE } from '../../src/core/group-size.js'

t.test('config size: every size from a pair to what a group message holds, nothing else', async (t) => {
  for (let size = MIN_GROUP_SIZE; size <= MAX_GROUP_SIZE; size++) t.same(parseGroupSize(String(size)), { ok: true, value: size })
  for (const value of ['1', '8', '0', '', 'three', '2.5', '-3', '3 people', '07x']) {
    const parsed = parseGroupSize(value)
    t.equal(parsed.ok, false, `"${value}" is refused`)
    if (!parsed.ok) t.match(parsed.error, /Groups can have 2 to 7 people\. Try `\/coffee config size 3`\./)
  }
})

t.test('groupSizes: the examples of issue #11 and the small counts', async (t) => {
  t.same(groupSizes(8, 3), [3, 3, 2], '8 in threes: 3+3+2, not 4+4')
  t.same(groupSizes(9, 3), [3, 3, 3])
  t.same(groupSizes(10, 3), [3, 3, 2, 2])
  t.same(groupSizes(14, 3), [3, 3, 3, 3, 2])
  t.same(groupSizes(7, 2), [3, 2, 2], 'pairs: an odd count makes one trio')
  t.same(groupSizes(8, 2), [2, 2, 2, 2])
  t.same(groupSizes(3, 2), [3])
  t.same(groupSizes(7, 4), [4, 3])
  t.same(groupSizes(11, 4), [4, 4, 3])
  t.same(groupSizes(5, 4), [3, 2], 'too few for fours and threes: never larger than asked')
  t.same(groupSizes(8, 7), [4, 4])
  t.same(groupSizes(13, 7), [7, 6])
  t.same(groupSizes(3, 4), [3], 'fewer than the size: one group')
  t.same(groupSizes(2, 7), [2])
  t.same(groupSizes(1, 3), [])
  t.same(groupSizes(0, 2), [])
  for (const [n, size] of [[-1, 2], [2.5, 2], [4, 1], [4, 2.5], [Number.NaN, 3]] as const) {
    t.throws(() => groupSizes(n, size), RangeError, `${n} people in groups of ${size}`)
  }
})

/** Whether n can be split into groups of size and size - 1 only. */
const splitsIntoSizeAndOneLess = (n: number, size: number): boolean => {
  for (let groups = 1; groups * (size - 1) <= n; groups++) if (n <= groups * size) return true
  return false
}

/** The rule, checked for one count and size; the reason it fails, or null. */
function breaks (n: number, size: number): string | null {
  const sizes = groupSizes(n, size)
  if (sizes.reduce((x, y) => x + y, 0) !== n) return 'the sizes do not add up to n'
  if (sizes.some((x) => x < 2)) return 'a group of one'
  if (Math.max(...sizes) - Math.min(...sizes) > 1) return 'sizes differ by more than one'
  if (size === 2) {
    return sizes.filter((x) => x === 3).length === n % 2 && sizes.every((x) => x <= 3) ? null : 'pairs: not one trio exactly when n is odd'
  }
  if (n < size) return sizes.length === 1 ? null : 'fewer than the size: not one group'
  if (sizes.some((x) => x > size)) return 'a group larger than asked'
  if (sizes.length !== Math.ceil(n / size)) return 'not the fewest groups'
  if (splitsIntoSizeAndOneLess(n, size) && sizes.some((x) => x < size - 1)) return `a group below ${size - 1} though n splits into ${size} and ${size - 1}`
  return null
}

t.test('groupSizes: every n from 2 to 50 and every size 2–7', async (t) => {
  const broken: string[] = []
  for (let n = 2; n <= 50; n++) {
    for (let size = MIN_GROUP_SIZE; size <= MAX_GROUP_SIZE; size++) {
      const reason = breaks(n, size)
      if (reason !== null) broken.push(`${n} in groups of ${size}: ${reason} (${groupSizes(n, size).join('+')})`)
    }
  }
  t.same(broken, [])
  // Where n cannot be split into size and size - 1, the groups are smaller, never larger: these are all such n.
  const below = (size: number): number[] => Array.from({ length: 49 }, (_, i) => i + 2).filter((n) => n >= size && !splitsIntoSizeAndOneLess(n, size))
  t.same(below(3), [])
  t.same(below(4), [5])
  t.same(below(7), [8, 9, 10, 11, 15, 16, 17, 22, 23, 29])
})

t.test('groupSizes: the same rule for large counts', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 10_000 }), fc.integer({ min: MIN_GROUP_SIZE, max: MAX_GROUP_SIZE }), (n, size) => breaks(n, size) === null), { seed: 42, numRuns: 1000 })
  t.pass('property held for 1000 counts')
})

t.test('describeLeftovers: the words match the rule', async (t) => {
  t.equal(describeLeftovers(2), 'a trio when the count is odd')
  t.equal(describeLeftovers(3), "some of 2 when the count doesn't divide evenly")
  t.equal(describeLeftovers(7), "some of 6 when the count doesn't divide evenly")
})
