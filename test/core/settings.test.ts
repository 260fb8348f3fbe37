// The settings form read as /coffee config words: untouched settings are left alone, the others are read in order,
// each seeing the changes before it; a mistake is reported by its first field and nothing else is lost.
import t from 'tap'
import { changeFromForm, settingOf, SETTINGS, type ProgramState, type SettingContext } from '../../src/core/settings.js'

const now = new Date('2026-11-23T09:00:00Z') // a Monday
const program: ProgramState = { cadenceDays: 7, groupSize: 2, followupHours: 72, mode: 'optin', announce: true, workingHours: '9-17', timezones: true, paused: false, timezone: 'UTC', startAt: new Date('2026-11-30T10:00:00Z') }
const ctx: SettingContext = { program, lastSlot: null, now, ownZone: '' }

/** What the form shows for the program: every field of every setting. */
function shownFields (state: ProgramState = program): Record<string, string> {
  return Object.assign({}, ...SETTINGS.map((s) => s.form?.shown({ program: state, lastSlot: null }) ?? {}))
}

t.test('the form shows the program; sent back untouched, it changes nothing', async (t) => {
  const shown = shownFields()
  t.same(shown, { cadenceDays: '1 week', groupSize: '2', mode: 'optin', followupHours: '3 days', workingHours: '9-17', timezones: 'on', announce: 'on', timezone: 'UTC', startDay: 'monday', startTime: '10:00', state: 'running' })
  t.same(changeFromForm(shown, ctx), { patch: {}, done: [], errors: {} })
  t.same(changeFromForm({}, ctx), { patch: {}, done: [], errors: {} }, 'fields not sent are left alone')
  t.same(changeFromForm({ ...shown, cadenceDays: '7 days' }, ctx), { patch: {}, done: [], errors: {} }, 'another spelling of the same value')
})

t.test('changes are read in order: the cadence before the schedule that mentions it, the zone before a start in it', async (t) => {
  const change = changeFromForm({ ...shownFields(), cadenceDays: '2 weeks', timezone: 'Europe/Berlin', startDay: 'wednesday', startTime: '14:30', state: 'paused' }, ctx)
  t.same(change.errors, {})
  t.same(change.patch, { cadenceDays: 14, timezone: 'Europe/Berlin', startAt: new Date('2026-11-25T13:30:00Z'), paused: true })
  t.match(change.done[2], /^Done: Round 1 is on \*\*Wed 25 Nov 2026, 14:30 \(Europe\/Berlin\)\*\*, then every 2 weeks on Wednesdays at 14:30 \(Europe\/Berlin\)\.$/)
  t.equal(change.done.length, 4)
})

t.test('the fields say the words an admin would type, and the same setting reads them', async (t) => {
  const words = (values: Record<string, string>) => SETTINGS.flatMap((s) => s.form === undefined ? [] : [s.form.words({ ...shownFields(), ...values })])
  t.ok(words({ startDay: 'now' }).includes('start now'))
  t.ok(words({ state: 'paused' }).includes('pause'))
  t.ok(words({}).includes('resume'))
  const start = settingOf('start tuesday 9:30')
  t.ok('setting' in start && start.setting.usage.startsWith('start'))
  t.match(settingOf('colour blue'), { error: /I don't know the setting `colour`/ })
})

t.test('mistakes are reported by each setting\'s first field, with the command\'s words; nothing is patched', async (t) => {
  const change = changeFromForm({ groupSize: '9', startDay: 'tuesday', startTime: '25:00', state: 'asleep' }, ctx)
  t.same(change.patch, {})
  t.same(Object.keys(change.errors).sort(), ['groupSize', 'startDay', 'state'])
  t.match(change.errors.startDay, /^`25:00` is not a time of day\. Use the 24-hour clock/)
  t.match(change.errors.state, /I don't know the setting `state`/)
})

t.test('a first schedule is in the admin\'s own zone, as the command says', async (t) => {
  const fresh = { ...program, timezone: '', startAt: null }
  const change = changeFromForm({ startDay: 'monday', startTime: '' }, { ...ctx, program: fresh, ownZone: 'America/New_York' })
  t.same(change.patch, { startAt: new Date('2026-11-23T15:00:00Z'), timezone: 'America/New_York' })
  t.match(change.done[0], /Times are in America\/New_York, your time zone in Mattermost/)
})
