import 'server-only'
import { appendAudit, recordAudit, type AuditContext } from '../audit/append.server'
import type { FindingReference, ReadReference } from '../audit/events'
import { hashIdentifier } from '../audit/identifiers.server'
import type { Role } from '../auth/roles'
import type { SessionUser } from '../auth/session-user'
import { getDatabase, type Db, type Tx } from '../db/client.server'
import type { Finding, Read, ReadSignature } from '../db/generated/sqlite/client'
import { AppError } from '../errors'
import type { ExportDestination, FindingDecision, FindingProposal, ReaderFinding } from './schema'
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

// Second reads on the server: reads, their findings and signatures. Every change writes
// its audit event in the same transaction, so a change without its record (or the other
// way round) cannot commit. Signed reads are immutable here and in the database.

type ReadRow = Read & { findings: Finding[]; signature: ReadSignature | null; amendedBy: { id: string } | null }

const readInclude = { findings: { orderBy: { ordinal: 'asc' } }, signature: true, amendedBy: { select: { id: true } } } as const
const amendInclude = { ...readInclude, modelRuns: true } as const

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

function studyOf(row: Read): StudyReference {
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
  const read: ReadDto = {
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
    signature: null,
  }
  if (row.signature) {
    const manifest = {
      signerId: row.signature.signerId,
      printedName: row.signature.printedName,
      meaning: row.signature.meaning as SignatureMeaning,
      signedAt: row.signature.signedAt.toISOString(),
    }
    read.signature = { ...manifest, contentHash: row.signature.contentHash, valid: signedContentHash(read, manifest) === row.signature.contentHash }
  }
  return read
}

function readReference(read: Pick<Read, 'id' | 'studyInstanceUid' | 'version'>): ReadReference {
  return { id: read.id, studyUidHash: hashIdentifier(read.studyInstanceUid), version: read.version }
}

const readReferenceOf = (read: ReadDto) => readReference({ id: read.id, studyInstanceUid: read.study.studyInstanceUid, version: read.version })

function findingReference(read: Read, finding: Pick<Finding, 'id' | 'label' | 'origin' | 'modelId'>): FindingReference {
  return { id: finding.id, read: readReference(read), label: finding.label, origin: finding.origin as 'ai' | 'reader', modelId: finding.modelId }
}

function auditContext(user: SessionUser, sourceIp: string | null): AuditContext {
  return { actor: { id: user.id, username: user.username, role: user.role }, sourceIp }
}

async function loadRead(db: Db | Tx, id: string): Promise<ReadRow> {
  const row = await db.read.findUnique({ where: { id }, include: readInclude })
  if (!row) throw new AppError('not_found', 'findings', 'No such read.')
  return row
}

/** Loads a read to change it, first locking its row on PostgreSQL so that changes to one read (and its signing) run one after another. */
async function loadReadForUpdate(tx: Tx, id: string): Promise<ReadRow> {
  if (getDatabase().config.provider === 'postgresql') await tx.$executeRaw`SELECT 1 FROM "Read" WHERE "id" = ${id} FOR UPDATE`
  return loadRead(tx, id)
}

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
  return rows.map(toReadDto)
}

function assertWritable(row: ReadRow, user: SessionUser): void {
  if (row.purpose !== purposeForRole(user.role)) throw new AppError('not_found', 'findings', 'No such read.')
  if (row.status !== 'open') throw new AppError('conflict', 'findings', 'This read is signed and cannot be changed; amend it to make a new version.')
  if (row.readerId !== user.id) throw new AppError('forbidden', 'findings', `This read belongs to ${row.readerName}.`)
}

const openKeyOf = (studyInstanceUid: string, readerId: string, purpose: ReadPurpose) => `${studyInstanceUid}|${readerId}|${purpose}`

/** The user's open read of a study, created (and audited) when there is none: one per study and reader. */
export async function openReadFor(db: Db, user: SessionUser, sourceIp: string | null, study: StudyReference): Promise<ReadDto> {
  const purpose = purposeForRole(user.role)
  if (!purpose) throw new AppError('forbidden', 'findings', 'Your role does not read studies.')
  const openKey = openKeyOf(study.studyInstanceUid, user.id, purpose)
  const existing = await db.read.findUnique({ where: { openKey }, include: readInclude })
  if (existing) return toReadDto(existing)
  const signed = await db.read.findFirst({
    where: { studyInstanceUid: study.studyInstanceUid, readerId: user.id, purpose, status: 'signed', amendedBy: { is: null } },
    select: { id: true },
  })
  if (signed) throw new AppError('conflict', 'findings', 'You have signed a read of this study: amend it to change it.')
  try {
    const created = await db.$transaction(async (tx) => {
      const read = await tx.read.create({ data: { ...study, purpose, status: 'open', openKey, readerId: user.id, readerName: user.displayName }, include: readInclude })
      await appendAudit(tx, { type: 'read-opened', read: readReference(read), purpose }, auditContext(user, sourceIp))
      return read
    })
    return toReadDto(created)
  } catch (error) {
    // Two tabs opening the same study at once: the unique open key lets one win.
    const raced = await db.read.findUnique({ where: { openKey }, include: readInclude })
    if (raced) return toReadDto(raced)
    throw error
  }
}

async function nextOrdinal(tx: Tx, readId: string): Promise<number> {
  const last = await tx.finding.findFirst({ where: { readId }, orderBy: { ordinal: 'desc' }, select: { ordinal: true } })
  return (last?.ordinal ?? 0) + 1
}

/** The AI's findings from one run (possibly none), proposed for the reader's decision. */
export async function proposeFindings(db: Db, user: SessionUser, sourceIp: string | null, readId: string, input: FindingProposal): Promise<ReadDto> {
  await db.$transaction(async (tx) => {
    const read = await loadReadForUpdate(tx, readId)
    assertWritable(read, user)
    await tx.modelRun.create({
      data: {
        readId,
        modelId: input.model.id,
        modelVersion: input.model.version,
        modelSha256: input.model.sha256,
        executionProvider: input.executionProvider,
        findingCount: input.findings.length,
      },
    })
    await appendAudit(
      tx,
      { type: 'model-result-recorded', read: readReference(read), model: input.model, executionProvider: input.executionProvider, findingCount: input.findings.length },
      auditContext(user, sourceIp),
    )
    let ordinal = await nextOrdinal(tx, readId)
    for (const proposal of input.findings) {
      const location = JSON.stringify(proposal.location)
      const finding = await tx.finding.create({
        data: {
          readId,
          ordinal: ordinal++,
          origin: 'ai',
          status: 'proposed',
          label: proposal.label,
          location,
          measurementMm: proposal.measurementMm,
          probability: proposal.probability,
          modelId: input.model.id,
          modelVersion: input.model.version,
          modelSha256: input.model.sha256,
          executionProvider: input.executionProvider,
          explanationMethod: input.explanationMethod,
          aiLabel: proposal.label,
          aiLocation: location,
          aiMeasurementMm: proposal.measurementMm,
        },
      })
      await appendAudit(
        tx,
        {
          type: 'finding-proposed',
          finding: findingReference(read, finding),
          model: input.model,
          probability: proposal.probability,
          executionProvider: input.executionProvider,
          explanationMethod: input.explanationMethod,
        },
        auditContext(user, sourceIp),
      )
    }
  })
  return toReadDto(await loadRead(db, readId))
}

/** A finding the reader adds: one the AI missed. */
export async function addReaderFinding(db: Db, user: SessionUser, sourceIp: string | null, readId: string, input: ReaderFinding): Promise<ReadDto> {
  await db.$transaction(async (tx) => {
    const read = await loadReadForUpdate(tx, readId)
    assertWritable(read, user)
    const finding = await tx.finding.create({
      data: {
        readId,
        ordinal: await nextOrdinal(tx, readId),
        origin: 'reader',
        status: 'added',
        label: input.label,
        location: JSON.stringify(input.location),
        measurementMm: input.measurementMm,
        note: input.note,
        decidedById: user.id,
        decidedByName: user.displayName,
        decidedAt: new Date(),
      },
    })
    await appendAudit(tx, { type: 'finding-added', finding: findingReference(read, finding) }, auditContext(user, sourceIp))
  })
  return toReadDto(await loadRead(db, readId))
}


function describeFinding(finding: Pick<Finding, 'label' | 'measurementMm'>): string {
  return finding.measurementMm === null ? finding.label : `${finding.label}, ${finding.measurementMm.toFixed(1)} mm`
}

/** The reader's decision on a finding. Decisions can change until the read is signed; each is audited. */
export async function decideFinding(db: Db, user: SessionUser, sourceIp: string | null, readId: string, findingId: string, decision: FindingDecision): Promise<ReadDto> {
  await db.$transaction(async (tx) => {
    const read = await loadReadForUpdate(tx, readId)
    assertWritable(read, user)
    const finding = read.findings.find((candidate) => candidate.id === findingId)
    if (!finding) throw new AppError('not_found', 'findings', 'No such finding in this read.')
    const decided = { decidedById: user.id, decidedByName: user.displayName, decidedAt: new Date() }
    const context = auditContext(user, sourceIp)
    if (decision.action !== 'modify' && finding.origin !== 'ai') {
      throw new AppError('bad_request', 'findings', 'Only AI findings are accepted or rejected; edit your own findings instead.')
    }
    switch (decision.action) {
      case 'accept': {
        // Accepting restores the AI's finding as proposed (undoing an earlier modification).
        const updated = await tx.finding.update({
          where: { id: findingId },
          data: { status: 'accepted', label: finding.aiLabel!, location: finding.aiLocation!, measurementMm: finding.aiMeasurementMm, rejectReason: null, note: null, ...decided },
        })
        await appendAudit(tx, { type: 'finding-accepted', finding: findingReference(read, updated) }, context)
        return
      }
      case 'reject': {
        const updated = await tx.finding.update({ where: { id: findingId }, data: { status: 'rejected', rejectReason: decision.reason, note: decision.note, ...decided } })
        await appendAudit(tx, { type: 'finding-rejected', finding: findingReference(read, updated), reason: decision.reason, note: decision.note }, context)
        return
      }
      case 'modify': {
        const changes = {
          ...(decision.label !== undefined && decision.label !== finding.label ? { label: decision.label } : {}),
          ...(decision.location !== undefined ? { location: JSON.stringify(decision.location) } : {}),
          ...(decision.measurementMm !== undefined && decision.measurementMm !== finding.measurementMm ? { measurementMm: decision.measurementMm } : {}),
          ...(decision.note !== undefined ? { note: decision.note } : {}),
        }
        const changed = Object.keys(changes)
        if (changed.length === 0) throw new AppError('bad_request', 'findings', 'Nothing to modify: change the label, location or measurement.')
        const updated = await tx.finding.update({
          where: { id: findingId },
          data: { ...changes, status: finding.origin === 'ai' ? 'modified' : 'added', rejectReason: null, ...decided },
        })
        await appendAudit(tx, { type: 'finding-modified', finding: findingReference(read, updated), changed, from: describeFinding(finding) }, context)
      }
    }
  })
  return toReadDto(await loadRead(db, readId))
}

export interface SignInput {
  meaning: SignatureMeaning
  /** Checked by the caller (password re-entry) before this is called. */
  signer: SessionUser
}

/**
 * Why a read cannot be signed by this user now, or null. Checked before the password so
 * that a refusal says what to fix.
 */
export function signRefusal(read: ReadDto, user: SessionUser): 'not-open' | 'not-reader' | 'pending-findings' | null {
  if (read.status !== 'open') return 'not-open'
  if (read.reader.id !== user.id || read.purpose !== 'clinical') return 'not-reader'
  if (read.findings.some((finding) => finding.status === 'proposed')) return 'pending-findings'
  return null
}

export const signRefusalMessages: Record<NonNullable<ReturnType<typeof signRefusal>>, string> = {
  'not-open': 'This read is already signed.',
  'not-reader': 'Only the reader of a clinical read can sign it.',
  'pending-findings': 'Decide every AI finding (accept, modify or reject) before signing.',
}

export async function recordSignRefusal(db: Db, user: SessionUser, sourceIp: string | null, read: ReadDto, reason: 'bad-password' | NonNullable<ReturnType<typeof signRefusal>>) {
  await recordAudit(
    db,
    { type: 'read-sign-refused', read: readReferenceOf(read), reason },
    auditContext(user, sourceIp),
  )
}

/** Signs a read: the signature manifest and the content hash are stored, the read is closed for good. */
export async function signRead(db: Db, sourceIp: string | null, readId: string, input: SignInput): Promise<ReadDto> {
  await db.$transaction(async (tx) => {
    const row = await loadReadForUpdate(tx, readId)
    const read = toReadDto(row)
    const refusal = signRefusal(read, input.signer)
    if (refusal) throw new AppError(refusal === 'not-reader' ? 'forbidden' : 'conflict', 'findings', signRefusalMessages[refusal])
    const manifest = { signerId: input.signer.id, printedName: input.signer.displayName, meaning: input.meaning, signedAt: new Date().toISOString() }
    const contentHash = signedContentHash(read, manifest)
    await tx.readSignature.create({ data: { readId, ...manifest, signedAt: new Date(manifest.signedAt), contentHash } })
    await tx.read.update({ where: { id: readId }, data: { status: 'signed', openKey: null } })
    await appendAudit(
      tx,
      { type: 'read-signed', read: readReference(row), meaning: input.meaning, contentHash, findingCount: read.findings.filter((finding) => finding.status !== 'rejected').length },
      auditContext(input.signer, sourceIp),
    )
  })
  return toReadDto(await loadRead(db, readId))
}

/** Amends a signed read: a new open version with the same findings, linked to the original, which stays as it was. */
export async function amendRead(db: Db, user: SessionUser, sourceIp: string | null, readId: string, reason: string): Promise<ReadDto> {
  const purpose = purposeForRole(user.role)
  const amendedId = await db.$transaction(async (tx) => {
    await loadReadForUpdate(tx, readId)
    const original = (await tx.read.findUnique({ where: { id: readId }, include: amendInclude }))!
    if (original.purpose !== purpose) throw new AppError('not_found', 'findings', 'No such read.')
    if (original.status !== 'signed') throw new AppError('conflict', 'findings', 'Only a signed read is amended; this one is still open.')
    if (original.amendedBy) throw new AppError('conflict', 'findings', 'This read has already been amended; amend its newest version.')
    const openKey = openKeyOf(original.studyInstanceUid, user.id, original.purpose as ReadPurpose)
    if (await tx.read.findUnique({ where: { openKey }, select: { id: true } })) {
      throw new AppError('conflict', 'findings', 'You already have an open read of this study; sign or finish it first.')
    }
    const amended = await tx.read.create({
      data: {
        purpose: original.purpose,
        status: 'open',
        version: original.version + 1,
        amendsId: original.id,
        amendReason: reason,
        openKey,
        studyInstanceUid: original.studyInstanceUid,
        studyDescription: original.studyDescription,
        studyDate: original.studyDate,
        accessionNumber: original.accessionNumber,
        modality: original.modality,
        source: original.source,
        sourceRef: original.sourceRef,
        readerId: user.id,
        readerName: user.displayName,
      },
    })
    await tx.finding.createMany({
      data: original.findings.map(({ id: _id, readId: _readId, createdAt: _createdAt, ...finding }) => ({ ...finding, readId: amended.id })),
    })
    // The AI results the original was read against are the amendment's too.
    await tx.modelRun.createMany({
      data: original.modelRuns.map(({ id: _id, readId: _readId, ...run }) => ({ ...run, readId: amended.id })),
    })
    await appendAudit(tx, { type: 'read-amended', read: readReference(amended), amends: original.id, reason }, auditContext(user, sourceIp))
    return amended.id
  })
  return toReadDto(await loadRead(db, amendedId))
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
    include: { findings: { select: { status: true } } },
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
