// The dashboard's tokens: sessions that only Coffee can sign, CSRF tokens bound to a session, the cookie's flags.
import t from 'tap'
import { dashboardKey, signSession, verifySession, csrfToken, checkCsrf, readCookie, sessionCookie, hashLinkToken, newLinkToken } from '../../src/dashboard/session.js'

const key = dashboardKey('a'.repeat(32))
const now = new Date('2026-11-23T09:00:00Z')
const session = { channelId: 'chan1', userId: 'user1', systemAdmin: false, expiresAt: new Date(now.getTime() + 1000) }

t.test('a signed session verifies until it expires; anything else is null', async (t) => {
  const value = signSession(key, session)
  t.same(verifySession(key, value, now), session)
  t.equal(verifySession(key, value, new Date(now.getTime() + 1000)), null, 'expired')
  t.equal(verifySession(dashboardKey('b'.repeat(32)), value, now), null, 'another key')
  const [body, sig] = value.split('.') as [string, string]
  const forged = Buffer.from(JSON.stringify({ v: 1, c: 'chan1', u: 'user1', a: 1, e: session.expiresAt.getTime() })).toString('base64url')
  t.equal(verifySession(key, `${forged}.${sig}`, now), null, 'a body made system admin')
  for (const bad of [undefined, '', 'x', `${body}.`, `${body}.${sig}.x`, `${Buffer.from('nope').toString('base64url')}.x`]) {
    t.equal(verifySession(key, bad, now), null, String(bad))
  }
  const notJson = Buffer.from('{').toString('base64url')
  const mac = signSession(key, session).split('.')[1]
  t.equal(verifySession(key, `${notJson}.${mac}`, now), null)
})

t.test('CSRF tokens belong to one session', async (t) => {
  const a = signSession(key, session)
  const b = signSession(key, { ...session, userId: 'user2' })
  t.ok(checkCsrf(key, a, csrfToken(key, a)))
  t.notOk(checkCsrf(key, b, csrfToken(key, a)))
  t.notOk(checkCsrf(key, a, undefined))
  t.notOk(checkCsrf(key, a, 'short'))
})

t.test('cookies and link tokens', async (t) => {
  t.equal(readCookie('a=1; coffee_dashboard=xyz.abc; b=2', 'coffee_dashboard'), 'xyz.abc')
  t.equal(readCookie(undefined, 'coffee_dashboard'), undefined)
  t.equal(readCookie('coffee_dashboardx=1', 'coffee_dashboard'), undefined)
  t.equal(sessionCookie('v', { secure: true, maxAgeMs: 3_600_000 }), 'coffee_dashboard=v; Path=/dashboard; Max-Age=3600; HttpOnly; SameSite=Lax; Secure')
  const token = newLinkToken()
  t.match(token, /^[A-Za-z0-9_-]{43}$/)
  t.not(newLinkToken(), token)
  t.match(hashLinkToken(token), /^[0-9a-f]{64}$/)
})
