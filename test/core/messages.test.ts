// What Coffee posts, read as people read it: the intro and the follow-up as a real round delivers them (the app, a
// test database, the fake Mattermost), and the other texts from their builders. Every line is a sentence.
import t, { type Test } from 'tap'
import { createJoinedWorld } from '../helpers/mattermost.js'
import { say } from '../helpers/slash.js'
import { pass } from '../helpers/rounds.js'
import { aloneMessage, autopauseMessage, reminderMessage, followupMessage, proposerOf } from '../../src/core/messages.js'

/** Each line, Markdown emphasis and a closing emoji aside, ends as a sentence does; no word comes twice in a row. */
function sentences (t: Test, text: string) {
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const plain = line.replace(/\*\*|_/g, '').replace(/\s*[☕🙂]$/u, '').trim()
    t.match(plain, /[.?!]$/, `a sentence: ${line}`)
    t.notMatch(plain, /\b(\w+) \1\b/i, `no word twice: ${line}`)
  }
}

type World = Awaited<ReturnType<typeof createJoinedWorld>>

function newest (world: World, kind: string) {
  const posts = world.mm.channelsOfType('G').flatMap((c) => world.mm.posts(c.id)).filter((p) => String(p.props?.coffee_delivery).startsWith(`${kind}:`))
  return posts.at(-1)!.message
}

t.test('the intro says when the follow-up comes, in words a person would use, a delay of 0 included', async (t) => {
  const world = await createJoinedWorld(t, ['alice', 'bob'], { seed: 3 })
  world.person('admin', { admin: true })
  for (const [setting, when] of [['3 days', 'in 3 days'], ['1 day', 'in a day'], ['0', 'soon']] as const) {
    await say(world.app, `config followup ${setting}`, { userName: 'admin' })
    await pass(world.app, { force: true })
    const intro = newest(world, 'intro')
    // The fake Mattermost gives people a first and last name (FirstN LastN), and no position.
    t.match(intro, /^☕ \*\*Coffee time!\*\* @(alice|bob) \(First\d+ Last\d+\) and @(alice|bob) \(First\d+ Last\d+\), meet each other\.\n/)
    t.match(intro, /\n\*\*Not sure where to start\?\*\* Try one of these\.\n- [^\n]+\?\n- [^\n]+\?\n\n/, 'two starters for a pair')
    t.match(intro, /\nCoffee from ~town-square picked you two this round\. .* @(alice|bob), would you propose a time\?\n/)
    t.equal(intro.split('\n').at(-1), `_I'll ask how it went ${when}. Too busy for coffee? **Skip next round** below (or \`/coffee skip\` typed right here) sits you out of the next round of ~town-square; \`/coffee pause 2w\` takes a break._`)
    sentences(t, intro)
  }
  await pass(world.app)
  const followup = newest(world, 'followup')
  t.match(followup, /^☕ \*\*How did it go\?\*\* @(alice|bob) and @(alice|bob) — did you get to meet\? Tell me with a button below; it helps everyone see how coffee is going\.$/)
  sentences(t, followup)
})

t.test('the admin hears when "did you meet?" comes, in a sentence, 0 included', async (t) => {
  const world = await createJoinedWorld(t, ['alice'])
  world.person('admin', { admin: true })
  const answers = {
    '3 days': 'Done: I\'ll ask "did you meet?" **3 days after each intro**.',
    '1 day': 'Done: I\'ll ask "did you meet?" **a day after each intro**.',
    '12 hours': 'Done: I\'ll ask "did you meet?" **12 hours after each intro**.',
    '1w': 'Done: I\'ll ask "did you meet?" **a week after each intro**.',
    0: 'Done: I\'ll ask "did you meet?" **at the next scheduler run after each intro**.'
  }
  for (const [setting, answer] of Object.entries(answers)) {
    const said = await say(world.app, `config followup ${setting}`, { userName: 'admin' })
    t.equal(said, answer)
    sentences(t, said)
  }
})

t.test('the other posts read as sentences too', async (t) => {
  for (const text of [
    aloneMessage('town-square'),
    aloneMessage(''),
    autopauseMessage('town-square', 3),
    reminderMessage(['ana', 'ben', 'cy']),
    followupMessage(['ana', 'ben'], false)
  ]) sentences(t, text)
  t.equal(followupMessage(['ana', 'ben', 'cy'], false), '☕ **How did it go?** @ana, @ben and @cy — did you get to meet?')
})

t.test('the member asked to propose a time changes from round to round, and not between tries of one intro', async (t) => {
  const trio = ['ana', 'ben', 'cleo']
  t.same([1, 2, 3].map((round) => proposerOf(trio, round, 7)), ['cleo', 'ana', 'ben'], 'each in turn')
  t.equal(proposerOf(trio, 2, 7), proposerOf(trio, 2, 7), 'the same for the same intro')
})
