// A production start and the audit trust root on a fresh SQLite file, where the owner is
// anyone who can write the file (production-suite.ts, tamper-suite.ts).
import { after, describe } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { productionContext } from './production-context'
import { defineProductionStartTests } from './production-suite'
import { defineTamperTests } from './tamper-suite'

const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-production-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const url = `file:${path.join(dir, 'parallax.db')}`

describe('production start and audit trust root on sqlite', () => {
  const c = productionContext('sqlite', async () => ({ appUrl: url, ownerUrl: url }))
  defineProductionStartTests(c)
  defineTamperTests(c)
})
