export const BENCH_TEAM_ID = 'benchteamxxxxxxxxxxxxxxxxx'
export const BENCH_CHANNEL_ID = 'benchchannelxxxxxxxxxxxxxx'

/** A 26-character Mattermost-style id for the i-th bench user of a kind ("p" participant, "b" baseline). */
export function benchUserId (kind: 'p' | 'b', i: number): string {
  return `${kind}${String(i).padStart(8, '0')}`.padEnd(26, 'x')
}
