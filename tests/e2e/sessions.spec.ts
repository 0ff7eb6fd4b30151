import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'

// Sessions are JWTs, but every request re-reads the account and the session's own row:
// disabling the account, changing its role, resetting its password or signing out takes
// effect on the very next request. The idle timeout and the absolute lifetime are checked
// against the same row; they are tested with a clock in tests/data/auth-suite.ts (one test
// server serves every spec, and short timeouts there would end the long ones' sessions).

async function adminApi(baseURL: string) {
  const admin = demoAccount('admin')
  return apiSession(baseURL, admin.username, admin.password)
}

async function createUser(admin: APIRequestContext, role: string) {
  const account = { username: uniqueUsername(role), displayName: `Test ${role}`, role, password: 'a-long-test-password' }
  const response = await admin.post('/api/admin/users', { data: account })
  expect(response.status()).toBe(201)
  return { ...account, id: ((await response.json()) as { id: string }).id }
}

test('a disabled user’s existing session is refused on its next request', async ({ baseURL, browser }) => {
  const admin = await adminApi(baseURL!)
  const user = await createUser(admin, 'radiologist')
  const userApi = await apiSession(baseURL!, user.username, user.password)
  const context = await browser.newContext({ baseURL })
  await signInBrowser(context, user.username, user.password)
  const page = await context.newPage()
  await page.goto('/')
  await expect(page.getByTestId('home-heading')).toBeVisible()

  expect((await admin.patch(`/api/admin/users/${user.id}`, { data: { disabled: true } })).status()).toBe(200)

  const refused = await userApi.get('/api/me')
  expect(refused.status()).toBe(401)
  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)

  // Signing in again is refused too, and re-enabling restores access.
  const again = await apiSession(baseURL!, user.username, user.password).catch((error: Error) => error)
  expect(again).toBeInstanceOf(Error)
  expect((await admin.patch(`/api/admin/users/${user.id}`, { data: { disabled: false } })).status()).toBe(200)
  expect((await userApi.get('/api/me')).status()).toBe(200)
  await Promise.all([admin.dispose(), userApi.dispose(), context.close()])
})

test('a role change applies to an existing session at once', async ({ baseURL }) => {
  const admin = await adminApi(baseURL!)
  const user = await createUser(admin, 'researcher')
  const userApi = await apiSession(baseURL!, user.username, user.password)
  expect((await userApi.get('/api/audit/verify')).status()).toBe(403)
  expect((await admin.patch(`/api/admin/users/${user.id}`, { data: { role: 'auditor' } })).status()).toBe(200)
  expect((await userApi.get('/api/audit/verify')).status()).toBe(200)
  expect(((await (await userApi.get('/api/me')).json()) as { role: string }).role).toBe('auditor')
  await Promise.all([admin.dispose(), userApi.dispose()])
})

test('a password reset ends existing sessions', async ({ baseURL }) => {
  const admin = await adminApi(baseURL!)
  const user = await createUser(admin, 'radiologist')
  const userApi = await apiSession(baseURL!, user.username, user.password)
  expect((await admin.patch(`/api/admin/users/${user.id}`, { data: { password: 'a-brand-new-password' } })).status()).toBe(200)
  expect((await userApi.get('/api/me')).status()).toBe(401)
  const fresh = await apiSession(baseURL!, user.username, 'a-brand-new-password')
  await Promise.all([admin.dispose(), userApi.dispose(), fresh.dispose()])
})

test('an admin cannot lock themselves out', async ({ baseURL }) => {
  const admin = await adminApi(baseURL!)
  const me = (await (await admin.get('/api/me')).json()) as { id: string }
  const response = await admin.patch(`/api/admin/users/${me.id}`, { data: { disabled: true } })
  expect(response.status()).toBe(409)
  expect((await response.json()).message).toMatch(/cannot disable your own account/)
  await admin.dispose()
})

test('signing out ends the session on the server: a copy of the cookie saved before is refused', async ({ baseURL, browser }) => {
  const admin = await adminApi(baseURL!)
  const user = await createUser(admin, 'radiologist')
  const context = await browser.newContext({ baseURL })
  await signInBrowser(context, user.username, user.password)
  const copy = await playwrightRequest.newContext({ baseURL, storageState: await context.storageState() })
  expect((await copy.get('/api/me')).status(), 'the copy works while signed in').toBe(200)

  const page = await context.newPage()
  await page.goto('/')
  await page.getByTestId('sign-out').click()
  await expect(page).toHaveURL(/\/login/)
  expect((await copy.get('/api/me')).status()).toBe(401)
  expect((await copy.get('/api/audit/events')).status()).toBe(401)
  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)

  // Signing in again opens a new session; the old copy stays refused.
  await signInBrowser(context, user.username, user.password)
  expect((await context.request.get('/api/me')).status()).toBe(200)
  expect((await copy.get('/api/me')).status()).toBe(401)

  const { events } = (await (await admin.get(`/api/audit/events?type=logout&user=${user.username}`)).json()) as { events: { eventType: string }[] }
  expect(events).toHaveLength(1)
  await Promise.all([admin.dispose(), copy.dispose(), context.close()])
})

test('API answers are never stored by the browser or a proxy', async ({ baseURL }) => {
  const admin = await adminApi(baseURL!)
  for (const path of ['/api/me', '/api/admin/users', '/api/audit/events', '/api/auth/session']) {
    const response = await admin.get(path)
    expect(response.status(), path).toBe(200)
    expect(response.headers()['cache-control'], path).toContain('no-store')
  }
  // Served over plain HTTP here (NEXTAUTH_URL http://…): no HSTS, no Secure-only cookie names.
  const page = await admin.get('/login')
  expect(page.headers()['strict-transport-security']).toBeUndefined()
  expect((await admin.storageState()).cookies.map((cookie) => cookie.name)).toContain('next-auth.session-token')
  await admin.dispose()
})
