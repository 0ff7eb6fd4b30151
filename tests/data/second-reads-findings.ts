// Second reads, part 1 (after second-reads-context.ts): a read opened per study and reader,
// AI findings proposed and decided (accept, modify, reject, add), every step audited, who
// may change or sign a read, and signing. Leaves the signed read for the next parts.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { verify } from 'node:crypto'
import type { Db } from '../../lib/db/client.server'
import type { SessionUser } from '../../lib/auth/session-user'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, study, otherStudy, model, at, box, contour, point, line, type ReadDto, type SecondReads } from './second-reads-context'

export function defineReadFindingTests(c: DataLayerContext, reads: SecondReads): void {
  describe('findings, decisions and signing', () => {
    const { auditCount, lastAudit, assertAppError } = c
    const { auditSince, findingIds } = reads
    let m: Modules
    let db: Db
    let admin: SessionUser
    let radiologist: SessionUser
    let colleague: SessionUser
    let researcher: SessionUser
    let auditor: SessionUser
    let openRead: ReadDto
    let signed: ReadDto
    let headBeforeProposals: number

    before(() => {
      m = c.m
      db = c.db
      admin = c.admin
      ;({ radiologist, colleague, researcher, auditor } = reads.readers)
    })

    after(() => {
      reads.signed = signed
    })

    it('openReadFor opens one clinical read per study and radiologist, and gives it back on the next call', async () => {
      const head = (await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0
      const read = await m.reads.openReadFor(db, radiologist, ip, study)
      assert.equal(read.purpose, 'clinical')
      assert.equal(read.status, 'open')
      assert.equal(read.version, 1)
      assert.equal(read.amendsId, null)
      assert.equal(read.amendedById, null)
      assert.deepEqual(read.study, study)
      assert.deepEqual(read.reader, { id: radiologist.id, name: 'Dr. Rada Reader' })
      assert.deepEqual(read.findings, [])
      assert.equal(read.signature, null)
      assert.deepEqual(await m.reads.openReadFor(db, radiologist, ip, study), read)
      const opened = await auditSince(head)
      assert.deepEqual(
        opened.map((event) => [event.eventType, event.eventCode, event.action]),
        [['read-opened', '110111', 'C']],
        'audited once, when created',
      )
      const [readEntity, studyEntity] = JSON.parse(opened[0]!.entities) as { id: string; type: string }[]
      assert.deepEqual(readEntity, { id: read.id, type: 'read' })
      assert.equal(studyEntity!.type, 'study')
      assert.notEqual(studyEntity!.id, study.studyInstanceUid, 'the study UID is stored hashed')
      assert.equal(await db.read.count({ where: { studyInstanceUid: study.studyInstanceUid } }), 1)
      // Another radiologist gets a read of their own.
      const theirs = await m.reads.openReadFor(db, colleague, ip, study)
      assert.notEqual(theirs.id, read.id)
      assert.equal(theirs.reader.id, colleague.id)
      // Only roles that read studies may open a read.
      await assertAppError(m.reads.openReadFor(db, admin, ip, study), 'forbidden:findings')
      await assertAppError(m.reads.openReadFor(db, auditor, ip, study), 'forbidden:findings')
      openRead = read
    })

    it('proposeFindings stores the AI findings as proposed, with the model and the AI original', async () => {
      headBeforeProposals = await auditCount()
      const read = await m.reads.proposeFindings(db, radiologist, ip, openRead.id, {
        model,
        executionProvider: 'webgpu',
        explanationMethod: 'grad-cam',
        findings: [
          { label: 'Lung nodule', location: box, measurementMm: 8, probability: 0.91 },
          { label: 'Mass', location: contour, measurementMm: 31.5, probability: 0.64 },
          { label: 'Calcified granuloma', location: point, measurementMm: null, probability: 0.42 },
        ],
      })
      assert.equal(read.id, openRead.id)
      assert.equal(read.status, 'open')
      assert.deepEqual(
        read.findings.map((finding) => [finding.ordinal, finding.origin, finding.status, finding.label]),
        [
          [1, 'ai', 'proposed', 'Lung nodule'],
          [2, 'ai', 'proposed', 'Mass'],
          [3, 'ai', 'proposed', 'Calcified granuloma'],
        ],
      )
      const [first] = read.findings
      assert.deepEqual(first!.location, box)
      assert.equal(first!.measurementMm, 8)
      assert.equal(first!.probability, 0.91)
      assert.deepEqual(first!.model, model)
      assert.equal(first!.executionProvider, 'webgpu')
      assert.equal(first!.explanationMethod, 'grad-cam')
      assert.deepEqual(first!.ai, { label: 'Lung nodule', location: box, measurementMm: 8 })
      assert.deepEqual(read.findings[2]!.ai, { label: 'Calcified granuloma', location: point, measurementMm: null })
      for (const finding of read.findings) {
        assert.equal(finding.discordant, false)
        assert.equal(finding.decidedBy, null)
        assert.equal(finding.decidedAt, null)
        assert.equal(finding.rejectReason, null)
      }
      assert.equal(await auditCount(), headBeforeProposals + 4, "the model's result and its three findings")
      openRead = read
    })

    it('accept, modify, reject and add: statuses, the AI original kept, discordance', async () => {
      const [nodule, mass, granuloma] = findingIds(openRead)
      let read = await m.reads.decideFinding(db, radiologist, ip, openRead.id, nodule!, { action: 'accept' })
      assert.equal(read.findings[0]!.status, 'accepted')
      read = await m.reads.decideFinding(db, radiologist, ip, openRead.id, mass!, { action: 'modify', label: 'Lung nodule', measurementMm: 27.25 })
      read = await m.reads.decideFinding(db, radiologist, ip, openRead.id, granuloma!, {
        action: 'reject',
        reason: 'artifact',
        note: 'Beam hardening from the port catheter.',
      })
      read = await m.reads.addReaderFinding(db, radiologist, ip, openRead.id, { label: 'Atelectasis', location: line, measurementMm: 9.5, note: 'Missed by the model.' })

      assert.deepEqual(
        read.findings.map((finding) => [finding.ordinal, finding.origin, finding.status, finding.label, finding.discordant]),
        [
          [1, 'ai', 'accepted', 'Lung nodule', false],
          [2, 'ai', 'modified', 'Lung nodule', false],
          [3, 'ai', 'rejected', 'Calcified granuloma', true],
          [4, 'reader', 'added', 'Atelectasis', true],
        ],
      )
      const [accepted, modified, rejected, added] = read.findings
      assert.equal(accepted!.measurementMm, 8)
      assert.equal(modified!.measurementMm, 27.25)
      assert.deepEqual(modified!.location, contour)
      assert.deepEqual(modified!.ai, { label: 'Mass', location: contour, measurementMm: 31.5 }, "the AI's original is kept")
      assert.equal(modified!.probability, 0.64)
      assert.equal(rejected!.rejectReason, 'artifact')
      assert.equal(rejected!.note, 'Beam hardening from the port catheter.')
      assert.equal(added!.model, null)
      assert.equal(added!.ai, null)
      assert.equal(added!.probability, null)
      assert.deepEqual(added!.location, line)
      assert.equal(added!.measurementMm, 9.5)
      assert.equal(added!.note, 'Missed by the model.')
      for (const finding of read.findings) {
        assert.equal(finding.decidedBy, 'Dr. Rada Reader')
        assert.ok(finding.decidedAt && !Number.isNaN(Date.parse(finding.decidedAt)))
      }
      assert.deepEqual(await m.reads.getRead(db, radiologist, openRead.id), read)
      openRead = read
    })

    it('audits every proposal and decision, in order, as 110111 events naming the finding and the read', async () => {
      const [result, ...events] = await auditSince(headBeforeProposals)
      const ids = findingIds(openRead)
      // The model's result on the read comes first: its model, bytes and how many findings.
      assert.deepEqual([result!.eventType, result!.eventCode, result!.action], ['model-result-recorded', '110111', 'C'])
      assert.deepEqual(JSON.parse(result!.details), { readVersion: 1, modelVersion: model.version, modelSha256: model.sha256, executionProvider: 'webgpu', findingCount: 3 })
      assert.deepEqual(
        events.map((event) => [event.eventType, event.eventCode, event.eventTypeCode, event.action, event.outcome]),
        [
          ['finding-proposed', '110111', null, 'C', 0],
          ['finding-proposed', '110111', null, 'C', 0],
          ['finding-proposed', '110111', null, 'C', 0],
          ['finding-accepted', '110111', null, 'U', 0],
          ['finding-modified', '110111', null, 'U', 0],
          ['finding-rejected', '110111', null, 'U', 0],
          ['finding-added', '110111', null, 'C', 0],
        ],
      )
      const studyHash = m.identifiers.hashIdentifier(study.studyInstanceUid)
      assert.match(studyHash, /^[0-9a-f]{64}$/)
      const findingOf = [ids[0], ids[1], ids[2], ids[0], ids[1], ids[2], ids[3]]
      for (const [index, event] of events.entries()) {
        assert.equal(event.actorId, radiologist.id)
        assert.equal(event.actorName, 'radiologist')
        assert.equal(event.actorRole, 'radiologist')
        assert.equal(event.sourceIp, ip)
        const ai = event.eventType !== 'finding-added'
        assert.deepEqual(JSON.parse(event.entities), [
          { type: 'finding', id: findingOf[index] },
          { type: 'read', id: openRead.id },
          { type: 'study', id: studyHash },
          ...(ai ? [{ type: 'model', id: model.id }] : []),
        ])
        assert.ok(!event.entities.includes(study.studyInstanceUid) && !event.details.includes(study.studyInstanceUid), 'the study UID is hashed')
      }
      const details = events.map((event) => JSON.parse(event.details))
      assert.deepEqual(details[0], {
        readVersion: 1,
        label: 'Lung nodule',
        origin: 'ai',
        modelVersion: model.version,
        modelSha256: model.sha256,
        probability: 0.91,
        executionProvider: 'webgpu',
        explanationMethod: 'grad-cam',
      })
      assert.deepEqual(details[3], { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'accepted' })
      assert.deepEqual(details[4], { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'modified', changed: 'label,measurementMm', from: 'Mass, 31.5 mm' })
      assert.deepEqual(details[5], {
        readVersion: 1,
        label: 'Calcified granuloma',
        origin: 'ai',
        decision: 'rejected',
        reason: 'artifact',
        note: 'Beam hardening from the port catheter.',
      })
      assert.deepEqual(details[6], { readVersion: 1, label: 'Atelectasis', origin: 'reader', decision: 'added' })
    })

    it('only the reader changes an open read; other roles do not see it', async () => {
      const head = await auditCount()
      const [nodule] = findingIds(openRead)
      await assertAppError(m.reads.decideFinding(db, colleague, ip, openRead.id, nodule!, { action: 'reject', reason: 'false-positive', note: null }), 'forbidden:findings')
      await assertAppError(m.reads.addReaderFinding(db, colleague, ip, openRead.id, { label: 'Mass', location: box, measurementMm: null, note: null }), 'forbidden:findings')
      await assertAppError(m.reads.decideFinding(db, researcher, ip, openRead.id, nodule!, { action: 'accept' }), 'not_found:findings')
      await assertAppError(m.reads.getRead(db, researcher, openRead.id), 'not_found:findings')
      await assertAppError(m.reads.decideFinding(db, radiologist, ip, openRead.id, 'no-such-finding', { action: 'accept' }), 'not_found:findings')
      await assertAppError(m.reads.decideFinding(db, radiologist, ip, openRead.id, openRead.findings[3]!.id, { action: 'accept' }), 'bad_request:findings')
      await assertAppError(m.reads.decideFinding(db, radiologist, ip, openRead.id, nodule!, { action: 'modify', label: 'Lung nodule' }), 'bad_request:findings')
      assert.deepEqual((await m.reads.getRead(db, auditor, openRead.id)).findings, openRead.findings, 'auditors see every read')
      assert.equal(await auditCount(), head)
      assert.deepEqual(await m.reads.getRead(db, radiologist, openRead.id), openRead)
    })

    it('signRefusal: pending AI findings, another reader, or a research read cannot be signed', async () => {
      const pending = await m.reads.proposeFindings(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, otherStudy)).id, {
        model,
        executionProvider: 'wasm',
        explanationMethod: null,
        findings: [{ label: 'Consolidation', location: at('slice', 12, []), measurementMm: null, probability: 0.55 }],
      })
      assert.equal(m.reads.signRefusal(pending, radiologist, pending.contentHash), 'pending-findings')
      const head = await auditCount()
      await assertAppError(m.reads.signRead(db, ip, pending.id, { meaning: 'approval', signer: radiologist, shownContentHash: pending.contentHash }), 'conflict:findings')
      assert.equal(await auditCount(), head)
      assert.equal(await db.readSignature.count({ where: { readId: pending.id } }), 0)
      assert.deepEqual(await m.reads.getRead(db, radiologist, pending.id), pending)

      // A researcher has no clinical reads: theirs are research reads, which nobody signs.
      assert.equal(m.reads.purposeForRole('researcher'), 'research')
      const research = await m.reads.openReadFor(db, researcher, ip, study)
      assert.equal(await auditCount(), head + 1, 'opening a read is audited')
      assert.equal(research.purpose, 'research')
      assert.equal(research.status, 'open')
      assert.equal(m.reads.signRefusal(research, researcher, research.contentHash), 'not-reader')
      assert.equal(m.reads.signRefusal(openRead, researcher, openRead.contentHash), 'not-reader')
      assert.equal(m.reads.signRefusal(openRead, colleague, openRead.contentHash), 'not-reader')
      assert.equal(m.reads.signRefusal(openRead, radiologist, openRead.contentHash), null)
      await assertAppError(m.reads.signRead(db, ip, openRead.id, { meaning: 'approval', signer: colleague, shownContentHash: openRead.contentHash }), 'forbidden:findings')
      await assertAppError(m.reads.signRead(db, ip, research.id, { meaning: 'approval', signer: researcher, shownContentHash: research.contentHash }), 'forbidden:findings')
      assert.equal(await auditCount(), head + 1, 'refusals inside the service write nothing')
      await assertAppError(m.reads.getRead(db, radiologist, research.id), 'not_found:findings')

      // The route records a refusal: read-sign-refused, outcome 4 (serious failure).
      await m.reads.recordSignRefusal(db, colleague, ip, openRead, 'not-reader')
      const [event] = await lastAudit()
      assert.equal(event!.eventType, 'read-sign-refused')
      assert.equal(event!.eventCode, '110111')
      assert.equal(event!.action, 'U')
      assert.equal(event!.outcome, 4)
      assert.equal(event!.actorId, colleague.id)
      assert.deepEqual(JSON.parse(event!.entities), [
        { type: 'read', id: openRead.id },
        { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
      ])
      assert.deepEqual(JSON.parse(event!.details), { readVersion: 1, reason: 'not-reader' })
      assert.equal((await m.reads.getRead(db, radiologist, openRead.id)).status, 'open')
    })

    it('signRead signs: status signed, a manifest with the printed name and a valid content hash, audited as read-signed', async () => {
      const head = await auditCount()
      const before = Date.now()
      const read = await m.reads.signRead(db, ip, openRead.id, { meaning: 'approval', signer: radiologist, shownContentHash: openRead.contentHash })
      assert.equal(read.status, 'signed')
      assert.deepEqual(read.findings, openRead.findings, 'signing changes no finding')
      const signature = read.signature!
      assert.ok(signature)
      assert.equal(signature.signerId, radiologist.id)
      assert.equal(signature.printedName, 'Dr. Rada Reader')
      assert.equal(signature.printedName, radiologist.displayName)
      assert.equal(signature.meaning, 'approval')
      const signedAt = Date.parse(signature.signedAt)
      assert.ok(signedAt >= before - 1000 && signedAt <= Date.now() + 1000, signature.signedAt)
      assert.match(signature.contentHash, /^[0-9a-f]{64}$/)
      assert.equal(signature.contentHash, openRead.contentHash, 'the content the signer was shown')
      assert.equal(m.signedContent.signedContentHash(read), signature.contentHash)
      assert.equal(signature.valid, true)
      assert.equal(signature.problem, null)
      // The server's Ed25519 signature over the manifest and the hash, with the audit key.
      const stored = await db.readSignature.findUniqueOrThrow({ where: { readId: read.id } })
      const { publicKey } = await c.m.signingKey.auditSigningKey(c.db, await c.m.witnessStore.auditWitness().entries())
      assert.equal(stored.keyId, c.m.checkpoint.keyIdOf(publicKey))
      const statement = `parallax-read-signature-v1\n${c.m.canonicalJson.canonicalJson({ readId: read.id, contentHash: signature.contentHash, signerId: signature.signerId, printedName: signature.printedName, meaning: signature.meaning, signedAt: signature.signedAt })}`
      assert.ok(verify(null, Buffer.from(statement), publicKey, Buffer.from(stored.serverSignature!, 'base64')), 'the stored signature verifies with the audit key')
      assert.equal((await db.read.findUniqueOrThrow({ where: { id: read.id } })).openKey, null, 'no longer the open read')

      const events = await auditSince(head)
      assert.deepEqual(
        events.map((event) => event.eventType),
        ['read-signed'],
      )
      const [event] = events
      assert.equal(event!.eventCode, '110111')
      assert.equal(event!.action, 'U')
      assert.equal(event!.outcome, 0)
      assert.equal(event!.actorId, radiologist.id)
      assert.deepEqual(JSON.parse(event!.entities), [
        { type: 'read', id: read.id },
        { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
      ])
      assert.deepEqual(JSON.parse(event!.details), { readVersion: 1, meaning: 'approval', contentHash: signature.contentHash, findingCount: 3 })
      assert.equal(stored.auditSeq, event!.seq, 'the signature names its read-signed event')

      signed = await m.reads.getRead(db, radiologist, read.id)
      assert.deepEqual(signed, read)
      assert.equal(m.reads.signRefusal(signed, radiologist, signed.contentHash), 'not-open')
      await assertAppError(m.reads.signRead(db, ip, read.id, { meaning: 'review', signer: radiologist, shownContentHash: read.contentHash }), 'conflict:findings')
      assert.equal(await auditCount(), head + 1)
    })
  })
}
