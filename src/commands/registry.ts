// /coffee subcommands as a registry: each entry names its words, arguments and one-line help, so `help` is
// generated from the registry and adding a command means adding one entry.
import type { FastifyBaseLogger } from 'fastify'
import type { SlashCommand, CommandResponse } from '../mattermost/slash.js'
import { ephemeral } from '../mattermost/slash.js'
import { markdownTable, inlineCode } from '../core/markdown.js'

export interface CommandContext<Deps> {
  command: SlashCommand
  /** The words after the subcommand, whitespace collapsed, case kept (usernames, dates). */
  args: string
  now: Date
  deps: Deps
  log: FastifyBaseLogger
}

export interface CommandSpec<Deps> {
  /** The word that selects the command, lowercase. */
  name: string
  aliases?: readonly string[]
  /** Argument synopsis for help, e.g. "<2w | 10d | until 2026-12-24>". */
  args?: string
  /** One line of help. */
  help: string
  /** Who it is for, to group the help. */
  audience: 'everyone' | 'admins'
  /** Works outside a channel (in a DM or group message) too. */
  anywhere?: boolean
  run(ctx: CommandContext<Deps>): Promise<string | CommandResponse>
}

export interface Registry<Deps> {
  readonly specs: readonly CommandSpec<Deps>[]
  find(word: string): CommandSpec<Deps> | undefined
  helpText(trigger?: string): string
  /** Splits text into the subcommand word and its arguments. */
  split(text: string): { word: string, args: string }
}

export function createRegistry<Deps> (specs: readonly CommandSpec<Deps>[]): Registry<Deps> {
  const byWord = new Map<string, CommandSpec<Deps>>()
  for (const spec of specs) {
    for (const word of [spec.name, ...(spec.aliases ?? [])]) {
      if (byWord.has(word)) throw new Error(`Two commands answer to "${word}"`)
      byWord.set(word, spec)
    }
  }
  return {
    specs,
    find: (word) => byWord.get(word.toLowerCase()),
    split (text) {
      const words = text.trim().split(/\s+/).filter((w) => w !== '')
      return { word: (words[0] ?? '').toLowerCase(), args: words.slice(1).join(' ') }
    },
    helpText (trigger = '/coffee') {
      const usage = (spec: CommandSpec<Deps>) => inlineCode(`${trigger} ${spec.name}${spec.args !== undefined ? ` ${spec.args}` : ''}`)
      const table = (audience: CommandSpec<Deps>['audience']) => markdownTable(
        ['Command', 'What it does'],
        specs.filter((s) => s.audience === audience).map((spec) => [usage(spec), spec.help])
      )
      const parts = [
        '#### ☕ Coffee introduces people in this channel who rarely talk, a few at a time, every round.',
        table('everyone')
      ]
      if (specs.some((s) => s.audience === 'admins')) parts.push('**For channel admins**', table('admins'))
      return parts.join('\n\n')
    }
  }
}

export function reply (result: string | CommandResponse): CommandResponse {
  return typeof result === 'string' ? ephemeral(result) : result
}
