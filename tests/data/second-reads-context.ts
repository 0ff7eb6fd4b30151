// What the three parts of the second-read tests share (second-reads-*.ts, run in this
// order by data-layer-suite.ts on one database): the study and finding fixtures, the
// accounts that read, and the reads one part leaves for the next.
import { before } from 'node:test'
import assert from 'node:assert/strict'
import type { SessionUser } from '../../lib/auth/session-user'
import type { DataLayerContext, Modules } from './data-layer-context'

export type ReadDto = Awaited<ReturnType<Modules['reads']['getRead']>>
type FindingLocation = ReadDto['findings'][number]['location']
type StudyReference = ReadDto['study']

export const ip = '198.51.100.7'

export const study: StudyReference = {
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.10001',
  studyDescription: 'CT CHEST W/O CONTRAST',
  studyDate: '20260412',
  accessionNumber: 'ACC-10001',
  modality: 'CT',
  source: 'demo',
  sourceRef: 'lung-ct',
}
export const otherStudy: StudyReference = { ...study, studyInstanceUid: '1.2.826.0.1.3680043.8.498.10002', accessionNumber: 'ACC-10002' }
export const studyNumbered = (number: number): StudyReference => ({ ...study, studyInstanceUid: `1.2.826.0.1.3680043.8.498.${number}`, accessionNumber: `ACC-${number}` })
export const model = { id: 'lesion-seg-2d', version: '1.2.0', sha256: 'ab'.repeat(32) }
const series = '1.2.826.0.1.3680043.8.498.10001.1'
export const at = (kind: FindingLocation['kind'], sliceIndex: number, points: [number, number, number][]): FindingLocation => ({
  kind,
  seriesInstanceUid: series,
  sopInstanceUid: `${series}.${sliceIndex + 1}`,
  frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.10001.9',
  sliceIndex,
  points,
})
export const box = at('bbox', 41, [
  [-52.5, 10.25, -120],
  [-40.5, 10.25, -120],
  [-40.5, 22.25, -120],
  [-52.5, 22.25, -120],
])
export const contour = at('polyline', 57, [
  [30, -5, -150],
  [36.5, -5, -150],
  [36.5, 2, -150],
])
export const point = at('point', 63, [[12.75, 40, -172.5]])
export const line = at('polyline', 70, [
  [-20, 30, -190],
  [-11, 30, -190],
])
export const newBox = at('bbox', 42, [
  [-51, 11, -121.5],
  [-41, 11, -121.5],
  [-41, 21, -121.5],
  [-51, 21, -121.5],
])

export interface Readers {
  radiologist: SessionUser
  colleague: SessionUser
  researcher: SessionUser
  auditor: SessionUser
}

/** Set as the parts run: `readers` first, then what each part hands to the next. */
interface SecondReadsState {
  readers: Readers
  /** The read as first signed (reread from the database to compare with later). */
  signed: ReadDto
  /** Its amendment (version 2), signed by the end of the amendment tests. */
  amendment: ReadDto
}

export type SecondReads = ReturnType<typeof secondReadsContext>

/** Registers the `before` hook that finds the readers (call it inside the 'second reads' describe). */
export function secondReadsContext(c: DataLayerContext) {
  const state = {} as SecondReadsState

  const auditSince = (seq: number) => c.db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })
  const findingIds = (read: ReadDto) => read.findings.map((finding) => finding.id)
  const rowOf = (id: string) =>
    c.db.read.findUniqueOrThrow({
      where: { id },
      include: { findings: { orderBy: { ordinal: 'asc' } }, signature: true, amendedBy: { select: { id: true } } },
    })

  before(async () => {
    const { m, db, admin } = c
    const session = async (username: string): Promise<SessionUser> => {
      const row = await db.user.findUniqueOrThrow({ where: { username } })
      return { id: row.id, username: row.username, displayName: row.displayName, role: row.role as SessionUser['role'] }
    }
    const radiologist = await session('radiologist')
    const researcher = await session('researcher')
    const auditor = await session('auditor')
    await m.users.createUser(db, { username: 'colleague', displayName: 'Dr. Col League', role: 'radiologist', password: 'another radiologist password' }, admin)
    const colleague = await session('colleague')
    assert.equal(radiologist.role, 'radiologist')
    assert.equal(researcher.role, 'researcher')
    assert.equal(auditor.role, 'auditor')
    state.readers = { radiologist, colleague, researcher, auditor }
  })

  return Object.assign(state, { auditSince, findingIds, rowOf })
}
