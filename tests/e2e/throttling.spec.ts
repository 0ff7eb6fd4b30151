import { expect, test } from '@playwright/test'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { anonymousApi, apiSession, signInResponse } from '../support/api'

test('repeated failures lock one account with 429 while another account still signs in', async ({ baseURL }) => {
  const admin = demoAccount('admin')
  const adminApi = await apiSession(baseURL!, admin.username, admin.password)
  const victim = { username: uniqueUsername('throttled'), displayName: 'Throttled', role: 'radiologist', password: 'the-right-password' }
  expect((await adminApi.post('/api/admin/users', { data: victim })).status()).toBe(201)

  // Every attempt comes from one client address (as a reverse proxy would report it).
  const headers = { 'x-forwarded-for': '198.51.100.23' }
  const attacker = await anonymousApi(baseURL!)
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const response = await signInResponse(attacker, victim.username, `wrong-password-${attempt}`, headers)
    expect(response.status(), `failed attempt ${attempt}`).toBe(401)
  }
  // Locked now, even with the right password.
  const locked = await signInResponse(attacker, victim.username, victim.password, headers)
  expect(locked.status()).toBe(429)
  expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0)
  expect((await locked.json()).code).toBe('rate_limited:auth')

  // Another account, same address: unaffected.
  const other = demoAccount('researcher')
  const colleague = await anonymousApi(baseURL!)
  expect((await signInResponse(colleague, other.username, other.password, headers)).status()).toBe(200)
  expect((await colleague.get('/api/me')).status()).toBe(200)

  // The lock-out is audited.
  const events = (await (await adminApi.get('/api/audit/events?limit=200')).json()) as {
    events: { eventType: string; eventCode: string; outcome: number; details: Record<string, string> }[]
  }
  const forVictim = events.events.filter((event) => event.details.username === victim.username && event.eventType === 'login-failed')
  expect(forVictim.map((event) => event.details.reason)).toContain('throttled')
  expect(forVictim.filter((event) => event.details.reason === 'bad-credentials')).toHaveLength(5)
  expect(forVictim.every((event) => event.eventCode === '110114' && event.outcome === 4)).toBe(true)
  await Promise.all([adminApi.dispose(), attacker.dispose(), colleague.dispose()])
})

test('the login form explains a lock-out', async ({ page, baseURL }) => {
  const adminApi = await apiSession(baseURL!, demoAccount('admin').username, demoAccount('admin').password)
  const victim = { username: uniqueUsername('ui-throttled'), displayName: 'UI Throttled', role: 'auditor', password: 'the-right-password' }
  expect((await adminApi.post('/api/admin/users', { data: victim })).status()).toBe(201)
  await page.goto('/login')
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await page.getByTestId('login-username').fill(victim.username)
    await page.getByTestId('login-password').fill('not-the-password')
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('login-error')).toContainText('wrong password')
    await expect(page.getByTestId('login-submit')).toBeEnabled()
  }
  await page.getByTestId('login-password').fill(victim.password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('Too many failed sign-ins')
  await adminApi.dispose()
})
