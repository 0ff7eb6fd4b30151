// Second reads, part 2: a signed read cannot be changed (by the application or in the
// database), it is amended into a version 2 that is itself signed, and a signature no
// longer verifies once the content under it changes. Leaves the amendment for part 3.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Db } from '../../lib/db/client.server'
import type { SessionUser } from '../../lib/auth/session-user'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, study, otherStudy, model, newBox, type ReadDto, type SecondReads } from './second-reads-context'

export function defineSignedReadTests(c: DataLayerContext, reads: SecondReads): void {
  describe('signed reads and amendments', () => {
    const { auditCount, lastAudit, assertAppError, assertRefusedByDatabase } = c
    const { auditSince, findingIds, rowOf } = reads
    let m: Modules
    let db: Db
    let radiologist: SessionUser
    let colleague: SessionUser
    let researcher: SessionUser
    let signed: ReadDto
    let amendment: ReadDto

    before(() => {
      m = c.m
      db = c.db
      ;({ radiologist, colleague, researcher } = reads.readers)
      signed = reads.signed
    })

    after(() => {
      reads.amendment = amendment
    })

    it('a signed read cannot be changed through the application (conflict)', async () => {
      const head = await auditCount()
      const [nodule, mass, granuloma, added] = findingIds(signed)
      // Run one at a time: each is an async call that starts on creation.
      const refusals: (() => Promise<unknown>)[] = [
        () => m.reads.decideFinding(db, radiologist, ip, signed.id, nodule!, { action: 'reject', reason: 'false-positive', note: null }),
        () => m.reads.decideFinding(db, radiologist, ip, signed.id, mass!, { action: 'accept' }),
        () => m.reads.decideFinding(db, radiologist, ip, signed.id, granuloma!, { action: 'accept' }),
        () => m.reads.decideFinding(db, radiologist, ip, signed.id, added!, { action: 'modify', label: 'Other', location: newBox }),
        () => m.reads.addReaderFinding(db, radiologist, ip, signed.id, { label: 'Mass', location: newBox, measurementMm: 12, note: null }),
        () =>
          m.reads.proposeFindings(db, radiologist, ip, signed.id, {
            model,
            executionProvider: 'webgpu',
            explanationMethod: null,
            findings: [{ label: 'Mass', location: newBox, measurementMm: 12, probability: 0.99 }],
          }),
      ]
      for (const refusal of refusals) {
        await assert.rejects(refusal(), (error: unknown) => {
          assert.ok(error instanceof m.errors.AppError, `expected an AppError, got ${String(error)}`)
          assert.equal(error.kind, 'conflict')
          assert.equal(error.code, 'conflict:findings')
          return true
        })
      }
      assert.equal(await auditCount(), head)
      assert.deepEqual(await m.reads.getRead(db, radiologist, signed.id), signed)
    })

    it('the database refuses to change a signed read, its findings or its signature, and to delete any of them', async () => {
      const [nodule, , granuloma] = findingIds(signed)
      const rowBefore = await rowOf(signed.id)
      const signatureId = rowBefore.signature!.id
      const refusals: [string, () => Promise<unknown>, RegExp][] = [
        [
          'finding.update',
          () => db.finding.update({ where: { id: granuloma! }, data: { status: 'accepted', rejectReason: null } }),
          /Finding belongs to a signed read: UPDATE refused/,
        ],
        ['finding.updateMany', () => db.finding.updateMany({ where: { readId: signed.id }, data: { label: 'Other' } }), /Finding belongs to a signed read: UPDATE refused/],
        [
          'read.update',
          () => db.read.update({ where: { id: signed.id }, data: { status: 'open', openKey: `${study.studyInstanceUid}|x|clinical` } }),
          /Read is signed: UPDATE refused/,
        ],
        ['read.update (reader)', () => db.read.update({ where: { id: signed.id }, data: { readerName: 'Mallory' } }), /Read is signed: UPDATE refused/],
        ['readSignature.update', () => db.readSignature.update({ where: { id: signatureId }, data: { printedName: 'Mallory' } }), /ReadSignature is append-only: UPDATE refused/],
        ['readSignature.delete', () => db.readSignature.delete({ where: { id: signatureId } }), /ReadSignature is append-only: DELETE refused/],
        ['finding.delete', () => db.finding.delete({ where: { id: nodule! } }), /Finding records are kept: DELETE refused/],
        ['finding.deleteMany', () => db.finding.deleteMany({ where: { readId: signed.id } }), /Finding records are kept: DELETE refused/],
        ['read.delete', () => db.read.delete({ where: { id: signed.id } }), /Read records are kept: DELETE refused/],
        [
          'finding.create',
          () => db.finding.create({ data: { readId: signed.id, ordinal: 99, origin: 'reader', status: 'added', label: 'Mass', location: JSON.stringify(newBox) } }),
          /Read is signed: new findings refused|Finding belongs to a signed read: INSERT refused/,
        ],
        [
          'raw UPDATE "Finding"',
          () => db.$executeRawUnsafe(`UPDATE "Finding" SET "label" = 'Other' WHERE "readId" = '${signed.id}'`),
          /Finding belongs to a signed read: UPDATE refused/,
        ],
        ['raw UPDATE "Read"', () => db.$executeRawUnsafe(`UPDATE "Read" SET "status" = 'open' WHERE "id" = '${signed.id}'`), /Read is signed: UPDATE refused/],
        ['raw DELETE "ReadSignature"', () => db.$executeRawUnsafe(`DELETE FROM "ReadSignature" WHERE "readId" = '${signed.id}'`), /ReadSignature is append-only: DELETE refused/],
      ]
      for (const [what, run, pattern] of refusals) await assertRefusedByDatabase(what, run, pattern)
      assert.deepEqual(await rowOf(signed.id), rowBefore)
      assert.deepEqual(await m.reads.getRead(db, radiologist, signed.id), signed)
      assert.equal(signed.signature!.valid, true)
    })

    it('the database keeps open reads and their findings too (no DELETE)', async () => {
      const open = await m.reads.openReadFor(db, radiologist, ip, otherStudy)
      await assertRefusedByDatabase('finding.delete', () => db.finding.delete({ where: { id: open.findings[0]!.id } }), /Finding records are kept: DELETE refused/)
      await assertRefusedByDatabase('read.delete', () => db.read.delete({ where: { id: open.id } }), /Read records are kept: DELETE refused/)
      assert.deepEqual(await m.reads.getRead(db, radiologist, open.id), open)
    })

    it('amendRead makes version 2 with the same findings, linked to the original, which stays signed and valid', async () => {
      const head = await auditCount()
      const rowBefore = await rowOf(signed.id)
      amendment = await m.reads.amendRead(db, radiologist, ip, signed.id, 'Nodule size corrected after comparison with the prior.')
      assert.notEqual(amendment.id, signed.id)
      assert.equal(amendment.version, 2)
      assert.equal(amendment.amendsId, signed.id)
      assert.equal(amendment.amendedById, null)
      assert.equal(amendment.amendReason, 'Nodule size corrected after comparison with the prior.')
      assert.equal(amendment.status, 'open')
      assert.equal(amendment.signature, null)
      assert.equal(amendment.purpose, 'clinical')
      assert.deepEqual(amendment.study, signed.study)
      assert.deepEqual(amendment.reader, signed.reader)
      assert.equal(amendment.findings.length, signed.findings.length)
      for (const [index, copy] of amendment.findings.entries()) {
        const original = signed.findings[index]!
        assert.ok(!findingIds(signed).includes(copy.id), 'new finding ids')
        const { id: _copyId, ...copied } = copy
        const { id: _originalId, ...kept } = original
        assert.deepEqual(copied, kept)
      }
      assert.equal(await db.finding.count({ where: { readId: amendment.id } }), 4)

      // The original, reread: unchanged but for the link to its amendment.
      assert.deepEqual(await rowOf(signed.id), { ...rowBefore, amendedBy: { id: amendment.id } })
      const original = await m.reads.getRead(db, radiologist, signed.id)
      assert.equal(original.status, 'signed')
      assert.equal(original.amendedById, amendment.id)
      assert.equal(original.signature!.valid, true)
      assert.deepEqual(original, { ...signed, amendedById: amendment.id })
      assert.equal(m.reads.signRefusal(amendment, radiologist, amendment.contentHash), null)

      const events = await auditSince(head)
      assert.deepEqual(
        events.map((event) => event.eventType),
        ['read-amended'],
      )
      const [event] = events
      assert.equal(event!.eventCode, '110111')
      assert.equal(event!.action, 'C')
      assert.equal(event!.actorId, radiologist.id)
      assert.deepEqual(JSON.parse(event!.entities), [
        { type: 'read', id: amendment.id },
        { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
      ])
      assert.deepEqual(JSON.parse(event!.details), { readVersion: 2, amends: signed.id, reason: 'Nodule size corrected after comparison with the prior.' })

      // The amendment is the reader's open read of the study now.
      assert.deepEqual(await m.reads.openReadFor(db, radiologist, ip, study), amendment)
      assert.deepEqual(
        (await m.reads.readsOfStudy(db, radiologist, study.studyInstanceUid)).filter((read) => read.reader.id === radiologist.id).map((read) => [read.id, read.version]),
        [
          [amendment.id, 2],
          [signed.id, 1],
        ],
      )
    })

    it('refuses a second amendment of the same version, and amending an open read', async () => {
      const head = await auditCount()
      await assertAppError(m.reads.amendRead(db, radiologist, ip, signed.id, 'Once more.'), 'conflict:findings')
      await assertAppError(m.reads.amendRead(db, colleague, ip, signed.id, 'Once more.'), 'conflict:findings')
      await assertAppError(m.reads.amendRead(db, radiologist, ip, amendment.id, 'Not signed yet.'), 'conflict:findings')
      await assertAppError(m.reads.amendRead(db, researcher, ip, signed.id, 'Not mine to amend.'), 'not_found:findings')
      assert.equal(await auditCount(), head)
      assert.equal(await db.read.count({ where: { amendsId: signed.id } }), 1)
    })

    it('the amendment can be changed and signed; both versions keep valid signatures', async () => {
      const [nodule] = findingIds(amendment)
      let read = await m.reads.decideFinding(db, radiologist, ip, amendment.id, nodule!, { action: 'modify', measurementMm: 6.5, note: 'Remeasured.' })
      assert.deepEqual([read.findings[0]!.status, read.findings[0]!.measurementMm, read.findings[0]!.ai?.measurementMm], ['modified', 6.5, 8])
      read = await m.reads.signRead(db, ip, amendment.id, { meaning: 'responsibility', signer: radiologist, shownContentHash: read.contentHash })
      assert.equal(read.status, 'signed')
      assert.equal(read.version, 2)
      assert.equal(read.signature!.valid, true)
      assert.equal(read.signature!.meaning, 'responsibility')
      assert.notEqual(read.signature!.contentHash, signed.signature!.contentHash)
      assert.equal((await lastAudit())[0]!.eventType, 'read-signed')
      assert.deepEqual(JSON.parse((await lastAudit())[0]!.details), {
        readVersion: 2,
        meaning: 'responsibility',
        contentHash: read.signature!.contentHash,
        findingCount: 3,
      })
      const original = await m.reads.getRead(db, radiologist, signed.id)
      assert.deepEqual(original, { ...signed, amendedById: amendment.id })
      assert.equal(original.findings[0]!.measurementMm, 8, 'the original keeps its values')
      await assertRefusedByDatabase(
        'finding.update',
        () => db.finding.update({ where: { id: nodule! }, data: { measurementMm: 7 } }),
        /Finding belongs to a signed read: UPDATE refused/,
      )
      amendment = read
    })

    it('a signature no longer verifies when the content, the manifest or its audit event changes', async () => {
      const row = await m.reads.loadRead(db, signed.id)
      assert.equal(m.reads.toReadDto(row).signature!.valid, true)
      const tampered = (change: (copy: typeof row) => void) => {
        const copy = structuredClone(row)
        change(copy)
        return m.reads.toReadDto(copy).signature!
      }
      type Problem = NonNullable<ReadDto['signature']>['problem']
      const cases: [string, (copy: typeof row) => void, Problem][] = [
        ['a finding label', (copy) => void (copy.findings[0]!.label = 'Mass'), 'content-changed'],
        ['a finding status', (copy) => void (copy.findings[2]!.status = 'accepted'), 'content-changed'],
        ['a reject reason', (copy) => void (copy.findings[2]!.rejectReason = 'false-positive'), 'content-changed'],
        ['a measurement', (copy) => void (copy.findings[1]!.measurementMm = 27.5), 'content-changed'],
        ['a location', (copy) => void (copy.findings[0]!.location = JSON.stringify(newBox)), 'content-changed'],
        ["the AI's original", (copy) => void (copy.findings[1]!.aiLabel = 'Lung nodule'), 'content-changed'],
        ['the model', (copy) => void (copy.findings[0]!.modelSha256 = 'cd'.repeat(32)), 'content-changed'],
        ['who decided', (copy) => void (copy.findings[0]!.decidedByName = 'Dr. Col League'), 'content-changed'],
        ['a finding removed', (copy) => void copy.findings.splice(2, 1), 'content-changed'],
        ['the study', (copy) => void (copy.studyInstanceUid = otherStudy.studyInstanceUid), 'content-changed'],
        ['the printed name', (copy) => void (copy.signature!.printedName = 'Mallory'), 'bad-signature'],
        ['the signer', (copy) => void (copy.signature!.signerId = 'someone-else'), 'bad-signature'],
        ['the meaning', (copy) => void (copy.signature!.meaning = 'review'), 'bad-signature'],
        ['the signing time', (copy) => void (copy.signature!.signedAt = new Date(copy.signature!.signedAt.getTime() + 1000)), 'bad-signature'],
        ['the server signature', (copy) => void (copy.signature!.serverSignature = Buffer.alloc(64).toString('base64')), 'bad-signature'],
        ['the key id', (copy) => void (copy.signature!.keyId = 'ef'.repeat(32)), 'bad-signature'],
        ['no server signature', (copy) => void (copy.signature!.serverSignature = null), 'not-server-signed'],
        ['no key to verify it with', (copy) => void (copy.signatureKey = null), 'no-public-key'],
        ['no audit event', (copy) => void (copy.signedEvent = null), 'audit-mismatch'],
        ['an event of another type', (copy) => void (copy.signedEvent!.eventType = 'read-amended'), 'audit-mismatch'],
        ['an event by someone else', (copy) => void (copy.signedEvent!.actorId = 'someone-else'), 'audit-mismatch'],
        [
          "an event with another read's hash",
          (copy) => void (copy.signedEvent!.details = copy.signedEvent!.details.replace(/"contentHash":"[0-9a-f]+"/, `"contentHash":"${'0'.repeat(64)}"`)),
          'audit-mismatch',
        ],
        ['an event naming another read', (copy) => void (copy.signedEvent!.entities = copy.signedEvent!.entities.replace(signed.id, amendment.id)), 'audit-mismatch'],
      ]
      for (const [what, change, problem] of cases) {
        const signature = tampered(change)
        assert.deepEqual([signature.valid, signature.problem], [false, problem], what)
      }
      // The database still holds the untampered read.
      assert.equal((await m.reads.getRead(db, radiologist, signed.id)).signature!.valid, true)
    })
  })
}
