import type { Role } from '../vocabulary/roles'

// Demo accounts: their passwords are published in the README, so they are seeded only in
// demo mode (PARALLAX_DEMO=1: `npm run demo`, `npm run dev`, the end-to-end tests). Outside
// it the server refuses to start while any account still has one of these passwords
// (setup.server.ts), and no account may be given one (schema.ts).
export interface DemoAccount {
  username: string
  displayName: string
  role: Role
  password: string
}

export const demoAccounts: readonly DemoAccount[] = [
  { username: 'radiologist', displayName: 'Dr. Rada Reader', role: 'radiologist', password: 'parallax-radiologist' },
  { username: 'researcher', displayName: 'Rhea Searcher', role: 'researcher', password: 'parallax-researcher' },
  { username: 'auditor', displayName: 'Audie Tor', role: 'auditor', password: 'parallax-auditor' },
  { username: 'admin', displayName: 'Ada Admin', role: 'admin', password: 'parallax-admin' },
]

/** Whether `password` is one the README publishes (compared as scrypt compares it, after NFKC). */
export function isPublishedPassword(password: string): boolean {
  const normalized = password.normalize('NFKC')
  return demoAccounts.some((account) => account.password === normalized)
}
