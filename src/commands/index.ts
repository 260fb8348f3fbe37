// Every /coffee subcommand, in the order `help` lists them.
import { createRegistry, type CommandSpec } from './registry.js'
import type { CommandDeps } from './deps.js'
import { participationCommands } from './participation.js'
import { config } from './config.js'
import { statsCommands } from './stats.js'
import { dashboard } from './dashboard.js'

export function createCoffeeCommands (extra: readonly CommandSpec<CommandDeps>[] = []) {
  const help: CommandSpec<CommandDeps> = {
    name: 'help',
    help: 'Show this help.',
    audience: 'everyone',
    anywhere: true,
    run: async (ctx) => registry.helpText(ctx.command.command || '/coffee')
  }
  const registry = createRegistry<CommandDeps>([...participationCommands, ...statsCommands, config, dashboard, ...extra, help])
  return registry
}

export type CoffeeCommands = ReturnType<typeof createCoffeeCommands>
