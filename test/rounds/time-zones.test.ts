// Time zones through the whole service: people in Berlin, Los Angeles and Tokyo as Mattermost reports them (the
// automatic or the manual zone, as useAutomaticTimezone says), groups that share working hours, and the intro's line.
import t from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say, mmId } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { DAY_MS } from '../../src/core/durations.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'

async function groupsOf (prisma: PrismaClient, number: number): Promise<string[][]> {
  const groups = await prisma.group.findMany({ where: { round: { number } }, include: { members: { include: { participant: true } } }, orderBy: { index: 'asc' } })
  return groups.map((g) => g.members.map((m) => m.participant.username).sort()).sort((x, y) => x[0]!.localeCompare(y[0]!))
}

t.test('Berlin, Los Angeles and Tokyo: groups share working hours before they avoid repeats, and the intro says when', async (t) => {
  // Seed 3 groups across zones when time zones are off (the next test): the zones are what keeps these groups.
  const world = await createJoinedWorld(t, ['ana', 'eva', 'ben', 'kai'], { seed: 3 })
  world.person('lead', { admin: true })
  const zones: Record<string, { automaticTimezone: string, manualTimezone: string, useAutomaticTimezone: string }> = {
    ana: { automaticTimezone: '', manualTimezone: 'Europe/Berlin', useAutomaticTimezone: 'false' },
    eva: { automaticTimezone: 'Europe/Berlin', manualTimezone: '', useAutomaticTimezone: 'true' },
    // Mattermost keeps both; the automatic one counts while useAutomaticTimezone is "true".
    ben: { automaticTimezone: 'America/Los_Angeles', manualTimezone: 'Asia/Tokyo', useAutomaticTimezone: 'true' },
    kai: { automaticTimezone: 'America/Los_Angeles', manualTimezone: 'Asia/Tokyo', useAutomaticTimezone: 'false' }
  }
  for (const [name, zone] of Object.entries(zones)) world.mm.user(mmId(name))!.timezone = zone
  const intros = (round: number) => world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id))
    .filter((p) => String(p.props?.coffee_delivery ?? '').startsWith('intro:') && String(p.props?.coffee_delivery).split(':')[2] === String(round))
    .map((p) => p.message)

  // Round 1 (Monday 23 Nov, 09:00 UTC), 09:00–17:00: Berlin meets only Berlin; Los Angeles at 16:00 is Tokyo at 09:00.
  await pass(world.app)
  t.same(await groupsOf(world.db.prisma, 1), [['ana', 'eva'], ['ben', 'kai']])
  const round1 = intros(1)
  t.equal(round1.length, 2)
  t.ok(round1.some((m) => m.includes('\n🕘 **When you can all meet:** Mon–Thu, 16:00–17:00 for @ben (America/Los_Angeles), 09:00–10:00 for @kai (Asia/Tokyo).\n')), 'the Los Angeles–Tokyo intro says when, in each one\'s own time')
  t.ok(round1.some((m) => m.includes('@ana') && !m.includes('🕘') && !m.includes('🌍')), 'one zone in the Berlin group: nothing to add')

  // Round 2: every new partner is in a zone without a shared hour, so the same groups meet again.
  world.clock.advance(7 * DAY_MS)
  await pass(world.app)
  t.same(await groupsOf(world.db.prisma, 2), [['ana', 'eva'], ['ben', 'kai']], 'a group that can meet before a new partner')

  // 08:00–18:00: Berlin 08–10 is Tokyo 16–18, Berlin 17–18 is Los Angeles 08–09: new partners who can meet.
  t.equal(await say(world.app, 'config hours 8-18', { userName: 'lead' }), 'Done: from the next round, working hours are **08:00–18:00** on weekdays, in each person\'s own time zone.')
  t.match(await say(world.app, 'config hours 18-8', { userName: 'lead' }), /is not a span of working hours/)
  world.clock.advance(7 * DAY_MS)
  await pass(world.app)
  const round3 = await groupsOf(world.db.prisma, 3)
  t.ok(round3.every((g) => g.length === 2 && !(g[0] === 'ana' && g[1] === 'eva') && !(g[0] === 'ben' && g[1] === 'kai')), `no repeats now: ${JSON.stringify(round3)}`)
  const line = (text: string) => text.split('\n').find((l) => l.startsWith('🕘')) ?? ''
  const lines = intros(3).map(line).sort()
  t.same(lines, [
    round3.some((g) => g.includes('ana') && g.includes('ben'))
      ? '🕘 **When you can all meet:** Mon–Fri, 17:00–18:00 for @ana (Europe/Berlin), 08:00–09:00 for @ben (America/Los_Angeles).'
      : '🕘 **When you can all meet:** Mon–Fri, 17:00–18:00 for @eva (Europe/Berlin), 08:00–09:00 for @ben (America/Los_Angeles).',
    round3.some((g) => g.includes('ana') && g.includes('kai'))
      ? '🕘 **When you can all meet:** Mon–Fri, 08:00–10:00 for @ana (Europe/Berlin), 16:00–18:00 for @kai (Asia/Tokyo).'
      : '🕘 **When you can all meet:** Mon–Fri, 08:00–10:00 for @eva (Europe/Berlin), 16:00–18:00 for @kai (Asia/Tokyo).'
  ].sort())

  // Off: no line, and the zones no longer keep anyone together.
  t.equal(await say(world.app, 'config timezones off', { userName: 'lead' }), 'Done: from the next round, time zones are not looked at.')
  t.match(await say(world.app, 'config timezones maybe', { userName: 'lead' }), /`on`.*`off`/)
  world.clock.advance(7 * DAY_MS)
  await pass(world.app)
  t.equal(intros(4).length, 2)
  t.ok(intros(4).every((m) => !m.includes('🕘') && !m.includes('🌍')), 'time zones off: no line about them')
})

t.test('time zones off from the start: the same seed groups across zones, and an unknown zone fits anyone', async (t) => {
  const world = await createJoinedWorld(t, ['ana', 'eva', 'ben', 'kai'], { seed: 3 })
  world.person('lead', { admin: true })
  world.mm.user(mmId('ana'))!.timezone = { automaticTimezone: '', manualTimezone: 'Europe/Berlin', useAutomaticTimezone: 'false' }
  world.mm.user(mmId('eva'))!.timezone = { automaticTimezone: 'Europe/Berlin', manualTimezone: '', useAutomaticTimezone: 'true' }
  world.mm.user(mmId('ben'))!.timezone = { automaticTimezone: 'America/Los_Angeles', manualTimezone: '', useAutomaticTimezone: 'true' }
  world.mm.user(mmId('kai'))!.timezone = { automaticTimezone: '', manualTimezone: 'Not/A_Zone', useAutomaticTimezone: 'false' }
  await say(world.app, 'config timezones off', { userName: 'lead' })
  await pass(world.app)
  const off = await groupsOf(world.db.prisma, 1)
  t.notSame(off, [['ana', 'eva'], ['ben', 'kai']], `the seed groups across zones when zones are off: ${JSON.stringify(off)}`)

  // On again, next round: kai's zone is unknown, so kai fits anyone; Berlin and Los Angeles still do not meet.
  await say(world.app, 'config timezones on', { userName: 'lead' })
  world.clock.advance(7 * DAY_MS)
  await pass(world.app)
  const on = await groupsOf(world.db.prisma, 2)
  t.ok(on.every((g) => !(g.includes('ben') && (g.includes('ana') || g.includes('eva')))), `Los Angeles is with kai: ${JSON.stringify(on)}`)
})
