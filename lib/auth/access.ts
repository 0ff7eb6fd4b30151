import type { Role } from '../vocabulary/roles'

// Who may open which page. Route handlers declare their roles in their own route() spec;
// pages and the navigation read them from here, so the menu never offers a page the
// server would refuse.
export const pageRoles = {
  home: ['radiologist', 'researcher', 'auditor', 'admin'],
  // Auditors read everything, images included, to check what the AI and readers saw.
  viewer: ['radiologist', 'researcher', 'auditor', 'admin'],
  // Searching a PACS by patient is a query of patient data: the people who read and annotate
  // studies (and the admin who configures the PACS). Auditors open the studies they audit
  // from the records that name them, not by searching.
  studies: ['radiologist', 'researcher', 'admin'],
  // Reads waiting for their reader: clinical ones for radiologists, research ones for researchers.
  worklist: ['radiologist', 'researcher'],
  audit: ['auditor', 'admin'],
  adminUsers: ['admin'],
  adminPacs: ['admin'],
  adminModels: ['admin'],
} as const satisfies Record<string, readonly Role[]>

export interface NavItem {
  href: string
  label: string
  roles: readonly Role[]
}

export const navigation: readonly NavItem[] = [
  { href: '/', label: 'Home', roles: pageRoles.home },
  { href: '/worklist', label: 'Worklist', roles: pageRoles.worklist },
  { href: '/studies', label: 'Studies', roles: pageRoles.studies },
  { href: '/viewer', label: 'Viewer', roles: pageRoles.viewer },
  { href: '/audit', label: 'Audit trail', roles: pageRoles.audit },
  { href: '/admin/users', label: 'Users', roles: pageRoles.adminUsers },
  { href: '/admin/pacs', label: 'PACS servers', roles: pageRoles.adminPacs },
  { href: '/admin/models', label: 'Models', roles: pageRoles.adminModels },
]

export function navigationFor(role: Role): NavItem[] {
  return navigation.filter((item) => item.roles.includes(role))
}
