import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { anonymousApi, apiSession, signInResponse } from '../support/api'

// The test server trusts one proxy hop (PARALLAX_TRUSTED_PROXY_HOPS=1 in playwright.config.ts),
// so the last X-Forwarded-For entry a request carries is its client address, as a reverse
// proxy would report it. Each test uses addresses of its own.

interface FailedSignIn {
  eventCode: string
  outcome: number
  sourceIp: string | null
  details: Record<string, string>
}

async function createVictim(admin: APIRequestContext, prefix: string) {
  const victim = { username: uniqueUsername(prefix), displayName: 'Throttled', role: 'radiologist', password: 'the-right-password' }
  expect((await admin.post('/api/admin/users', { data: victim })).status()).toBe(201)
  return victim
}

async function adminSession(baseURL: string) {
  const admin = demoAccount('admin')
  return apiSession(baseURL, admin.username, admin.password)
}

async function failedSignInsOf(admin: APIRequestContext, username: string): Promise<FailedSignIn[]> {
  const { events } = (await (await admin.get('/api/audit/events?type=login-failed&limit=500')).json()) as { events: FailedSignIn[] }
  return events.filter((event) => event.details.username === username)
}

async function csrfToken(api: APIRequestContext, headers: Record<string, string>): Promise<string> {
  return ((await (await api.get('/api/auth/csrf', { headers })).json()) as { csrfToken: string }).csrfToken
}

// The ways an attacker can send credentials to next-auth: a form, a JSON body (next-auth
// accepts both), and a form with the username repeated (next-auth keeps the last one; the
// first names a throwaway account).
const encodings = ['form', 'json', 'repeated-field'] as const
type Encoding = (typeof encodings)[number]

function attempt(
  api: APIRequestContext,
  encoding: Encoding,
  credentials: { username: string; password: string; csrfToken: string },
  headers: Record<string, string>,
): Promise<APIResponse> {
  const fields = { ...credentials, json: 'true', callbackUrl: '/' }
  const url = '/api/auth/callback/credentials'
  if (encoding === 'form') return api.post(url, { form: fields, headers, maxRedirects: 0 })
  if (encoding === 'json') return api.post(url, { data: fields, headers: { ...headers, 'content-type': 'application/json' }, maxRedirects: 0 })
  const body = new URLSearchParams([['username', uniqueUsername('decoy')], ...Object.entries(fields)]).toString()
  return api.post(url, { data: body, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, maxRedirects: 0 })
}

for (const [index, encoding] of encodings.entries()) {
  test(`${encoding} sign-ins: 5 failures lock the account with 429, even for the right password`, async ({ baseURL }) => {
    const admin = await adminSession(baseURL!)
    const victim = await createVictim(admin, `thr-${encoding}`)
    const address = `198.51.100.${30 + index}`
    const headers = { 'x-forwarded-for': address }
    const attacker = await anonymousApi(baseURL!)
    const token = await csrfToken(attacker, headers)
    for (let failure = 1; failure <= 5; failure += 1) {
      const response = await attempt(attacker, encoding, { username: victim.username, password: `wrong-password-${failure}`, csrfToken: token }, headers)
      expect(response.status(), `failed attempt ${failure}`).toBe(401)
    }
    const locked = await attempt(attacker, encoding, { username: victim.username, password: victim.password, csrfToken: token }, headers)
    expect(locked.status()).toBe(429)
    expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0)
    expect((await locked.json()).code).toBe('rate_limited:auth')
    // The lock is the account's, whichever way and from wherever the next attempt comes.
    const elsewhere = await anonymousApi(baseURL!)
    expect((await signInResponse(elsewhere, victim.username, victim.password, { 'x-forwarded-for': '192.0.2.200' })).status()).toBe(429)

    const failed = await failedSignInsOf(admin, victim.username)
    expect(failed.filter((event) => event.details.reason === 'bad-credentials')).toHaveLength(5)
    expect(failed.map((event) => event.details.reason)).toContain('throttled')
    expect(failed.every((event) => event.eventCode === '110114' && event.outcome === 4)).toBe(true)
    expect(failed.filter((event) => event.details.reason === 'bad-credentials').every((event) => event.sourceIp === address)).toBe(true)
    await Promise.all([admin.dispose(), attacker.dispose(), elsewhere.dispose()])
  })
}

test('parallel sign-ins: no more than 5 reach the password check', async ({ baseURL }) => {
  const admin = await adminSession(baseURL!)
  const victim = await createVictim(admin, 'thr-parallel')
  const headers = { 'x-forwarded-for': '198.51.100.40' }
  const attacker = await anonymousApi(baseURL!)
  const token = await csrfToken(attacker, headers)
  const responses = await Promise.all(
    Array.from({ length: 10 }, (_, guess) => attempt(attacker, 'form', { username: victim.username, password: `parallel-guess-${guess}`, csrfToken: token }, headers)),
  )
  const statuses = responses.map((response) => response.status())
  expect(
    statuses.filter((status) => status === 401),
    statuses.join(' '),
  ).toHaveLength(5)
  expect(
    statuses.filter((status) => status === 429),
    statuses.join(' '),
  ).toHaveLength(5)
  expect((await attempt(attacker, 'form', { username: victim.username, password: victim.password, csrfToken: token }, headers)).status()).toBe(429)
  expect((await failedSignInsOf(admin, victim.username)).filter((event) => event.details.reason === 'bad-credentials')).toHaveLength(5)
  await Promise.all([admin.dispose(), attacker.dispose()])
})

test('a locked account does not lock its colleagues at the same address', async ({ baseURL }) => {
  const admin = await adminSession(baseURL!)
  const victim = await createVictim(admin, 'thr-colleague')
  const headers = { 'x-forwarded-for': '198.51.100.41' }
  const attacker = await anonymousApi(baseURL!)
  for (let failure = 1; failure <= 5; failure += 1) expect((await signInResponse(attacker, victim.username, `wrong-${failure}`, headers)).status()).toBe(401)
  expect((await signInResponse(attacker, victim.username, victim.password, headers)).status()).toBe(429)
  const other = demoAccount('researcher')
  const colleague = await anonymousApi(baseURL!)
  expect((await signInResponse(colleague, other.username, other.password, headers)).status()).toBe(200)
  expect((await colleague.get('/api/me')).status()).toBe(200)
  await Promise.all([admin.dispose(), attacker.dispose(), colleague.dispose()])
})

test('the audit trail records the address the trusted proxy reported, never a client-written one', async ({ baseURL }) => {
  const admin = await adminSession(baseURL!)
  const anonymous = await anonymousApi(baseURL!)
  // Left of the trusted proxy's entry: written by the client, ignored.
  const behindProxy = uniqueUsername('addr-proxy')
  expect((await signInResponse(anonymous, behindProxy, 'any-password', { 'x-forwarded-for': '203.0.113.66, 198.51.100.42' })).status()).toBe(401)
  // Not an address at all: the socket's address stands in.
  const junk = uniqueUsername('addr-junk')
  expect((await signInResponse(anonymous, junk, 'any-password', { 'x-forwarded-for': 'evil<script>' })).status()).toBe(401)
  expect((await failedSignInsOf(admin, behindProxy)).map((event) => event.sourceIp)).toEqual(['198.51.100.42'])
  const [fromJunk] = await failedSignInsOf(admin, junk)
  expect(fromJunk?.sourceIp).toMatch(/^(127\.0\.0\.1|::1)$/)
  await Promise.all([admin.dispose(), anonymous.dispose()])
})

test('the login form explains a lock-out', async ({ page, baseURL }) => {
  const admin = await adminSession(baseURL!)
  const victim = await createVictim(admin, 'ui-throttled')
  await page.goto('/login')
  for (let failure = 1; failure <= 5; failure += 1) {
    await page.getByTestId('login-username').fill(victim.username)
    await page.getByTestId('login-password').fill('not-the-password')
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('login-error')).toContainText('wrong password')
    await expect(page.getByTestId('login-submit')).toBeEnabled()
  }
  await page.getByTestId('login-password').fill(victim.password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('Too many failed sign-ins')
  await admin.dispose()
})
