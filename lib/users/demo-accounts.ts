import type { CreateUser } from './schema'

// Demo accounts seeded on first start (listed in the README). Not for production use:
// set PARALLAX_SEED_DEMO=0 to start without them.
export const demoAccounts: readonly CreateUser[] = [
  { username: 'radiologist', displayName: 'Dr. Rada Reader', role: 'radiologist', password: 'parallax-radiologist' },
  { username: 'researcher', displayName: 'Rhea Searcher', role: 'researcher', password: 'parallax-researcher' },
  { username: 'auditor', displayName: 'Audie Tor', role: 'auditor', password: 'parallax-auditor' },
  { username: 'admin', displayName: 'Ada Admin', role: 'admin', password: 'parallax-admin' },
]
