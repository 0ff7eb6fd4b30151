import { expect, test } from '@playwright/test'
import { roleLabels, roles } from '../../lib/vocabulary/roles'
import { demoAccount, uniqueUsername } from '../support/accounts'
import { LoginPage } from '../pages/login-page'

for (const role of roles) {
  test(`${role} signs in through the form, sees the navigation for the role, and signs out`, async ({ page }) => {
    const account = demoAccount(role)
    const login = new LoginPage(page)
    await login.goto()
    await login.signIn(account.username, account.password)
    await expect(page.getByTestId('home-heading')).toContainText(account.displayName)
    await expect(page.getByTestId('current-role')).toHaveText(roleLabels[role])
    const nav = page.getByTestId('main-nav')
    await expect(nav.getByRole('link', { name: 'Audit trail' })).toHaveCount(role === 'auditor' || role === 'admin' ? 1 : 0)
    await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(role === 'admin' ? 1 : 0)
    await page.getByTestId('sign-out').click()
    await expect(page).toHaveURL(/\/login/)
    await page.goto('/')
    await expect(page).toHaveURL(/\/login/)
  })
}

test('a wrong password shows a clear error and loses nothing typed', async ({ page }) => {
  const login = new LoginPage(page)
  await login.goto()
  await login.signIn('radiologist', 'definitely-not-it')
  await expect(login.error()).toContainText('wrong password')
  await expect(page.getByTestId('login-username')).toHaveValue('radiologist')
})

test('an admin manages a user and the auditor sees every step in the verified trail', async ({ page, browser, baseURL }) => {
  const admin = demoAccount('admin')
  const login = new LoginPage(page)
  await login.goto('/admin/users')
  await login.signIn(admin.username, admin.password)
  await expect(page.getByTestId('users-table')).toBeVisible()

  const username = uniqueUsername('ui-user')
  await page.getByTestId('new-username').fill(username)
  await page.getByTestId('new-display-name').fill('Una User')
  await page.getByTestId('new-role').selectOption('researcher')
  await page.getByTestId('new-password').fill('una-user-password')
  await page.getByTestId('create-user').click()
  await expect(page.getByTestId('users-message')).toHaveText(`Created ${username}.`)

  const row = page.locator(`[data-testid="user-row"][data-username="${username}"]`)
  await row.getByTestId('user-role').selectOption('radiologist')
  await expect(page.getByTestId('users-message')).toHaveText(`${username} is now Radiologist.`)
  await row.getByTestId('user-toggle-disabled').click()
  await expect(row).toContainText('Disabled')

  const auditorContext = await browser.newContext({ baseURL })
  const auditorPage = await auditorContext.newPage()
  const auditor = demoAccount('auditor')
  const auditorLogin = new LoginPage(auditorPage)
  await auditorLogin.goto('/audit')
  await auditorLogin.signIn(auditor.username, auditor.password)
  await expect(auditorPage.getByTestId('chain-status')).toHaveAttribute('data-ok', 'true')
  await expect(auditorPage.getByTestId('chain-status')).toContainText('Chain intact')
  const events = auditorPage.locator('[data-testid="audit-event"]', { hasText: username })
  // Newest first: disabled, role changed, created.
  await expect(events).toHaveCount(3)
  await expect(events.nth(0)).toHaveAttribute('data-event-type', 'user-disabled')
  await expect(events.nth(1)).toHaveAttribute('data-event-type', 'role-changed')
  await expect(events.nth(1)).toContainText('110113 / 110136')
  await expect(events.nth(2)).toHaveAttribute('data-event-type', 'user-created')
  // The page's check is the quick one and says so; the full one recomputes every event.
  const status = auditorPage.getByTestId('chain-status')
  await expect(status).toHaveAttribute('data-scope', 'quick')
  await expect(auditorPage.getByTestId('chain-scope')).toContainText('not recomputed')
  await auditorPage.getByTestId('verify-full').click()
  await expect(status).toHaveAttribute('data-scope', 'full')
  await expect(status).toHaveAttribute('data-ok', 'true')
  await expect(status).toContainText(/all [\d,]+ events recomputed/)
  await auditorContext.close()
})
