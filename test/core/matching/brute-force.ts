// Exhaustive reference answers for small inputs, used to check the matcher's claims of "impossible" and
// "unavoidable". Exponential; keep n at about 10.

export type Compatible = (a: number, b: number) => boolean

/** Can 0..n-1 be split into groups whose sizes lie in [lo, hi] with every pair inside compatible? */
export function partitionExists (n: number, lo: number, hi: number, compatible: Compatible): boolean {
  return bestPartition(n, lo, hi, compatible, () => 0) !== null
}

/**
 * The least total pair cost over partitions of 0..n-1 into compatible groups with sizes in [lo, hi]
 * (and, when `sizes` is given, exactly that multiset of sizes); null when there is none.
 */
export function bestPartition (
  n: number,
  lo: number,
  hi: number,
  compatible: Compatible,
  cost: (a: number, b: number) => number,
  sizes?: readonly number[],
  /** A condition on a whole group (e.g. a shared hour of working time), beyond its pairs. */
  groupOk: (members: readonly number[]) => boolean = () => true
): number | null {
  const remainingSizes = sizes === undefined ? null : [...sizes]
  let best: number | null = null
  const assigned = new Array<boolean>(n).fill(false)

  const search = (total: number): void => {
    let first = 0
    while (first < n && assigned[first]) first++
    if (first === n) {
      if (remainingSizes === null || remainingSizes.length === 0) best = best === null ? total : Math.min(best, total)
      return
    }
    if (best !== null && total >= best) return
    assigned[first] = true
    const group = [first]
    const extend = (from: number, groupCost: number): void => {
      const size = group.length
      if (size >= lo && size <= hi && groupOk(group)) {
        const index = remainingSizes === null ? -1 : remainingSizes.indexOf(size)
        if (remainingSizes === null || index >= 0) {
          if (index >= 0) remainingSizes!.splice(index, 1)
          search(total + groupCost)
          if (index >= 0) remainingSizes!.splice(index, 0, size)
        }
      }
      if (size === hi) return
      for (let x = from; x < n; x++) {
        if (assigned[x] || !group.every((y) => compatible(x, y))) continue
        let added = 0
        for (const y of group) added += cost(x, y)
        assigned[x] = true
        group.push(x)
        extend(x + 1, groupCost + added)
        group.pop()
        assigned[x] = false
      }
    }
    extend(first + 1, 0)
    assigned[first] = false
  }
  search(0)
  return best
}
