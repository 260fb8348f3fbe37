// Coffee's message buttons: "did you meet?" under the follow-up, "Skip next round" and "We already know each other" under the intro. Mattermost does
// not sign button callbacks, so the context carries its own HMAC: it binds the action to one group, and the route
// checks the post and the clicker against the database.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Answer } from './outcomes.js'

export const ANSWERS: readonly Answer[] = ['met', 'not_yet', 'cancelled']

/** What a button does: answer the follow-up, or (on the intro) skip the next round or say the group already know each other. */
export type ButtonAction = Answer | 'skip' | 'know'
const ACTIONS: readonly ButtonAction[] = [...ANSWERS, 'skip', 'know']
/** The buttons under an intro (the others are under the follow-up). */
export const INTRO_ACTIONS: readonly ButtonAction[] = ['skip', 'know']

/** Action ids must be alphanumeric: Mattermost answers 404 to a click on any other. */
export const ACTION_IDS: Readonly<Record<ButtonAction, string>> = { met: 'coffeemet', not_yet: 'coffeenotyet', cancelled: 'coffeecancelled', skip: 'coffeeskip', know: 'coffeeknow' }

const LABELS: Readonly<Record<Answer, { name: string, style: string }>> = {
  met: { name: 'We met ☕', style: 'success' },
  not_yet: { name: 'Not yet', style: 'default' },
  cancelled: { name: "We couldn't make it", style: 'danger' }
}

// A type, not an interface: it is also a plain Record, which is how a click brings it back.
export type ButtonContext = {
  v: 1
  group: number
  answer: ButtonAction
  sig: string
}

/** A key for signing, from ACTIONS_SECRET or, failing that, derived from the bot token (shared by every instance). */
export function actionsKey (actionsSecret: string | undefined, botToken: string): string {
  return actionsSecret ?? createHmac('sha256', botToken).update('coffee-actions-v1').digest('hex')
}

function signature (key: string, group: number, answer: ButtonAction): string {
  return createHmac('sha256', key).update(`coffee:v1:${group}:${answer}`).digest('base64url')
}

export function signContext (key: string, group: number, answer: ButtonAction): ButtonContext {
  return { v: 1, group, answer, sig: signature(key, group, answer) }
}

/** The group and answer of a genuine context; null for anything forged, tampered or malformed. */
export function verifyContext (key: string, context: Readonly<Record<string, unknown>>): { group: number, answer: ButtonAction } | null {
  const { v, group, answer, sig } = context
  if (v !== 1 || typeof group !== 'number' || !Number.isSafeInteger(group) || group <= 0) return null
  if (typeof answer !== 'string' || !(ACTIONS as readonly string[]).includes(answer) || typeof sig !== 'string') return null
  const expected = Buffer.from(signature(key, group, answer as ButtonAction))
  const given = Buffer.from(sig)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  return { group, answer: answer as ButtonAction }
}

export interface Attachment {
  fallback: string
  text?: string
  actions?: {
    id: string
    type: 'button'
    name: string
    style: string
    integration: { url: string, context: ButtonContext }
  }[]
}

export function followupButtons (key: string, actionsUrl: string, group: number): Attachment {
  return {
    fallback: 'Did you meet? Answer with the buttons in Mattermost.',
    actions: ANSWERS.map((answer) => ({
      id: ACTION_IDS[answer],
      type: 'button' as const,
      name: LABELS[answer].name,
      style: LABELS[answer].style,
      integration: { url: actionsUrl, context: signContext(key, group, answer) }
    }))
  }
}

/**
 * The intro's buttons: "Skip next round" (its clicker sits out the next round, as with /coffee skip; the others see no
 * change) and "We already know each other" (the clicker and the others are never grouped again in this channel).
 */
export function introButtons (key: string, actionsUrl: string, group: number): Attachment {
  const button = (action: 'skip' | 'know', name: string) => ({
    id: ACTION_IDS[action],
    type: 'button' as const,
    name,
    style: 'default',
    integration: { url: actionsUrl, context: signContext(key, group, action) }
  })
  return {
    fallback: 'Too busy? Type /coffee skip to sit out the next round.',
    actions: [button('skip', 'Skip next round'), button('know', 'We already know each other')]
  }
}
