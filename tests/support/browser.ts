import { expect, type BrowserContext } from '@playwright/test'
import { signInResponse } from './api'

/** Signs a browser context in through the API (the context's cookies are shared). */
export async function signInBrowser(context: BrowserContext, username: string, password: string) {
  const response = await signInResponse(context.request, username, password)
  expect(response.status(), `sign-in of ${username}`).toBe(200)
}
