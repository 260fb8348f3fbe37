// Every error Coffee answers an HTTP request with, as @fastify/error codes: the one vocabulary, rendered by the one
// error handler (app.ts) as { statusCode, code, error, message }. Slash commands and button clicks answer people's
// mistakes with a 200 and a friendly text instead (Mattermost shows nothing else): these are for callers that are
// not people — Mattermost itself, the scheduler, admin scripts.
import createError from '@fastify/error'
import { Type } from 'typebox'

export const AdminTokenUnset = createError('COFFEE_ADMIN_TOKEN_UNSET', 'ADMIN_TOKEN is not set, so this endpoint is closed. Set it and restart Coffee.', 503)
export const AdminTokenWrong = createError('COFFEE_ADMIN_TOKEN_WRONG', 'Send Authorization: Bearer <ADMIN_TOKEN>.', 401)
export const SlashTokenWrong = createError('COFFEE_SLASH_TOKEN_WRONG', 'The slash command token is missing or wrong. Check MATTERMOST_SLASH_TOKEN against the token Mattermost shows for /coffee.', 401)
export const NotASlashCommand = createError('COFFEE_NOT_A_SLASH_COMMAND', 'Not a Mattermost slash command: missing %s.', 400)
export const MattermostNotConfigured = createError('COFFEE_MATTERMOST_NOT_CONFIGURED', 'Coffee cannot reach Mattermost: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN, then restart Coffee.', 503)
export const DatabaseUnavailable = createError('COFFEE_DATABASE_UNAVAILABLE', "Coffee's database did not answer in time, so this request could not be done. Try again once it is back; the reason is in Coffee's log.", 503)
export const PassRunning = createError('COFFEE_PASS_RUNNING', 'A /rounds pass is already running on this instance; this call did nothing. Try again when it has finished.', 409)
export const ChannelNotSetUp = createError('COFFEE_CHANNEL_NOT_SET_UP', 'Coffee has not been set up in channel %s (nobody has used /coffee there).', 404)
export const NoSuchRoute = createError('COFFEE_NO_SUCH_ROUTE', 'No route for %s %s', 404)
export const TooManyRequests = createError('COFFEE_TOO_MANY_REQUESTS', 'Slow down: Coffee accepts %d requests a minute from one person. Try again in %d s.', 429)
export const Internal = createError('COFFEE_INTERNAL', 'Something went wrong on our side. It has been logged.', 500)

/** What every error answer looks like, for route schemas and the OpenAPI document: `errorResponse('when')`. */
export function errorResponse (description: string) {
  return Type.Object({
    statusCode: Type.Integer(),
    code: Type.String({ description: 'COFFEE_… for Coffee\'s own refusals, FST_… for malformed requests' }),
    error: Type.String({ description: 'The HTTP reason phrase' }),
    message: Type.String(),
    requestId: Type.Optional(Type.String({ description: 'Only on a 500: find the request in Coffee\'s log' }))
  }, { description })
}

// The dashboard (routes/dashboard.ts renders these as pages, not JSON).
export const DashboardLinkUnusable = createError('COFFEE_DASHBOARD_LINK_UNUSABLE', 'This dashboard link has expired, has already been used, or is not one Coffee made. Type `/coffee dashboard` in the channel for a new link.', 403)
export const DashboardSignedOut = createError('COFFEE_DASHBOARD_SIGNED_OUT', 'You are not signed in to the dashboard, or your session has ended. Type `/coffee dashboard` in the channel for a new link.', 401)
export const DashboardOtherChannel = createError('COFFEE_DASHBOARD_OTHER_CHANNEL', 'Your dashboard session is for another channel. Type `/coffee dashboard` in this channel for its link.', 403)
export const DashboardFormStale = createError('COFFEE_DASHBOARD_FORM_STALE', 'This form is out of date or did not come from the dashboard, so nothing was changed. Reload the page and try again.', 403)
export const DashboardNotAdmin = createError('COFFEE_DASHBOARD_NOT_ADMIN', 'Mattermost no longer lists you as an admin of this channel, so nothing was changed.', 403)

// History import (routes/history.ts).
export const HistoryEmpty = createError('COFFEE_HISTORY_EMPTY', 'The history has no groups in it. Send CSV lines of the form `2026-03-31,alice,bob` (a header line is optional), or a JSON array of {"date": "2026-03-31", "usernames": ["alice", "bob"]}.', 400)
