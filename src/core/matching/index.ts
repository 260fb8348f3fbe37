// Who meets whom: the pure matching core. No I/O, no clock, no global randomness.
export { matchRound } from './match-round.js'
export { createRandom, hashString, type Random } from './random.js'
export { EdgeList, maxWeightMatching, type MatchingOptions } from './blossom.js'
export { GroupHistory } from './history.js'
export type { MatchInput, MatchResult, PastGroup } from './types.js'
