import type { Role } from './roles'

// Who may open which page. Route handlers declare their roles in their own route() spec;
// pages and the navigation read them from here, so the menu never offers a page the
// server would refuse.
export const pageRoles = {
  home: ['radiologist', 'researcher', 'auditor', 'admin'],
  audit: ['auditor', 'admin'],
  adminUsers: ['admin'],
} as const satisfies Record<string, readonly Role[]>

export interface NavItem {
  href: string
  label: string
  roles: readonly Role[]
}

export const navigation: readonly NavItem[] = [
  { href: '/', label: 'Home', roles: pageRoles.home },
  { href: '/audit', label: 'Audit trail', roles: pageRoles.audit },
  { href: '/admin/users', label: 'Users', roles: pageRoles.adminUsers },
]

export function navigationFor(role: Role): NavItem[] {
  return navigation.filter((item) => item.roles.includes(role))
}
