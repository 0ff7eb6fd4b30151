import { expect, test } from '@playwright/test'
import { LoginPage } from '../pages/login-page'
import { demoAccount } from '../support/accounts'
import { apiSession } from '../support/api'
import { signInBrowser } from '../support/browser'

test('every page carries a strict Content-Security-Policy', async ({ page }) => {
  const response = await page.goto('/login')
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("default-src 'self'")
  expect(csp).toMatch(/connect-src 'self'(;|$| )/)
  expect(csp).toContain("worker-src 'self' blob:")
  expect(csp).toContain("'wasm-unsafe-eval'")
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
  expect(csp).not.toContain("'unsafe-eval'")
  expect(response?.headers()['x-frame-options']).toBe('DENY')
  // The nonce works: the login form hydrates and reacts.
  await page.getByTestId('login-username').fill('nobody')
  await page.getByTestId('login-password').fill('nothing-at-all')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('wrong password')
})

test('state-changing requests from another origin, or none, are refused', async ({ baseURL }) => {
  const admin = demoAccount('admin')
  const api = await apiSession(baseURL!, admin.username, admin.password)
  const body = { username: 'cross-origin', displayName: 'X', role: 'admin', password: 'cross-origin-password' }
  const foreign = await api.post('/api/admin/users', { data: body, headers: { origin: 'https://evil.example' } })
  expect(foreign.status()).toBe(403)
  const none = await api.post('/api/admin/users', { data: body, headers: { origin: '' } })
  expect(none.status()).toBe(403)
  const users = (await (await api.get('/api/admin/users')).json()) as { username: string }[]
  expect(users.map((user) => user.username)).not.toContain('cross-origin')
  await api.dispose()
})

test('bad input is answered with 400 and a clear message; large bodies with 413', async ({ baseURL }) => {
  const admin = demoAccount('admin')
  const api = await apiSession(baseURL!, admin.username, admin.password)
  const invalid = await api.post('/api/admin/users', { data: { username: 'x', role: 'wizard', password: 'short' } })
  expect(invalid.status()).toBe(400)
  const payload = (await invalid.json()) as { code: string; message: string; details: { path: string }[] }
  expect(payload.code).toBe('bad_request:api')
  expect(payload.details.map((issue) => issue.path).sort()).toEqual(['displayName', 'password', 'role', 'username'])
  expect(payload.message).toContain('password: at least 12 characters')

  const notJson = await api.post('/api/admin/users', { data: Buffer.from('{not json'), headers: { 'content-type': 'application/json' } })
  expect(notJson.status()).toBe(400)
  expect((await notJson.json()).message).toMatch(/valid JSON/)

  const huge = await api.post('/api/admin/users', { data: { username: 'big', displayName: 'x'.repeat(200_000), role: 'admin', password: 'p'.repeat(20) } })
  expect(huge.status()).toBe(413)

  const badQuery = await api.get('/api/audit/events?limit=100000')
  expect(badQuery.status()).toBe(400)
  expect((await badQuery.json()).message).toMatch(/limit/)
  // The app keeps working after all of that.
  expect((await api.get('/api/me')).status()).toBe(200)
  await api.dispose()
})

test('a denied request is recorded as a security alert', async ({ baseURL }) => {
  const researcher = demoAccount('researcher')
  const api = await apiSession(baseURL!, researcher.username, researcher.password)
  expect((await api.get('/api/audit/verify')).status()).toBe(403)
  const auditor = demoAccount('auditor')
  const auditorApi = await apiSession(baseURL!, auditor.username, auditor.password)
  const { events } = (await (await auditorApi.get('/api/audit/events?limit=200')).json()) as {
    events: { eventType: string; eventCode: string; eventTypeCode: string; actor: { username: string } | null; entities: { id: string }[] }[]
  }
  const denied = events.find((event) => event.eventType === 'access-denied' && event.actor?.username === researcher.username)
  expect(denied?.eventCode).toBe('110113')
  expect(denied?.eventTypeCode).toBe('110132')
  expect(denied?.entities).toEqual([{ type: 'resource', id: '/api/audit/verify' }])
  await Promise.all([api.dispose(), auditorApi.dispose()])
})

// Callback paths a browser would read as another site: a tab or newline is dropped
// ("/<TAB>/evil.example" becomes "//evil.example"), a backslash is read as a slash.
const offSiteCallbacks = ['/\t/evil.example', '/\n/evil.example', '//evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example/']

test('the login page never sends a signed-in user to another site', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  // Were the page to leave, it would land here (and the test would see it).
  await context.route(
    (url) => url.hostname === 'evil.example',
    (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>evil</h1>' }),
  )
  const radiologist = demoAccount('radiologist')
  await signInBrowser(context, radiologist.username, radiologist.password)
  const page = await context.newPage()
  for (const callbackUrl of offSiteCallbacks) {
    await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`)
    expect(page.url(), JSON.stringify(callbackUrl)).toBe(`${baseURL}/`)
    await expect(page.getByTestId('home-heading')).toBeVisible()
  }
  // A same-site path still works.
  await page.goto(`/login?callbackUrl=${encodeURIComponent('/worklist')}`)
  expect(page.url()).toBe(`${baseURL}/worklist`)
  await context.close()
})

test('signing in through the form never leads to another site', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  await context.route(
    (url) => url.hostname === 'evil.example',
    (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>evil</h1>' }),
  )
  const radiologist = demoAccount('radiologist')
  const page = await context.newPage()
  for (const callbackUrl of offSiteCallbacks.slice(0, 4)) {
    const login = new LoginPage(page)
    await login.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`)
    await login.signIn(radiologist.username, radiologist.password)
    // A form sign-in (scrypt, the throttle's serialised reservation, a session row) can take seconds while the suite loads both cores.
    await expect(page.getByTestId('home-heading')).toBeVisible({ timeout: 20_000 })
    expect(page.url(), JSON.stringify(callbackUrl)).toBe(`${baseURL}/`)
    await context.clearCookies()
  }
  await context.close()
})
