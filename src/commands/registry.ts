// /coffee subcommands as a registry: each entry names its words, arguments and one-line help, so `help` is
// generated from the registry and adding a command means adding one entry.
import type { FastifyBaseLogger } from 'fastify'
import { distance } from 'fastest-levenshtein'
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
  /** The command word closest to a mistyped one, if one is close enough to be what was meant. */
  closest(word: string): string | undefined
  helpText(trigger?: string): string
  /** The answer to text whose first word is no command: the closest command, and where to find them all. */
  unknownText(text: string, trigger?: string): string
  /** Splits text into the subcommand word and its arguments. */
  split(text: string): { word: string, args: string }
}

/**
 * How many edits (Levenshtein) still read as a typo, by the shorter word's length: none below three letters (two-letter
 * words are aliases, or noise), one for three, two from four on (a swap of two letters is two edits).
 */
function tolerance (length: number): number {
  return length < 3 ? 0 : length === 3 ? 1 : 2
}

export function createRegistry<Deps> (specs: readonly CommandSpec<Deps>[]): Registry<Deps> {
  const byWord = new Map<string, CommandSpec<Deps>>()
  for (const spec of specs) {
    for (const word of [spec.name, ...(spec.aliases ?? [])]) {
      if (byWord.has(word)) throw new Error(`Two commands answer to "${word}"`)
      byWord.set(word, spec)
    }
  }
  // Names before aliases, each in help's order: on a tie the name wins ("jion" is as far from "in" as from "join").
  const words = [...specs.map((s) => s.name), ...specs.flatMap((s) => s.aliases ?? [])]

  const registry: Registry<Deps> = {
    specs,
    find: (word) => byWord.get(word.toLowerCase()),
    closest (typed) {
      const word = typed.toLowerCase()
      let best: { word: string, distance: number } | undefined
      for (const candidate of words) {
        const most = tolerance(Math.min(word.length, candidate.length))
        if (Math.abs(candidate.length - word.length) > most) continue
        const d = distance(word, candidate)
        if (d <= most && (best === undefined || d < best.distance)) best = { word: candidate, distance: d }
      }
      return best?.word
    },
    split (text) {
      const words = text.trim().split(/\s+/).filter((w) => w !== '')
      return { word: (words[0] ?? '').toLowerCase(), args: words.slice(1).join(' ') }
    },
    unknownText (text, trigger = '/coffee') {
      const { word, args } = registry.split(text)
      const help = `${inlineCode(`${trigger} help`)} lists everything I can do.`
      const said = `I didn't understand ${inlineCode(`${trigger} ${text.trim().slice(0, 100)}`)}.`
      const meant = registry.closest(word)
      if (meant === undefined) return `${said} ${help}`
      const suggestion = `${said} Did you mean ${inlineCode(`${trigger} ${meant}${args === '' ? '' : ` ${args.slice(0, 100)}`}`)}?`
      return meant === 'help' ? suggestion : `${suggestion} ${help}`
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
  return registry
}

export function reply (result: string | CommandResponse): CommandResponse {
  return typeof result === 'string' ? ephemeral(result) : result
}
