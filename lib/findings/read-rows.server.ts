import 'server-only'
import type { KeyObject } from 'node:crypto'
import type { AuditContext } from '../audit/append.server'
import type { FindingReference, ReadReference } from '../audit/events'
import { hashIdentifier } from '../audit/identifiers.server'
import type { Role } from '../vocabulary/roles'
import type { SessionUser } from '../auth/session-user'
import { getDatabase, type Db, type Tx } from '../db/client.server'
import type { Finding, Read, ReadSignature } from '../db/generated/sqlite/client'
import { AppError } from '../errors'
import { readSignatureKey, signatureProblem, type SignedEvent } from './read-signature.server'
import { signedContentHash } from './signed-content'
import {
  findingLocationSchema,
  isDiscordant,
  type FindingDto,
  type FindingLocation,
  type ReadDto,
  type ReadPurpose,
  type RejectReason,
  type SignatureMeaning,
  type StudyReference,
} from './types'

// What the reads services share: a read's rows loaded one way (locked to change it), mapped
// to the DTOs the API sends, named one way in the audit trail, and who may see or change it.

/**
 * A read's rows, with the read-signed audit event its signature points at and the key the
 * signature is verified with (both null while unsigned).
 */
export type ReadRow = Read & {
  findings: Finding[]
  signature: ReadSignature | null
  amendedBy: { id: string } | null
  signedEvent: SignedEvent | null
  signatureKey: KeyObject | null
}
type ReadRowWithoutEvent = Omit<ReadRow, 'signedEvent' | 'signatureKey'>

export const readInclude = { findings: { orderBy: { ordinal: 'asc' } }, signature: true, amendedBy: { select: { id: true } } } as const
export const amendInclude = { ...readInclude, modelRuns: true } as const

/** Which reads a role works on: radiologists clinical ones, researchers research ones. */
export function purposeForRole(role: Role): ReadPurpose | null {
  return role === 'radiologist' ? 'clinical' : role === 'researcher' ? 'research' : null
}

/** Which reads a role may see: its own kind, or all of them for auditors. */
export function visiblePurposes(role: Role): ReadPurpose[] {
  if (role === 'auditor') return ['clinical', 'research']
  const purpose = purposeForRole(role)
  return purpose ? [purpose] : []
}

function parseLocation(json: string): FindingLocation {
  return findingLocationSchema.parse(JSON.parse(json))
}

export function toFindingDto(row: Finding): FindingDto {
  const dto: FindingDto = {
    id: row.id,
    ordinal: row.ordinal,
    origin: row.origin as FindingDto['origin'],
    status: row.status as FindingDto['status'],
    label: row.label,
    location: parseLocation(row.location),
    measurementMm: row.measurementMm,
    probability: row.probability,
    model: row.modelId && row.modelVersion && row.modelSha256 ? { id: row.modelId, version: row.modelVersion, sha256: row.modelSha256 } : null,
    executionProvider: row.executionProvider as FindingDto['executionProvider'],
    explanationMethod: row.explanationMethod,
    ai: row.aiLabel && row.aiLocation ? { label: row.aiLabel, location: parseLocation(row.aiLocation), measurementMm: row.aiMeasurementMm } : null,
    rejectReason: row.rejectReason as RejectReason | null,
    note: row.note,
    decidedBy: row.decidedByName,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    discordant: false,
  }
  dto.discordant = isDiscordant(dto)
  return dto
}

/** The columns a study reference is read from (a worklist selects only these and a few more). */
export const studyColumns = { studyInstanceUid: true, studyDescription: true, studyDate: true, accessionNumber: true, modality: true, source: true, sourceRef: true } as const

export function studyOf(row: Pick<Read, keyof typeof studyColumns>): StudyReference {
  return {
    studyInstanceUid: row.studyInstanceUid,
    studyDescription: row.studyDescription,
    studyDate: row.studyDate,
    accessionNumber: row.accessionNumber,
    modality: row.modality,
    source: row.source as StudyReference['source'],
    sourceRef: row.sourceRef,
  }
}

export function toReadDto(row: ReadRow): ReadDto {
  const content = {
    id: row.id,
    purpose: row.purpose as ReadPurpose,
    status: row.status as ReadDto['status'],
    version: row.version,
    amendsId: row.amendsId,
    amendedById: row.amendedBy?.id ?? null,
    amendReason: row.amendReason,
    study: studyOf(row),
    reader: { id: row.readerId, name: row.readerName },
    createdAt: row.createdAt.toISOString(),
    findings: row.findings.map(toFindingDto),
  }
  const read: ReadDto = { ...content, contentHash: signedContentHash(content), signature: null }
  if (row.signature) {
    const stored = {
      signerId: row.signature.signerId,
      printedName: row.signature.printedName,
      meaning: row.signature.meaning as SignatureMeaning,
      signedAt: row.signature.signedAt.toISOString(),
      contentHash: row.signature.contentHash,
    }
    const problem = signatureProblem(
      row.id,
      read.contentHash,
      { ...stored, serverSignature: row.signature.serverSignature, keyId: row.signature.keyId },
      row.signedEvent,
      row.signatureKey,
    )
    read.signature = { ...stored, valid: problem === null, problem }
  }
  return read
}

export function readReference(read: Pick<Read, 'id' | 'studyInstanceUid' | 'version'>): ReadReference {
  return { id: read.id, studyUidHash: hashIdentifier(read.studyInstanceUid), version: read.version }
}

export const readReferenceOf = (read: ReadDto) => readReference({ id: read.id, studyInstanceUid: read.study.studyInstanceUid, version: read.version })

export function findingReference(read: Read, finding: Pick<Finding, 'id' | 'label' | 'origin' | 'modelId'>): FindingReference {
  return { id: finding.id, read: readReference(read), label: finding.label, origin: finding.origin as 'ai' | 'reader', modelId: finding.modelId }
}

export function auditContext(user: SessionUser, sourceIp: string | null): AuditContext {
  return { actor: { id: user.id, username: user.username, role: user.role }, sourceIp }
}

/** The rows with the read-signed audit events their signatures point at (in one query), and the key that verifies them. */
export async function withSignedEvents(db: Db | Tx, rows: ReadRowWithoutEvent[]): Promise<ReadRow[]> {
  const seqs = rows.flatMap((row) => (row.signature?.auditSeq != null ? [row.signature.auditSeq] : []))
  const events = seqs.length
    ? await db.auditEvent.findMany({ where: { seq: { in: seqs } }, select: { seq: true, eventType: true, actorId: true, entities: true, details: true } })
    : []
  const bySeq = new Map(events.map(({ seq, ...event }) => [seq, event]))
  const signatureKey = rows.some((row) => row.signature) ? await readSignatureKey() : null
  return rows.map((row) => ({
    ...row,
    signedEvent: (row.signature?.auditSeq != null && bySeq.get(row.signature.auditSeq)) || null,
    signatureKey: row.signature ? signatureKey : null,
  }))
}

export async function loadRead(db: Db | Tx, id: string): Promise<ReadRow> {
  const row = await db.read.findUnique({ where: { id }, include: readInclude })
  if (!row) throw new AppError('not_found', 'findings', 'No such read.')
  return (await withSignedEvents(db, [row]))[0]!
}

/** Loads a read to change it, first locking its row on PostgreSQL so that changes to one read (and its signing) run one after another. */
export async function loadReadForUpdate(tx: Tx, id: string): Promise<ReadRow> {
  if (getDatabase().config.provider === 'postgresql') await tx.$executeRaw`SELECT 1 FROM "Read" WHERE "id" = ${id} FOR UPDATE`
  return loadRead(tx, id)
}

/** Refuses a change unless the read is the user's own open read of their kind. */
export function assertWritable(row: ReadRow, user: SessionUser): void {
  if (row.purpose !== purposeForRole(user.role)) throw new AppError('not_found', 'findings', 'No such read.')
  if (row.status !== 'open') throw new AppError('conflict', 'findings', 'This read is signed and cannot be changed; amend it to make a new version.')
  if (row.readerId !== user.id) throw new AppError('forbidden', 'findings', `This read belongs to ${row.readerName}.`)
}

/** The key that allows one open read per study, reader and purpose. */
export const openKeyOf = (studyInstanceUid: string, readerId: string, purpose: ReadPurpose) => `${studyInstanceUid}|${readerId}|${purpose}`
