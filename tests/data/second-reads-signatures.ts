// Second reads, part 4: a signature binds what the signer was shown (21 CFR 11.70). A read
// changed after it was shown is refused; the server's Ed25519 signature and the read-signed
// audit event catch an edit made in the database with the hash recomputed; amending another
// radiologist's signed read follows the policy in lib/findings/CONTEXT.md.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Db } from '../../lib/db/client.server'
import type { SessionUser } from '../../lib/auth/session-user'
import { runScript } from '../support/run-script'
import { runAuditVerifyCli } from './audit-log-suite'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, model, box, point, newBox, studyNumbered, type SecondReads } from './second-reads-context'

export function defineSignatureTests(c: DataLayerContext, reads: SecondReads): void {
  describe('signatures bound to what was seen', () => {
    const { auditCount, lastAudit, assertAppError, withTriggersLifted } = c
    const { auditSince } = reads
    let m: Modules
    let db: Db
    let radiologist: SessionUser
    let colleague: SessionUser

    before(() => {
      m = c.m
      db = c.db
      ;({ radiologist, colleague } = reads.readers)
    })

    it('a read changed after it was shown is not signed (409, a clear message, the refusal audited); signed as it is now, it is', async () => {
      const opened = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(50001))
      const shown = await m.reads.addReaderFinding(db, radiologist, ip, opened.id, { label: 'Lung nodule', location: point, measurementMm: 6, note: null })
      assert.equal(shown.contentHash, m.signedContent.signedContentHash(shown))
      // Changed behind the signer's screen (another tab, a colleague's session on the same account).
      const now = await m.reads.decideFinding(db, radiologist, ip, opened.id, shown.findings[0]!.id, { action: 'modify', measurementMm: 16 })
      assert.notEqual(now.contentHash, shown.contentHash)

      assert.equal(m.reads.signRefusal(now, radiologist, shown.contentHash), 'content-changed')
      const head = await auditCount()
      await assert.rejects(m.reads.signRead(db, ip, opened.id, { meaning: 'approval', signer: radiologist, shownContentHash: shown.contentHash }), (error: unknown) => {
        assert.ok(error instanceof m.errors.AppError)
        assert.equal(error.code, 'conflict:findings')
        assert.equal(error.status, 409)
        assert.match(error.message, /changed after it was shown to you, so it was not signed: review it as it is now/)
        return true
      })
      assert.equal(await auditCount(), head, 'the refusal in the service writes nothing')
      assert.equal(await db.readSignature.count({ where: { readId: opened.id } }), 0)
      assert.deepEqual(await m.reads.getRead(db, radiologist, opened.id), now)

      // The route records it (before asking for the password), as for every refusal.
      await m.reads.recordSignRefusal(db, radiologist, ip, now, 'content-changed')
      const [refusal] = await lastAudit()
      assert.deepEqual([refusal!.eventType, refusal!.outcome, JSON.parse(refusal!.details)], ['read-sign-refused', 4, { readVersion: 1, reason: 'content-changed' }])

      const signed = await m.reads.signRead(db, ip, opened.id, { meaning: 'approval', signer: radiologist, shownContentHash: now.contentHash })
      assert.equal(signed.signature!.contentHash, now.contentHash)
      assert.equal(signed.signature!.valid, true)
      assert.equal(signed.findings[0]!.measurementMm, 16)
    })

    it('an edit in the database with the hash recomputed is detected, by the read and by audit:verify, and re-signing needs the key and the trail', async () => {
      const opened = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(50002))
      const shown = await m.reads.addReaderFinding(db, radiologist, ip, opened.id, { label: 'Mass', location: newBox, measurementMm: 22, note: null })
      const signed = await m.reads.signRead(db, ip, opened.id, { meaning: 'approval', signer: radiologist, shownContentHash: shown.contentHash })
      const original = await db.readSignature.findUniqueOrThrow({ where: { readId: signed.id } })
      const findingId = signed.findings[0]!.id

      // The owner of the database changes the finding and stores the hash of the new content.
      const forged = { ...signed, findings: [{ ...signed.findings[0]!, label: 'Other', measurementMm: 2 }] }
      const forgedHash = m.signedContent.signedContentHash(forged)
      const restore = async () =>
        withTriggersLifted(['Finding', 'ReadSignature'], async () => {
          await db.finding.update({ where: { id: findingId }, data: { label: 'Mass', measurementMm: 22 } })
          await db.readSignature.update({
            where: { id: original.id },
            data: { contentHash: original.contentHash, serverSignature: original.serverSignature, keyId: original.keyId },
          })
        })
      const problemNow = async () => (await m.reads.getRead(db, radiologist, signed.id)).signature!
      await withTriggersLifted(['Finding', 'ReadSignature'], async () => {
        await db.finding.update({ where: { id: findingId }, data: { label: 'Other', measurementMm: 2 } })
        await db.readSignature.update({ where: { id: original.id }, data: { contentHash: forgedHash } })
      })
      try {
        const before = await problemNow()
        assert.equal(before.contentHash, forgedHash, 'the content hashes to the stored value again')
        assert.deepEqual([before.valid, before.problem], [false, 'bad-signature'], "the server's signature is over the hash the signer saw")
        const verdict = await m.signatureVerification.verifySignedReads(db)
        assert.deepEqual(verdict.problems, [{ readId: signed.id, problem: 'bad-signature' }])
        const cli = await runAuditVerifyCli(c.url)
        assert.equal(cli.code, 1, cli.stdout)
        assert.match(cli.stderr, new RegExp(`signed reads that do not verify: ${signed.id} \\(bad-signature\\)`))

        // Re-signed over the new hash, written out as the server's statement is.
        const statement = `parallax-read-signature-v1\n${m.canonicalJson.canonicalJson({
          readId: signed.id,
          contentHash: forgedHash,
          signerId: original.signerId,
          printedName: original.printedName,
          meaning: original.meaning,
          signedAt: original.signedAt.toISOString(),
        })}`
        const resign = (privateKey: KeyObject, publicKey: KeyObject) =>
          withTriggersLifted(['ReadSignature'], async () => {
            const serverSignature = sign(null, Buffer.from(statement), privateKey).toString('base64')
            await db.readSignature.update({ where: { id: original.id }, data: { serverSignature, keyId: m.checkpoint.keyIdOf(publicKey) } })
          })
        // With a key of the attacker's own: not the server's key.
        const own = generateKeyPairSync('ed25519')
        await resign(own.privateKey, own.publicKey)
        assert.equal((await problemNow()).problem, 'bad-signature')
        // Even with the server's key (taken from outside the database): the read-signed event disagrees.
        const server = await m.signingKey.auditSigningKey(db, await m.witnessStore.auditWitness().entries())
        await resign(server.privateKey, server.publicKey)
        const resigned = await problemNow()
        assert.deepEqual([resigned.valid, resigned.problem], [false, 'audit-mismatch'])
      } finally {
        await restore()
      }
      const restored = await problemNow()
      assert.deepEqual([restored.valid, restored.problem], [true, null], 'the untouched rows verify again')
      assert.deepEqual(await m.signatureVerification.verifySignedReads(db), { ok: true, signedReads: await db.read.count({ where: { status: 'signed' } }), problems: [] })
    })

    it('a signature row removed and its read reopened leave a read-signed event that no signature answers', async () => {
      const opened = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(50003))
      const shown = await m.reads.addReaderFinding(db, radiologist, ip, opened.id, { label: 'Other', location: point, measurementMm: null, note: null })
      const signed = await m.reads.signRead(db, ip, opened.id, { meaning: 'review', signer: radiologist, shownContentHash: shown.contentHash })
      const row = await db.readSignature.findUniqueOrThrow({ where: { readId: signed.id } })
      await withTriggersLifted(['Read', 'ReadSignature'], async () => {
        await db.readSignature.delete({ where: { id: row.id } })
        await db.read.update({ where: { id: signed.id }, data: { status: 'open' } })
      })
      try {
        assert.equal((await m.reads.getRead(db, radiologist, signed.id)).signature, null)
        assert.deepEqual((await m.signatureVerification.verifySignedReads(db)).problems, [{ readId: signed.id, problem: 'event-without-signature' }])
      } finally {
        await withTriggersLifted(['Read', 'ReadSignature'], async () => {
          await db.readSignature.create({ data: row })
          await db.read.update({ where: { id: signed.id }, data: { status: 'signed' } })
        })
      }
      assert.equal((await m.signatureVerification.verifySignedReads(db)).ok, true)
    })

    it('audit:verify checks read signatures with the pinned public key alone, and fails them under a key the pin does not name', async () => {
      const { publicKey } = await m.signingKey.auditSigningKey(db, await m.witnessStore.auditWitness().entries())
      const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString()
      // No private key where this verifier runs: only the public key pinned in its configuration.
      const verifyWith = (pinned: KeyObject) =>
        runScript('scripts/audit-verify.ts', {
          env: { DATABASE_URL: c.url, PARALLAX_AUDIT_KEY_FILE: path.join(tmpdir(), 'parallax-no-audit-key', 'key.pem'), PARALLAX_AUDIT_PUBLIC_KEY: pem(pinned) },
        })
      const signedReads = await db.read.count({ where: { status: 'signed' } })
      assert.ok(signedReads > 0)
      const pinned = await verifyWith(publicKey)
      assert.equal(pinned.code, 0, pinned.stderr)
      assert.match(pinned.stdout, new RegExp(`OK: ${signedReads} signed read\\(s\\), every signature verified`))
      const other = await verifyWith(generateKeyPairSync('ed25519').publicKey)
      assert.equal(other.code, 1)
      assert.match(other.stderr, /signed reads that do not verify: \S+ \(bad-signature\)/)
    })

    it("amending another radiologist's signed read: the amendment is the amender's, copied decisions keep who made them and when", async () => {
      const opened = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(50004))
      const proposed = await m.reads.proposeFindings(db, radiologist, ip, opened.id, {
        model,
        executionProvider: 'wasm',
        explanationMethod: null,
        findings: [
          { label: 'Lung nodule', location: box, measurementMm: 9, probability: 0.9 },
          { label: 'Mass', location: newBox, measurementMm: 30, probability: 0.4 },
        ],
      })
      const [nodule, mass] = proposed.findings.map((finding) => finding.id)
      await m.reads.decideFinding(db, radiologist, ip, opened.id, nodule!, { action: 'accept' })
      const shown = await m.reads.decideFinding(db, radiologist, ip, opened.id, mass!, { action: 'reject', reason: 'false-positive', note: null })
      const original = await m.reads.signRead(db, ip, opened.id, { meaning: 'approval', signer: radiologist, shownContentHash: shown.contentHash })
      const originalRows = await db.finding.findMany({ where: { readId: original.id }, orderBy: { ordinal: 'asc' } })

      const head = await auditCount()
      const amendment = await m.reads.amendRead(db, colleague, ip, original.id, 'Second opinion: the mass is real.')
      // The amendment is the colleague's read: theirs to change and to sign.
      assert.deepEqual(amendment.reader, { id: colleague.id, name: 'Dr. Col League' })
      assert.deepEqual([amendment.version, amendment.amendsId, amendment.status], [2, original.id, 'open'])
      const [event] = await auditSince(head)
      assert.deepEqual([event!.eventType, event!.actorId], ['read-amended', colleague.id])
      // Copied decisions keep their decider and time, in the DTO and in the rows.
      assert.deepEqual(
        amendment.findings.map((finding) => [finding.status, finding.decidedBy, finding.decidedAt]),
        original.findings.map((finding) => [finding.status, 'Dr. Rada Reader', finding.decidedAt]),
      )
      const copiedRows = await db.finding.findMany({ where: { readId: amendment.id }, orderBy: { ordinal: 'asc' } })
      assert.deepEqual(
        copiedRows.map((row) => [row.decidedById, row.decidedByName, row.decidedAt?.toISOString()]),
        originalRows.map((row) => [radiologist.id, 'Dr. Rada Reader', row.decidedAt?.toISOString()]),
      )

      // The original reader may not change or sign the colleague's amendment.
      await assertAppError(m.reads.decideFinding(db, radiologist, ip, amendment.id, amendment.findings[1]!.id, { action: 'accept' }), 'forbidden:findings')
      await assertAppError(m.reads.signRead(db, ip, amendment.id, { meaning: 'approval', signer: radiologist, shownContentHash: amendment.contentHash }), 'forbidden:findings')

      // A decision the amender changes is the amender's from then on; the others stay as decided.
      const changed = await m.reads.decideFinding(db, colleague, ip, amendment.id, amendment.findings[1]!.id, { action: 'accept' })
      assert.deepEqual(
        changed.findings.map((finding) => [finding.status, finding.decidedBy]),
        [
          ['accepted', 'Dr. Rada Reader'],
          ['accepted', 'Dr. Col League'],
        ],
      )
      assert.equal(changed.findings[0]!.decidedAt, original.findings[0]!.decidedAt)
      const resigned = await m.reads.signRead(db, ip, amendment.id, { meaning: 'responsibility', signer: colleague, shownContentHash: changed.contentHash })
      assert.deepEqual([resigned.signature!.signerId, resigned.signature!.printedName, resigned.signature!.valid], [colleague.id, 'Dr. Col League', true])
      // The signed content binds who decided each finding: the copied attribution is signed too.
      const attributedToColleague = { ...resigned, findings: resigned.findings.map((finding) => ({ ...finding, decidedBy: 'Dr. Col League' })) }
      assert.notEqual(m.signedContent.signedContentHash(attributedToColleague), resigned.signature!.contentHash)

      const originalNow = await m.reads.getRead(db, radiologist, original.id)
      assert.deepEqual(originalNow, { ...original, amendedById: amendment.id }, 'the original stays as it was signed')
      assert.equal(originalNow.signature!.signerId, radiologist.id)
      assert.equal(originalNow.signature!.valid, true)
    })
  })
}
