// The home cards on a stand-in database: one card per page the role may open, each with
// the counts its page holds for this user.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { navigationFor } from '../auth/access'
import { roles, type Role } from '../vocabulary/roles'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import { homeCards } from './home-cards.server'

const now = new Date('2026-01-02T03:04:05Z')
const pacsRow = (name: string) => ({ id: name, name, qidoRoot: `https://${name}/qido`, wadoRoot: `https://${name}/wado`, authHeader: null, createdAt: now, updatedAt: now })
const readRow = (id: string, statuses: string[]) => ({
  id,
  version: 1,
  studyInstanceUid: '1.2.3',
  studyDescription: 'CT chest',
  studyDate: '20260102',
  accessionNumber: '',
  modality: 'CT',
  source: 'local',
  sourceRef: null,
  readerName: 'Reader',
  createdAt: now,
  findings: statuses.map((status) => ({ status })),
})

/** A database with these PACS servers and these open reads for whoever asks (the query's filter is the worklist's concern). */
function fakeDb(pacs: string[], reads: ReturnType<typeof readRow>[]): Db {
  return {
    pacsServer: { findMany: async () => pacs.map(pacsRow) },
    read: { findMany: async () => reads },
    annotationProject: { findMany: async () => [] },
  } as unknown as Db
}

const user = (role: Role): SessionUser => ({ id: `u-${role}`, username: role, displayName: role, role })

describe('home cards', () => {
  let demoDir: string
  const previous = process.env.PARALLAX_DEMO_DIR
  before(() => {
    demoDir = mkdtempSync(path.join(tmpdir(), 'parallax-demo-'))
    for (const key of ['demo-a', 'demo-b']) {
      mkdirSync(path.join(demoDir, key))
      writeFileSync(path.join(demoDir, key, 'study.json'), JSON.stringify({ key, title: key, files: ['slice001.dcm'] }))
    }
    process.env.PARALLAX_DEMO_DIR = demoDir
  })
  after(() => {
    rmSync(demoDir, { recursive: true, force: true })
    if (previous === undefined) delete process.env.PARALLAX_DEMO_DIR
    else process.env.PARALLAX_DEMO_DIR = previous
  })

  it('shows a card for each page the role may open, Home aside, each saying what it is for', async () => {
    for (const role of roles) {
      const cards = await homeCards(fakeDb([], []), user(role))
      const expected = navigationFor(role)
        .map((item) => item.href)
        .filter((href) => href !== '/')
      assert.deepEqual(
        cards.map((card) => card.href),
        expected,
        role,
      )
      for (const card of cards) assert.ok(card.purpose.length > 20, `${role} ${card.href} says what it is for`)
    }
    const admin = await homeCards(fakeDb([], []), user('admin'))
    assert.ok(!admin.some((card) => card.href === '/worklist'), 'admins have no worklist')
  })

  it("counts the reader's open reads and the AI findings awaiting a decision", async () => {
    const reads = [readRow('r1', ['proposed', 'proposed', 'accepted']), readRow('r2', ['rejected']), readRow('r3', ['proposed'])]
    const worklist = (await homeCards(fakeDb([], reads), user('radiologist'))).find((card) => card.href === '/worklist')!
    assert.equal(worklist.count, 3)
    assert.equal(worklist.waiting, '3 open reads, 2 of them with 3 AI findings awaiting your decision.')
    const empty = (await homeCards(fakeDb([], []), user('researcher'))).find((card) => card.href === '/worklist')!
    assert.equal(empty.count, 0)
    assert.match(empty.waiting ?? '', /Nothing waits/)
  })

  it('counts the configured PACS servers and the demo studies on disk', async () => {
    const cards = await homeCards(fakeDb(['orthanc', 'dcm4chee'], []), user('researcher'))
    const studies = cards.find((card) => card.href === '/studies')!
    assert.equal(studies.count, 2)
    assert.match(studies.waiting ?? '', /^2 PACS servers configured/)
    const viewer = cards.find((card) => card.href === '/viewer')!
    assert.equal(viewer.count, 2)
    assert.match(viewer.waiting ?? '', /^2 synthetic demo studies/)
    const none = (await homeCards(fakeDb([], []), user('admin'))).find((card) => card.href === '/admin/pacs')!
    assert.match(none.waiting ?? '', /add one under PACS servers/)
  })
})
