import { expect, request as playwrightRequest, type APIRequestContext, type APIResponse } from '@playwright/test'

// Signs in through next-auth's own endpoints, as the login form does, so the request
// context carries a real session cookie.
export async function signInResponse(api: APIRequestContext, username: string, password: string, headers: Record<string, string> = {}): Promise<APIResponse> {
  const csrf = await api.get('/api/auth/csrf', { headers })
  const { csrfToken } = (await csrf.json()) as { csrfToken: string }
  return api.post('/api/auth/callback/credentials', {
    form: { username, password, csrfToken, json: 'true', callbackUrl: '/' },
    headers,
    maxRedirects: 0,
  })
}

export async function apiSession(baseURL: string, username: string, password: string): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } })
  const response = await signInResponse(api, username, password)
  expect(response.status(), `sign-in of ${username}`).toBe(200)
  const me = await api.get('/api/me')
  expect(me.status(), `session of ${username}`).toBe(200)
  return api
}

export async function anonymousApi(baseURL: string): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } })
}
