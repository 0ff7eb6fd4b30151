import { expect, test, type Page } from '@playwright/test'
import { demoAccount } from '../support/accounts'
import { apiSession } from '../support/api'
import { idpUsers, oidcIssuer } from '../support/oidc-fixture'
import { IdpLoginPage } from '../pages/idp-login-page'

// Single sign-on against a real OpenID provider on loopback (tests/support/oidc-server.ts,
// started by playwright.config.ts): Chromium signs in through the provider's own form, the
// app creates the account at the first sign-in and maps the IdP's groups to a role. Each
// test uses its own IdP user (the tests run in parallel against one app).
// The events of GET /api/auth/[...nextauth] (the IdP's return) that
// tests/data/audit-coverage-suite.ts lists are asserted here: user-created, sso-login and
// sso-login-failed.

interface Me {
  id: string
  username: string
  displayName: string
  role: string
}

interface AuditEvents {
  events: {
    eventType: string
    eventCode: string
    outcome: number
    actor: { id: string | null; username: string | null } | null
    sourceIp: string | null
    details: Record<string, unknown>
  }[]
}

/** Content-Security-Policy violations the page reports (the app's pages only). */
function cspViolations(page: Page): string[] {
  const violations: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()) && !page.url().startsWith(oidcIssuer)) violations.push(message.text())
  })
  return violations
}

test('a radiologist signs in through the IdP and gets the role its group maps to', async ({ page }) => {
  const violations = cspViolations(page)
  await new IdpLoginPage(page).signIn(idpUsers.radiologist)
  await expect(page.getByTestId('current-role')).toHaveText('Radiologist')
  await expect(page.getByTestId('current-user')).toHaveText(idpUsers.radiologist.name)

  const me = await page.request.get('/api/me')
  expect(me.status()).toBe(200)
  const account = (await me.json()) as Me
  expect(account.role).toBe('radiologist')
  // The account is named after the IdP user's e-mail: never a local username.
  expect(account.username).toBe(idpUsers.radiologist.email)
  // A radiologist's page opens; an auditor's does not.
  expect((await page.request.get('/api/worklist')).status()).toBe(200)
  expect((await page.request.get('/api/audit/verify')).status()).toBe(403)
  expect(violations).toEqual([])
})

test('an IdP user named like the local administrator gets an account of their own, with the mapped role', async ({ page }) => {
  await new IdpLoginPage(page).signIn(idpUsers.namesake)
  await expect(page.getByTestId('current-role')).toHaveText('Radiologist')
  const account = (await (await page.request.get('/api/me')).json()) as Me
  expect(account.username).toBe('admin@idp.example')
  expect(account.role).toBe('radiologist')
  expect((await page.request.get('/api/admin/users')).status()).toBe(403)
})

test('a user whose groups map to no role is refused with a clear message and gets no session', async ({ page }) => {
  await new IdpLoginPage(page).signIn(idpUsers.unmapped)
  await expect(page).toHaveURL(/\/login\?error=SsoNoRole/)
  await expect(page.getByTestId('login-error')).toContainText('no group that has a Parallax role')
  expect((await page.request.get('/api/me')).status()).toBe(401)
})

test('disabling the SSO account refuses its very next request, and its next sign-in', async ({ page, browser, baseURL }) => {
  await new IdpLoginPage(page).signIn(idpUsers.toDisable)
  await expect(page.getByTestId('current-role')).toHaveText('Radiologist')
  const me = (await (await page.request.get('/api/me')).json()) as Me

  const admin = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
  const listed = ((await (await admin.get('/api/admin/users')).json()) as { id: string; username: string; signIn: string }[]).find((user) => user.id === me.id)
  expect(listed).toMatchObject({ username: idpUsers.toDisable.email, signIn: 'sso' })
  expect((await admin.patch(`/api/admin/users/${me.id}`, { data: { disabled: true } })).status()).toBe(200)

  expect((await page.request.get('/api/me')).status()).toBe(401)
  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)

  // A new sign-in through the IdP (a fresh browser, so the IdP asks again) is refused here.
  const fresh = await browser.newContext({ baseURL })
  const again = await fresh.newPage()
  await new IdpLoginPage(again).signIn(idpUsers.toDisable)
  await expect(again).toHaveURL(/\/login\?error=SsoDisabled/)
  await expect(again.getByTestId('login-error')).toContainText('disabled')
  expect((await again.request.get('/api/me')).status()).toBe(401)
  await Promise.all([admin.dispose(), fresh.close()])
})

test('SSO sign-ins and refusals are in the audit trail as user authentication (110114)', async ({ page, browser, baseURL }) => {
  // An auditor through SSO: the same session reads the trail.
  await new IdpLoginPage(page).signIn(idpUsers.auditor)
  await expect(page.getByTestId('current-role')).toHaveText('Auditor')
  const me = (await (await page.request.get('/api/me')).json()) as Me

  const refusedContext = await browser.newContext({ baseURL })
  const refusedPage = await refusedContext.newPage()
  await new IdpLoginPage(refusedPage).signIn(idpUsers.unmapped)
  await expect(refusedPage).toHaveURL(/error=SsoNoRole/)
  await refusedContext.close()

  const trail = async (query: string) => ((await (await page.request.get(`/api/audit/events?limit=500&${query}`)).json()) as AuditEvents).events
  const logins = await trail(`type=sso-login&user=${encodeURIComponent(me.username)}`)
  expect(logins.length).toBeGreaterThanOrEqual(1)
  expect(logins[0]).toMatchObject({
    eventCode: '110114',
    outcome: 0,
    actor: { id: me.id, username: me.username },
    details: { method: 'oidc', issuer: oidcIssuer, role: 'auditor' },
  })
  expect(logins[0]!.sourceIp).toBeTruthy()

  const created = (await trail('type=user-created')).filter((event) => event.details.username === me.username)
  expect(created).toHaveLength(1)
  expect(created[0]!.details.role).toBe('auditor')

  const refusals = (await trail('type=sso-login-failed')).filter((event) => event.details.subject === idpUsers.unmapped.sub)
  expect(refusals.length).toBeGreaterThanOrEqual(1)
  expect(refusals[0]).toMatchObject({ eventCode: '110114', outcome: 4, actor: null, details: { method: 'oidc', reason: 'no-role', username: idpUsers.unmapped.email } })
})

test('the login page offers both the password form and single sign-on (local login on by default)', async ({ page, baseURL }) => {
  await page.goto('/login')
  await expect(page.getByTestId('login-username')).toBeVisible()
  await expect(page.getByTestId('login-sso')).toBeVisible()
  // A cancelled or tampered return from the IdP lands here with an explanation, and is audited.
  await page.goto('/api/auth/callback/oidc?error=access_denied&state=forged')
  await expect(page).toHaveURL(/\/login\?(.*&)?error=/)
  await expect(page.getByTestId('login-error')).toContainText('Single sign-on did not complete')
  const auditor = await apiSession(baseURL!, demoAccount('auditor').username, demoAccount('auditor').password)
  const idpErrors = async () =>
    ((await (await auditor.get('/api/audit/events?limit=50&type=sso-login-failed')).json()) as AuditEvents).events.filter(
      (event) => event.details.reason === 'idp-error' && event.details.error === 'access_denied',
    ).length
  await expect.poll(idpErrors).toBeGreaterThanOrEqual(1)
  await auditor.dispose()
})
