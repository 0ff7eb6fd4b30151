import { expect, test } from '@playwright/test'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { anonymousApi, apiSession, signInResponse } from '../support/api'

// The audit events of the one state-changing route the data-layer coverage test
// (tests/data/audit-coverage-suite.ts) cannot run as a service: next-auth's own handler.
// Sign-in, a failed sign-in and sign-out, each 110114 with its type code.

interface AuditEvents {
  events: { eventType: string; eventCode: string; eventTypeCode: string | null; outcome: number; actor: { username: string | null } | null; details: Record<string, unknown> }[]
}

test('POST /api/auth/[...nextauth] writes login-failed, login and logout', async ({ baseURL }) => {
  const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
  const account = { username: uniqueUsername('audited-signin'), displayName: 'Audited Sign-in', role: 'researcher', password: 'audited-signin-password' }
  expect((await admin.post('/api/admin/users', { data: account })).status()).toBe(201)
  await admin.dispose()

  const api = await anonymousApi(baseURL!)
  expect((await signInResponse(api, account.username, 'not-the-password')).status()).toBe(401)
  expect((await signInResponse(api, account.username, account.password)).status()).toBe(200)
  const { csrfToken } = (await (await api.get('/api/auth/csrf')).json()) as { csrfToken: string }
  expect((await api.post('/api/auth/signout', { form: { csrfToken, json: 'true' }, maxRedirects: 0 })).status()).toBe(200)
  await api.dispose()

  const auditor = await apiSession(baseURL!, demoAccount('auditor').username, demoAccount('auditor').password)
  const ofType = async (type: string) => ((await (await auditor.get(`/api/audit/events?type=${type}&limit=100`)).json()) as AuditEvents).events
  const failed = (await ofType('login-failed')).find((event) => event.details.username === account.username)
  const login = (await ofType('login')).find((event) => event.details.username === account.username)
  const logout = (await ofType('logout')).find((event) => event.actor?.username === account.username)
  expect([failed?.eventCode, failed?.eventTypeCode, failed?.outcome]).toEqual(['110114', '110122', 4])
  expect([login?.eventCode, login?.eventTypeCode, login?.outcome, login?.actor?.username]).toEqual(['110114', '110122', 0, account.username])
  expect([logout?.eventCode, logout?.eventTypeCode, logout?.outcome]).toEqual(['110114', '110123', 0])
  await auditor.dispose()
})
