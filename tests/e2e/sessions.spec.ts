import { expect, test, type APIRequestContext } from '@playwright/test'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'

// Sessions are JWTs, but every request re-reads the account: disabling it, changing its
// role or resetting its password takes effect on the very next request.

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
