import 'server-only'
import { appendAudit, recordAudit } from '../audit/append.server'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import { AppError } from '../errors'
import {
  auditContext,
  loadRead,
  openKeyOf,
  purposeForRole,
  readInclude,
  readReference,
  readReferenceOf,
  studyColumns,
  studyOf,
  toReadDto,
  visiblePurposes,
  withSignedEvents,
} from './read-rows.server'
import type { ExportDestination } from './schema'
import type { ReadDto, ReadPurpose, StudyReference } from './types'

// Second reads on the server: finding, opening and listing reads, and recording their
// exports. Changes to findings are in finding-changes.server.ts, signing and amending in
// signing.server.ts. Every change writes its audit event in the same transaction, so a
// change without its record (or the other way round) cannot commit. Signed reads are
// immutable here and in the database.

/** A read the user may see, or 404 (never revealing reads of another kind). */
export async function getRead(db: Db, user: SessionUser, id: string): Promise<ReadDto> {
  const row = await loadRead(db, id)
  if (!visiblePurposes(user.role).includes(row.purpose as ReadPurpose)) throw new AppError('not_found', 'findings', 'No such read.')
  return toReadDto(row)
}

/** Every version of every read of a study that the user may see, newest first. */
export async function readsOfStudy(db: Db, user: SessionUser, studyInstanceUid: string): Promise<ReadDto[]> {
  const rows = await db.read.findMany({
    where: { studyInstanceUid, purpose: { in: visiblePurposes(user.role) } },
    include: readInclude,
    orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
  })
  return (await withSignedEvents(db, rows)).map(toReadDto)
}

/** A read shown to the user (GET /api/reads/[id]): the view is audited before the read is sent, or the read is not sent. */
export async function viewRead(db: Db, user: SessionUser, sourceIp: string | null, id: string): Promise<ReadDto> {
  const read = await getRead(db, user, id)
  await recordAudit(db, { type: 'read-viewed', reads: [readReferenceOf(read)] }, auditContext(user, sourceIp))
  return read
}

/** The reads of a study shown to the user (GET /api/reads?study=): one audited view naming each; none when there are none. */
export async function viewReadsOfStudy(db: Db, user: SessionUser, sourceIp: string | null, studyInstanceUid: string): Promise<ReadDto[]> {
  const reads = await readsOfStudy(db, user, studyInstanceUid)
  if (reads.length) await recordAudit(db, { type: 'read-viewed', reads: reads.map(readReferenceOf) }, auditContext(user, sourceIp))
  return reads
}

/** The user's open read of a study, created (and audited) when there is none: one per study and reader. */
export async function openReadFor(db: Db, user: SessionUser, sourceIp: string | null, study: StudyReference): Promise<ReadDto> {
  const purpose = purposeForRole(user.role)
  if (!purpose) throw new AppError('forbidden', 'findings', 'Your role does not read studies.')
  const openKey = openKeyOf(study.studyInstanceUid, user.id, purpose)
  const existing = await db.read.findUnique({ where: { openKey }, include: readInclude })
  if (existing) return toReadDto({ ...existing, signedEvent: null, signatureKey: null })
  const signed = await db.read.findFirst({
    where: { studyInstanceUid: study.studyInstanceUid, readerId: user.id, purpose, status: 'signed', amendedBy: { is: null } },
    select: { id: true },
  })
  if (signed) throw new AppError('conflict', 'findings', 'You have signed a read of this study: amend it to change it.')
  try {
    const created = await db.$transaction(async (tx) => {
      const read = await tx.read.create({ data: { ...study, purpose, status: 'open', openKey, readerId: user.id, readerName: user.displayName } })
      await appendAudit(tx, { type: 'read-opened', read: readReference(read), purpose }, auditContext(user, sourceIp))
      return read
    })
    // A new read has no findings, signature or amendment yet: nothing to read back.
    return toReadDto({ ...created, findings: [], signature: null, amendedBy: null, signedEvent: null, signatureKey: null })
  } catch (error) {
    // Two tabs opening the same study at once: the unique open key lets one win.
    const raced = await db.read.findUnique({ where: { openKey }, include: readInclude })
    if (raced) return toReadDto({ ...raced, signedEvent: null, signatureKey: null })
    throw error
  }
}

/**
 * Records an export before the browser makes it. Storing to a PACS writes to the clinical
 * record: radiologists only, and only to the PACS the study came from.
 */
export async function recordReadExport(db: Db, user: SessionUser, sourceIp: string | null, readId: string, destination: ExportDestination, pacsId: string | null): Promise<void> {
  const read = await getRead(db, user, readId)
  if (read.status !== 'signed') throw new AppError('conflict', 'findings', 'Only a signed read is exported.')
  if (destination === 'pacs') {
    if (user.role !== 'radiologist') throw new AppError('forbidden', 'findings', 'Only radiologists store reports to the PACS.')
    if (read.study.source !== 'dicomweb' || !pacsId || pacsId !== read.study.sourceRef) {
      throw new AppError('bad_request', 'findings', 'A report is stored only to the PACS its study came from.')
    }
  }
  await recordAudit(
    db,
    {
      type: 'read-exported',
      read: readReferenceOf(read),
      format: 'dicom-sr',
      destination,
      ...(pacsId ? { pacsId } : {}),
    },
    auditContext(user, sourceIp),
  )
}

export interface WorklistEntry {
  readId: string
  purpose: ReadPurpose
  version: number
  study: StudyReference
  reader: string
  createdAt: string
  pending: number
  decided: number
  findings: number
}

/** The user's open reads, oldest first, with how many AI findings still wait (a read is its reader's to finish). */
export async function worklist(db: Db, user: SessionUser): Promise<WorklistEntry[]> {
  const purpose = purposeForRole(user.role)
  if (!purpose) return []
  const rows = await db.read.findMany({
    where: { status: 'open', purpose, readerId: user.id },
    select: { id: true, version: true, readerName: true, createdAt: true, ...studyColumns, findings: { select: { status: true } } },
    orderBy: { createdAt: 'asc' },
    take: 500,
  })
  return rows.map((row) => {
    const pending = row.findings.filter((finding) => finding.status === 'proposed').length
    return {
      readId: row.id,
      purpose,
      version: row.version,
      study: studyOf(row),
      reader: row.readerName,
      createdAt: row.createdAt.toISOString(),
      pending,
      decided: row.findings.length - pending,
      findings: row.findings.length,
    }
  })
}
