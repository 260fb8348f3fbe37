// POST (and GET) /coffee: Mattermost's slash command. Mattermost shows the body of a 200 only, so mistakes a
// person makes get a friendly 200; requests that are not from Mattermost get 4xx and change nothing.
import type { FastifyPluginAsync, FastifyRequest, FastifyReply } from 'fastify'
import type { Clock } from '../clock.js'
import type { CoffeeCommands } from '../commands/index.js'
import type { CommandDeps } from '../commands/deps.js'
import { reply as toResponse } from '../commands/registry.js'
import { SlashTokenWrong, NotASlashCommand } from '../errors.js'
import { parseSlashCommand, presentedToken, tokenChecker, isDirectOrGroupChannel, ephemeral } from '../mattermost/slash.js'

export interface SlashOptions {
  slashTokens: readonly string[]
  commands: CoffeeCommands
  deps: CommandDeps
  clock: Clock
  /** Route config that opts into the app's per-person rate limit (or nothing). */
  routeConfig?: Record<string, unknown>
}

export const slashRoutes: FastifyPluginAsync<SlashOptions> = async (app, { slashTokens, commands, deps, clock, routeConfig = {} }) => {
  const isSlashToken = tokenChecker(slashTokens)
  async function handle (request: FastifyRequest, reply: FastifyReply) {
    const source = request.method === 'GET' ? request.query : request.body
    const fields = (source !== null && typeof source === 'object' ? source : {}) as Record<string, unknown>

    if (slashTokens.length === 0) {
      request.log.warn('slash command refused: MATTERMOST_SLASH_TOKEN is not set')
      return ephemeral('Coffee is installed but not configured yet: the admin needs to set `MATTERMOST_SLASH_TOKEN` to the token of the `/coffee` slash command, then restart Coffee.')
    }
    if (!isSlashToken(presentedToken(fields, request.headers.authorization))) {
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
      return ephemeral(`I didn't understand \`${trigger} ${command.text.trim().slice(0, 100)}\`. Here is what I can do:\n\n${commands.helpText(trigger)}`)
    }
    if (spec.anywhere !== true && isDirectOrGroupChannel(command.channelName)) {
      return ephemeral(`Coffee runs in channels, not in direct or group messages. Go to the channel whose people you'd like to meet and type \`${trigger} ${spec.name}\` there.`)
    }
    const log = request.log.child({ command: spec.name, channelId: command.channelId, userId: command.userId })
    try {
      return toResponse(await spec.run({ command, args, now: clock.now(), deps, log }))
    } catch (error) {
      log.error({ err: error }, 'slash command failed')
      return ephemeral('Sorry, something went wrong on my side and nothing was changed. Please try again in a minute; if it keeps happening, tell your Mattermost admin.')
    }
  }

  const schema = {
    summary: "Mattermost's /coffee slash command (form fields as Mattermost sends them; GET carries them in the query)",
    response: {
      200: {
        description: 'A CommandResponse: what the person sees (ephemeral unless said otherwise)',
        type: 'object',
        properties: { response_type: { type: 'string', enum: ['ephemeral', 'in_channel'] }, text: { type: 'string' } }
      }
    }
  }
  app.post('/coffee', { schema, config: routeConfig }, handle)
  app.get('/coffee', { schema, config: routeConfig }, handle)
}
