// "We already know each other" (the intro's button): which pairs a click records, and what the intro then says.
// The matcher treats a recorded pair like a block (start-rounds.ts merges them), but only in the program it was said in.

/** A pair as it is stored: the smaller participant id first, so that each pair has one row. */
export function orderedPair (one: number, other: number): [number, number] {
  return one < other ? [one, other] : [other, one]
}

/** A click records the clicker with each other member of the group: in a trio, not the two others' own pair. */
export function pairsOfClick (clickerId: number, memberIds: readonly number[]): [number, number][] {
  return memberIds.filter((id) => id !== clickerId).map((id) => orderedPair(clickerId, id))
}

/** A recorded pair in one group, as the intro names it. */
export interface AcquaintedPair {
  recordedBy: string
  a: string
  b: string
}

/** Who said whom they know, in the order they said it: each clicker once, with the people their click recorded. */
export function acquaintedBy (pairs: readonly AcquaintedPair[]): { clicker: string, knows: string[] }[] {
  const said = new Map<string, string[]>()
  for (const { recordedBy, a, b } of pairs) {
    const other = a === recordedBy ? b : a
    said.set(recordedBy, [...(said.get(recordedBy) ?? []), other])
  }
  return [...said].map(([clicker, knows]) => ({ clicker, knows }))
}
