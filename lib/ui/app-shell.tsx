import type { ReactNode } from 'react'
import { navigationFor } from '../auth/access'
import { roleLabels } from '../vocabulary/roles'
import type { SessionUser } from '../auth/session-user'
import { NavLinks } from './nav-links.client'
import { SignOutButton } from './sign-out-button.client'

export function AppShell({ user, children }: { user: SessionUser; children: ReactNode }) {
  const items = navigationFor(user.role).map(({ href, label }) => ({ href, label }))
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          PARAL<span>LAX</span>
        </div>
        <NavLinks items={items} />
        <div className="sidebar-footer">
          <div data-testid="current-user">{user.displayName}</div>
          <div className="muted" data-testid="current-role">
            {roleLabels[user.role]}
          </div>
          <div style={{ marginTop: '.6rem' }}>
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main className="main">{children}</main>
    </div>
  )
}
