// The "did you meet?" post from its one builder, as delivery posts it and as /actions updates it.
import t from 'tap'
import { followupPost } from '../../src/core/followup-post.js'
import { verifyContext } from '../../src/core/buttons.js'

const buttons = { actionsUrl: 'https://coffee.example.com/actions', key: 'k'.repeat(32) }
const base = { kind: 'followup' as const, groupId: 7, members: ['ana', 'ben'], buttons, reminded: false }

t.test('before anyone answers: the question and three signed buttons', async (t) => {
  const post = followupPost({ ...base, answers: [] })
  t.equal(post.message, '☕ **How did it go?** @ana and @ben — did you get to meet? Tell me with a button below; it helps everyone see how coffee is going.')
  t.equal(post.settled, false)
  const actions = post.attachments[0]?.actions ?? []
  t.same(actions.map((a) => a.id), ['coffeemet', 'coffeenotyet', 'coffeecancelled'])
  t.ok(actions.every((a) => a.integration.url === buttons.actionsUrl))
  t.same(actions.map((a) => verifyContext(buttons.key, a.integration.context)), [{ group: 7, answer: 'met' }, { group: 7, answer: 'not_yet' }, { group: 7, answer: 'cancelled' }])
})

t.test('"not yet" keeps the buttons and shows the answer; "we met" settles it, and the others can still answer', async (t) => {
  const waiting = followupPost({ ...base, answers: [{ username: 'ben', answer: 'not_yet' }] })
  t.match(waiting.message, /\n\n⏳ @ben says not yet$/)
  t.equal(waiting.attachments.length, 1)
  const trio = { ...base, members: ['ana', 'ben', 'cleo'] }
  const met = followupPost({ ...trio, answers: [{ username: 'ben', answer: 'not_yet' }, { username: 'ana', answer: 'met' }] })
  t.equal(met.message, '☕ **How did it go?** @ana, @ben and @cleo — did you get to meet? Tell me with a button below; it helps everyone see how coffee is going.\n\n⏳ @ben says not yet\n✅ @ana says you met')
  t.equal(met.attachments.length, 1, 'cleo has not answered: the buttons stay for her')
  t.equal(met.settled, true, 'no reminder is needed')
  t.equal(met.outcome, 'met')
  const all = followupPost({ ...trio, answers: [{ username: 'ben', answer: 'met' }, { username: 'ana', answer: 'met' }, { username: 'cleo', answer: 'cancelled' }] })
  t.same(all.attachments, [], 'everyone answered: no buttons, and the question no longer points at them')
  t.equal(all.message, '☕ **How did it go?** @ana, @ben and @cleo — did you get to meet?\n\n✅ @ben says you met\n✅ @ana says you met\n❌ @cleo says you couldn\'t make it')
  t.equal(all.outcome, 'met', 'one "we met" is the group\'s outcome')
  t.equal(followupPost({ ...base, answers: [{ username: 'ana', answer: 'cancelled' }] }).settled, true, 'a cancellation settles it too')
})

t.test('the reminder says so; without PUBLIC_URL there are no buttons', async (t) => {
  t.match(followupPost({ ...base, kind: 'reminder', answers: [] }).message, /^⏰ \*\*Friendly reminder:\*\* @ana and @ben/)
  const bare = followupPost({ ...base, buttons: undefined, answers: [] })
  t.same(bare.attachments, [])
  t.notMatch(bare.message, /button/)
})

t.test('once reminded, the follow-up says so and whom it still waits for, keeping its buttons until everyone answered', async (t) => {
  const trio = { ...base, members: ['ana', 'ben', 'cleo'], reminded: true }
  const none = followupPost({ ...trio, answers: [] })
  t.equal(none.message, '☕ **How did it go?** @ana, @ben and @cleo — did you get to meet? Tell me with a button below; it helps everyone see how coffee is going.\n\n⏰ _Reminded — still waiting to hear from ana, ben and cleo._')
  t.equal(none.attachments[0]?.actions?.length, 3, 'the same buttons')
  const one = followupPost({ ...trio, answers: [{ username: 'ben', answer: 'not_yet' }] })
  t.match(one.message, /\n\n⏳ @ben says not yet\n\n⏰ _Reminded — still waiting to hear from ana and cleo\._$/)
  const all = followupPost({ ...trio, answers: [{ username: 'ben', answer: 'met' }, { username: 'ana', answer: 'met' }, { username: 'cleo', answer: 'met' }] })
  t.notMatch(all.message, /Reminded/, 'nobody left to wait for')
  t.same(all.attachments, [])
})
