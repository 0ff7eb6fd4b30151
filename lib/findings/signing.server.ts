import 'server-only'
import { appendAudit, recordAudit } from '../audit/append.server'
import { auditSigningKey } from '../audit/signing-key.server'
import { auditWitness } from '../audit/witness.server'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import { AppError } from '../errors'
import { amendInclude, auditContext, loadRead, loadReadForUpdate, openKeyOf, purposeForRole, readReference, readReferenceOf, toReadDto } from './read-rows.server'
import { signReadStatement } from './read-signature.server'
import type { ReadDto, ReadPurpose, SignatureMeaning } from './types'

// Signing a read (21 CFR 11: the manifest and the hash of the content the signer was shown,
// signed by the server and stored once, the read closed for good) and amending a signed
// read (a new open version, linked; the signed original stays as it was).

export interface SignInput {
  meaning: SignatureMeaning
  /** Checked by the caller (password re-entry) before this is called. */
  signer: SessionUser
  /** The read's contentHash as the signer's screen showed it; signing refuses any other content. */
  shownContentHash: string
}

export type SignRefusal = 'not-open' | 'not-reader' | 'content-changed' | 'pending-findings'

/**
 * Why a read cannot be signed by this user now, or null. Checked before the password so
 * that a refusal says what to fix: a read that changed after it was shown is reviewed
 * again, whatever else it holds.
 */
export function signRefusal(read: ReadDto, user: SessionUser, shownContentHash: string): SignRefusal | null {
  if (read.status !== 'open') return 'not-open'
  if (read.reader.id !== user.id || read.purpose !== 'clinical') return 'not-reader'
  if (read.contentHash !== shownContentHash) return 'content-changed'
  if (read.findings.some((finding) => finding.status === 'proposed')) return 'pending-findings'
  return null
}

export const signRefusalMessages: Record<SignRefusal, string> = {
  'not-open': 'This read is already signed.',
  'not-reader': 'Only the reader of a clinical read can sign it.',
  'content-changed': 'This read changed after it was shown to you, so it was not signed: review it as it is now, then sign again.',
  'pending-findings': 'Decide every AI finding (accept, modify or reject) before signing.',
}

export const signRefusalError = (refusal: SignRefusal) => new AppError(refusal === 'not-reader' ? 'forbidden' : 'conflict', 'findings', signRefusalMessages[refusal])

export async function recordSignRefusal(db: Db, user: SessionUser, sourceIp: string | null, read: ReadDto, reason: 'bad-password' | SignRefusal) {
  await recordAudit(db, { type: 'read-sign-refused', read: readReferenceOf(read), reason }, auditContext(user, sourceIp))
}

/**
 * Signs a read as the signer was shown it: the manifest, the content hash and the
 * server's signature over both are stored with the seq of the read-signed event that
 * carries the same hash, and the read is closed for good.
 */
export async function signRead(db: Db, sourceIp: string | null, readId: string, input: SignInput): Promise<ReadDto> {
  // The audit key, checked against the pinned one, before the transaction: it reads the database and the witness.
  const key = await auditSigningKey(db, await auditWitness().entries())
  await db.$transaction(async (tx) => {
    const row = await loadReadForUpdate(tx, readId)
    const read = toReadDto(row)
    const refusal = signRefusal(read, input.signer, input.shownContentHash)
    if (refusal) throw signRefusalError(refusal)
    const manifest = { signerId: input.signer.id, printedName: input.signer.displayName, meaning: input.meaning, signedAt: new Date().toISOString() }
    const { contentHash } = read
    const auditSeq = await appendAudit(
      tx,
      { type: 'read-signed', read: readReference(row), meaning: input.meaning, contentHash, findingCount: read.findings.filter((finding) => finding.status !== 'rejected').length },
      auditContext(input.signer, sourceIp),
    )
    await tx.readSignature.create({
      data: { readId, ...manifest, signedAt: new Date(manifest.signedAt), contentHash, ...signReadStatement(key, readId, contentHash, manifest), auditSeq },
    })
    await tx.read.update({ where: { id: readId }, data: { status: 'signed', openKey: null } })
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
