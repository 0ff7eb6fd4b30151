// The data-layer suite on an embedded SQLite file in a temp directory.
import { after } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defineDataLayerSuite } from './data-layer-suite'

const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

defineDataLayerSuite('sqlite', () => `file:${path.join(dir, 'parallax.db')}`)
