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
