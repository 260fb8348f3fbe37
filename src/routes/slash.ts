// POST (and GET) /coffee: Mattermost's slash command. Mattermost shows the body of a 200 only, so mistakes a
// person makes get a friendly 200; requests that are not from Mattermost get 4xx and change nothing.
import type { FastifyBaseLogger } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Clock } from '../clock.js'
import { within, LATE } from '../deadline.js'
import type { CoffeeCommands } from '../commands/index.js'
import type { CommandDeps } from '../commands/deps.js'
import { reply as toResponse } from '../commands/registry.js'
import { SlashTokenWrong, NotASlashCommand } from '../errors.js'
import { parseSlashCommand, presentedToken, tokenChecker, isDirectOrGroupChannel, ephemeral, type CommandResponse } from '../mattermost/slash.js'

export interface SlashOptions {
  slashTokens: readonly string[]
  commands: CoffeeCommands
  deps: CommandDeps
  clock: Clock
  /** Route config that opts into the app's per-person rate limit (or nothing). */
  routeConfig?: Record<string, unknown>
  /** How long a command may take before the person is told to try again (the work may still finish). */
  deadlineMs: number
}

/** Mattermost's form fields (a repeated field, such as user_mentions, arrives as a list); parseSlashCommand reads them. */
const SlashFields = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), {
  description: 'The fields Mattermost sends: token, team_id, channel_id, channel_name, user_id, user_name, command, text, user_mentions, …'
})

const CommandResponseSchema = Type.Object({
  response_type: Type.Union([Type.Literal('ephemeral'), Type.Literal('in_channel')]),
  text: Type.String(),
  props: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { description: 'A CommandResponse: what the person sees (ephemeral unless said otherwise)' })

const summary = "Mattermost's /coffee slash command (form fields as Mattermost sends them; GET carries them in the query)"

export const slashRoutes: FastifyPluginAsyncTypebox<SlashOptions> = async (app, { slashTokens, commands, deps, clock, routeConfig = {}, deadlineMs }) => {
  const isSlashToken = tokenChecker(slashTokens)
  async function handle (fields: Static<typeof SlashFields>, authorization: string | undefined, requestLog: FastifyBaseLogger) {
    if (slashTokens.length === 0) {
      requestLog.warn('slash command refused: MATTERMOST_SLASH_TOKEN is not set')
      return ephemeral('Coffee is installed but not configured yet: the admin needs to set `MATTERMOST_SLASH_TOKEN` to the token of the `/coffee` slash command, then restart Coffee.')
    }
    if (!isSlashToken(presentedToken(fields, authorization))) {
      throw new SlashTokenWrong()
    }
    const parsed = parseSlashCommand(fields)
    if (!parsed.ok) {
      throw new NotASlashCommand(parsed.missing.join(', '))
    }
    const { command } = parsed
    const trigger = command.command.toLowerCase() || '/coffee'
    const { word, args } = commands.split(command.text)
    const spec = word === '' ? commands.find('help') : commands.find(word)
    if (spec === undefined) {
      return ephemeral(commands.unknownText(command.text, trigger))
    }
    const log = requestLog.child({ command: spec.name, channelId: command.channelId, userId: command.userId })
    const run = async (): Promise<string | CommandResponse> => {
      if (spec.anywhere === true || !isDirectOrGroupChannel(command.channelName)) return await spec.run({ command, args, now: clock.now(), deps, log })
      // In a group message Coffee made for an intro, the group knows its channel: `/coffee skip` there means that one.
      const home = await deps.store.introChannel(command.channelId, command.userId)
      if (home === null) {
        return `Coffee runs in channels, not in direct or group messages. Go to the channel whose people you'd like to meet and type \`${trigger} ${spec.name}\` there.`
      }
      const result = await spec.run({ command: { ...command, ...home }, args, now: clock.now(), deps, log })
      const where = home.channelName === '' ? 'the channel that introduced you' : `~${home.channelName}`
      return typeof result === 'string' ? `_For ${where}:_ ${result}` : result
    }
    try {
      const result = await within(run(), deadlineMs)
      if (result !== LATE) return toResponse(result)
      // Mattermost gives up on its own; a person should hear something before that (a stalled database).
      log.error({ deadlineMs }, 'slash command did not finish in time')
      return ephemeral('Sorry, my database did not answer in time, so I could not finish that. Please try again in a minute; `/coffee status` shows where you stand. If it keeps happening, tell your Mattermost admin.')
    } catch (error) {
      log.error({ err: error }, 'slash command failed')
      return ephemeral('Sorry, something went wrong on my side and nothing was changed. Please try again in a minute; if it keeps happening, tell your Mattermost admin.')
    }
  }

  const response = { 200: CommandResponseSchema }
  app.post('/coffee', { schema: { summary, body: SlashFields, response }, config: routeConfig },
    async (request) => await handle(request.body, request.headers.authorization, request.log))
  app.get('/coffee', { schema: { summary, querystring: SlashFields, response }, config: routeConfig },
    async (request) => await handle(request.query, request.headers.authorization, request.log))
}
