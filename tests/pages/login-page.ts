import { expect, type Page } from '@playwright/test'

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto(path = '/login') {
    await this.page.goto(path)
    await expect(this.page.getByTestId('login-form')).toBeVisible()
  }

  async signIn(username: string, password: string) {
    await this.page.getByTestId('login-username').fill(username)
    await this.page.getByTestId('login-password').fill(password)
    await this.page.getByTestId('login-submit').click()
  }

  error() {
    return this.page.getByTestId('login-error')
  }
}
