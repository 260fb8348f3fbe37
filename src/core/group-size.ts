// How many people a group may have: at least a pair; at most what a Mattermost group message holds besides the bot
// (Mattermost wants 3 to 8 members in one).
export const MIN_GROUP_SIZE = 2
export const MAX_GROUP_SIZE = 7

/** A channel admin's `config size …`: the size, or what to type instead. */
export function parseGroupSize (value: string): { ok: true, value: number } | { ok: false, error: string } {
  const size = /^\d+$/.test(value) ? Number(value) : NaN
  if (size >= MIN_GROUP_SIZE && size <= MAX_GROUP_SIZE) return { ok: true, value: size }
  return { ok: false, error: `Groups can have ${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE} people. Try \`/coffee config size 3\`.` }
}

/**
 * The sizes of the groups n people make when groups of `size` are asked for, largest first. Never a group of one.
 * Pairs: one trio when n is odd (7 → 3 + 2 + 2). Larger sizes: the fewest groups of at most `size`, as equal as
 * possible — so groups of `size` and `size - 1` (8 in threes → 3 + 3 + 2, 10 → 3 + 3 + 2 + 2, 7 in fours → 4 + 3),
 * smaller only when n is too small for that (5 in fours → 3 + 2, 8 in sevens → 4 + 4). Fewer people than `size`
 * make one group; fewer than two, none.
 */
export function groupSizes (n: number, size: number): number[] {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(size) || size < MIN_GROUP_SIZE) {
    throw new RangeError(`groupSizes needs a count of people and a size of at least ${MIN_GROUP_SIZE}, got ${n} and ${size}`)
  }
  if (n < 2) return []
  // Pairs would leave a person alone where larger sizes leave a pair; the odd one joins a pair instead.
  const groups = size === 2 ? Math.floor(n / 2) : Math.ceil(n / size)
  const base = Math.floor(n / groups)
  const larger = n - base * groups
  return Array.from({ length: groups }, (_, i) => base + (i < larger ? 1 : 0))
}

/** The rule above in words, after "groups of 3": what happens when the count doesn't divide (status, config). */
export function describeLeftovers (size: number): string {
  return size === 2 ? 'a trio when the count is odd' : `some of ${size - 1} when the count doesn't divide evenly`
}
