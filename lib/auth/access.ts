import type { Role } from '../vocabulary/roles'

// Who may open which page. Route handlers declare their roles in their own route() spec;
// pages and the navigation read them from here, so the menu never offers a page the
// server would refuse.
export const pageRoles = {
  home: ['radiologist', 'researcher', 'auditor', 'admin'],
  // Auditors read everything, images included, to check what the AI and readers saw.
  viewer: ['radiologist', 'researcher', 'auditor', 'admin'],
  // Searching a PACS by patient is a query of patient data: the people who read and annotate
  // studies, the roles that get PACS access (pacsScopeRoles.read). Auditors and admins hold
  // no PACS access at all.
  studies: ['radiologist', 'researcher'],
  // Reads waiting for their reader: clinical ones for radiologists, research ones for researchers.
  worklist: ['radiologist', 'researcher'],
  // Annotation projects: researchers run them (admins too), radiologists annotate those
  // naming them, auditors read them all; each project is shown only to those it concerns.
  projects: ['radiologist', 'researcher', 'auditor', 'admin'],
  // An annotator's own queue: only the roles that annotate have one.
  projectQueue: ['radiologist', 'researcher'],
  audit: ['auditor', 'admin'],
  adminUsers: ['admin'],
  adminPacs: ['admin'],
  adminModels: ['admin'],
} as const satisfies Record<string, readonly Role[]>

/**
 * Who gets a PACS access token for which scope (lib/dicomweb/pacs-token.ts): reading
 * (QIDO-RS searches, WADO-RS retrieval) for the roles that read studies; writing (STOW-RS)
 * only for those who store results, radiologists (as the read export route requires).
 * Auditors and admins get none: the proxy in front of the PACS lets nothing through for them.
 */
export const pacsScopeRoles = {
  read: ['radiologist', 'researcher'],
  write: ['radiologist'],
} as const satisfies Record<'read' | 'write', readonly Role[]>

export interface NavItem {
  href: string
  label: string
  roles: readonly Role[]
}

export const navigation: readonly NavItem[] = [
  { href: '/', label: 'Home', roles: pageRoles.home },
  { href: '/worklist', label: 'Worklist', roles: pageRoles.worklist },
  { href: '/studies', label: 'Studies', roles: pageRoles.studies },
  { href: '/projects', label: 'Projects', roles: pageRoles.projects },
  { href: '/viewer', label: 'Viewer', roles: pageRoles.viewer },
  { href: '/audit', label: 'Audit trail', roles: pageRoles.audit },
  { href: '/admin/users', label: 'Users', roles: pageRoles.adminUsers },
  { href: '/admin/pacs', label: 'PACS servers', roles: pageRoles.adminPacs },
  { href: '/admin/models', label: 'Models', roles: pageRoles.adminModels },
]

export function navigationFor(role: Role): NavItem[] {
  return navigation.filter((item) => item.roles.includes(role))
}
