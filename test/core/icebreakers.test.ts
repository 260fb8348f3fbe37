// Conversation starters: no person gets a starter again in the round after, whatever the groups; the same seed
// gives the same starters.
import t from 'tap'
import fc from 'fast-check'
import { planRound, type PlanInputs } from '../../src/core/plan-round.js'
import { createRandom } from '../../src/core/matching/index.js'
import { ICEBREAKERS, pickIcebreakers } from '../../src/core/icebreakers.js'
import type { PastGroup } from '../../src/core/matching/index.js'

const now = new Date('2026-11-23T09:00:00Z')

/** Rounds 1..rounds of a program with `people` joined, each planned from the groups (and starters) before it. */
function playRounds (people: number, groupSize: number, rounds: number, seed: number): { round: number, members: string[], icebreakers: string[] }[] {
  const names = Array.from({ length: people }, (_, i) => `p${i}`)
  const random = createRandom(seed)
  const history: (PastGroup & { members: string[], icebreakers: string[] })[] = []
  // Each person's starters in their latest group, as store.pastGroups reads them.
  const starters = new Map<string, readonly string[]>()
  for (let round = 1; round <= rounds; round++) {
    const inputs: PlanInputs = {
      program: { id: 1, mode: 'optin', paused: false, cadenceDays: 7, groupSize, followupHours: 72, announce: true, startAt: now, timezone: '', timezones: true, workingHours: '9-17', lastSlot: null, lastNumber: round - 1 },
      slot: now,
      now,
      // Some people sit out some rounds, so a person's previous group is not always the last round's.
      participants: names.map((name, i) => ({ id: i + 1, userId: name, username: name, status: 'active', skipNext: (i * 7 + round * 3) % 5 === 0, pausedUntil: null, autoPausedAt: null })),
      channelMemberIds: new Set(['bot', ...names]),
      users: new Map(names.map((name) => [name, { id: name, username: name, delete_at: 0 }])),
      botUserId: 'bot',
      unresponsive: [],
      history,
      starters,
      blocks: [],
      random
    }
    const result = planRound(inputs)
    if (!result.ok) continue
    for (const group of result.plan.groups) {
      history.push({ round, members: group.userIds, icebreakers: group.icebreakers })
      for (const member of group.userIds) starters.set(member, group.icebreakers)
    }
  }
  return history
}

t.test('property: nobody sees a starter again in their next group', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 1_000_000 }),
    (people, groupSize, seed) => {
      const groups = playRounds(people, groupSize, 6, seed)
      const last = new Map<string, string[]>()
      for (const group of groups) {
        if (group.icebreakers.length < 2 || group.icebreakers.length > 3) return false
        for (const member of group.members) {
          const before = last.get(member) ?? []
          if (group.icebreakers.some((starter) => before.includes(starter))) return false
          last.set(member, group.icebreakers)
        }
      }
      return true
    }
  ), { numRuns: 150, seed: 11 })
  t.pass('held for every run')
})

t.test('the same seed gives the same starters; another seed others', async (t) => {
  t.same(playRounds(10, 2, 3, 4), playRounds(10, 2, 3, 4))
  t.notSame(playRounds(10, 2, 3, 4).map((g) => g.icebreakers), playRounds(10, 2, 3, 5).map((g) => g.icebreakers))
})

t.test('pickIcebreakers avoids what it is told to while it can, and always gives distinct starters', async (t) => {
  const random = createRandom(3)
  const avoid = new Set(ICEBREAKERS.slice(0, ICEBREAKERS.length - 2))
  const picked = pickIcebreakers(3, avoid, random)
  t.equal(new Set(picked).size, 3)
  t.same(picked.filter((s) => !avoid.has(s)).sort(), ICEBREAKERS.slice(-2).sort(), 'the two fresh ones first, then one it had to repeat')
  t.equal(pickIcebreakers(2, new Set(), createRandom(9)).length, 2)
})
