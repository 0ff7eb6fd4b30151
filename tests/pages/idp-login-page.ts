import { expect, type Page } from '@playwright/test'
import { oidcIssuer, oidcProviderName, type IdpUser } from '../support/oidc-fixture'

/** Single sign-on from the app's login page through the loopback IdP's own form (tests/support/oidc-server.ts). */
export class IdpLoginPage {
  constructor(private readonly page: Page) {}

  /** Clicks "Sign in with …" and waits for the IdP's login form. */
  async start(callbackPath = '/') {
    await this.page.goto(`/login?callbackUrl=${encodeURIComponent(callbackPath)}`)
    const button = this.page.getByTestId('login-sso')
    await expect(button).toHaveText(`Sign in with ${oidcProviderName}`)
    await button.click()
    await this.page.waitForURL((url) => url.origin === oidcIssuer && url.pathname.startsWith('/interaction/'))
    await expect(this.page.getByTestId('idp-login-form')).toBeVisible()
  }

  /** Signs in at the IdP; the browser then returns to the app (signed in, or refused on the login page). */
  async signIn(user: IdpUser, callbackPath = '/') {
    await this.start(callbackPath)
    await this.page.getByTestId('idp-username').fill(user.username)
    await this.page.getByTestId('idp-password').fill(user.password)
    await this.page.getByTestId('idp-submit').click()
    await this.page.waitForURL((url) => url.origin !== oidcIssuer && !url.pathname.startsWith('/api/auth/'))
  }
}
