// Child process: a fake Mattermost with N people in one channel (and N more for the baseline), zero latency.
// Runs apart from the service so that the service's memory is measured alone.
import { startFakeMattermost } from '../../test/helpers/fake-mattermost.js'
import { benchUserId, BENCH_CHANNEL_ID, BENCH_TEAM_ID } from './ids.js'

const people = Number(process.argv[2] ?? '10000')
const mm = await startFakeMattermost()
const { user: bot, token } = mm.addBot({ username: 'coffee' })
mm.addTeam({ id: BENCH_TEAM_ID, name: 'bench' })
mm.addChannel({ id: BENCH_CHANNEL_ID, team_id: BENCH_TEAM_ID, name: 'everyone' })
mm.addMember(BENCH_CHANNEL_ID, bot.id)
for (let i = 0; i < people; i++) {
  const user = mm.addUser({ id: benchUserId('p', i), username: `person${i}` })
  mm.addMember(BENCH_CHANNEL_ID, user.id)
  mm.addUser({ id: benchUserId('b', i), username: `baseline${i}` })
}
process.send!({ type: 'ready', url: mm.url, token, botId: bot.id })
process.on('message', (message: { type: string }) => {
  if (message.type === 'count') {
    const groups = mm.channelsOfType('G')
    const posts = groups.reduce((n, c) => n + mm.posts(c.id).length, 0)
    const intros = groups.reduce((n, c) => n + mm.posts(c.id).filter((p) => String(p.props?.coffee_delivery ?? '').startsWith('intro:')).length, 0)
    process.send!({ type: 'count', groups: groups.length, posts, intros })
  } else if (message.type === 'close') {
    mm.close().then(() => process.exit(0), () => process.exit(1))
  }
})
