// Headless Chromium for the bench: Debian's browser with the flags that work here, and a
// context signed in through next-auth's credentials endpoint.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test'

const launchArgs = ['--no-sandbox', '--headless=new', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export function launchBenchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: launchArgs })
}

export async function signedInContext(browser: Browser, baseURL: string, credentials: { username: string; password: string }): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1400, height: 900 } })
  const csrf = (await (await context.request.get('/api/auth/csrf')).json()) as { csrfToken: string }
  const signIn = await context.request.post('/api/auth/callback/credentials', { form: { ...credentials, csrfToken: csrf.csrfToken, json: 'true' } })
  if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`)
  return context
}

/** A signed-in context with the viewer open and ready (the page every viewer measurement starts from). */
export async function openViewer(browser: Browser, baseURL: string, credentials: { username: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await signedInContext(browser, baseURL, credentials)
  const page = await context.newPage()
  await page.goto('/viewer')
  await page.waitForSelector('[data-testid="viewer"][data-ready="true"]', { timeout: 60_000 })
  return { context, page }
}
