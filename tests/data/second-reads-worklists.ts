// Second reads, part 3: worklists per role, the database's guards on moving findings and
// on TRUNCATE, signing while a decision commits, the AI's negative calls in the agreement
// statistics, exports, and an audit chain that still verifies.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Db } from '../../lib/db/client.server'
import type { SessionUser } from '../../lib/auth/session-user'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, study, otherStudy, studyNumbered, model, box, point, newBox, type ReadDto, type SecondReads } from './second-reads-context'

export function defineReadWorklistTests(c: DataLayerContext, reads: SecondReads): void {
  describe('worklists, agreement and exports', () => {
    const { provider, auditCount, assertAppError, assertRefusedInTransaction } = c
    const { auditSince } = reads
    let m: Modules
    let db: Db
    let admin: SessionUser
    let radiologist: SessionUser
    let colleague: SessionUser
    let researcher: SessionUser
    let auditor: SessionUser
    let signed: ReadDto
    let amendment: ReadDto

    before(() => {
      m = c.m
      db = c.db
      admin = c.admin
      ;({ radiologist, colleague, researcher, auditor } = reads.readers)
      signed = reads.signed
      amendment = reads.amendment
    })

    it("worklist: the reader's own open reads with their pending count, no signed reads, each role its own kind", async () => {
      const pending = await m.reads.openReadFor(db, radiologist, ip, otherStudy)
      const research = await m.reads.openReadFor(db, researcher, ip, study)
      const colleagues = await m.reads.openReadFor(db, colleague, ip, study)

      const clinical = await m.reads.worklist(db, radiologist)
      assert.deepEqual(
        clinical.map((entry) => entry.readId),
        [pending.id],
      )
      assert.deepEqual(
        (await m.reads.worklist(db, colleague)).map((entry) => entry.readId),
        [colleagues.id],
        "a colleague's read is theirs to finish",
      )
      const entry = clinical.find((candidate) => candidate.readId === pending.id)!
      assert.deepEqual(entry, {
        readId: pending.id,
        purpose: 'clinical',
        version: 1,
        study: otherStudy,
        reader: 'Dr. Rada Reader',
        createdAt: pending.createdAt,
        pending: 1,
        decided: 0,
        findings: 1,
      })
      for (const id of [signed.id, amendment.id]) assert.ok(!clinical.some((candidate) => candidate.readId === id), 'signed reads are done')
      assert.ok(clinical.every((candidate) => candidate.purpose === 'clinical'))
      assert.deepEqual(
        clinical.map((candidate) => candidate.createdAt),
        clinical.map((candidate) => candidate.createdAt).sort(),
        'oldest first',
      )

      // Deciding the pending finding moves it from pending to decided; signing takes it off.
      const decided = await m.reads.decideFinding(db, radiologist, ip, pending.id, pending.findings[0]!.id, { action: 'accept' })
      assert.deepEqual(
        (await m.reads.worklist(db, radiologist)).filter((candidate) => candidate.readId === pending.id).map((candidate) => [candidate.pending, candidate.decided]),
        [[0, 1]],
      )
      await m.reads.signRead(db, ip, pending.id, { meaning: 'review', signer: radiologist, shownContentHash: decided.contentHash })
      assert.ok(!(await m.reads.worklist(db, radiologist)).some((candidate) => candidate.readId === pending.id))

      const researchList = await m.reads.worklist(db, researcher)
      assert.deepEqual(
        researchList.map((candidate) => [candidate.readId, candidate.purpose, candidate.reader]),
        [[research.id, 'research', 'Rhea Searcher']],
      )
      assert.deepEqual(await m.reads.worklist(db, auditor), [])
      assert.deepEqual(await m.reads.worklist(db, admin), [])
    })

    it('the database refuses to move a finding of an open read into a signed read', async () => {
      const target = await m.reads.addReaderFinding(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, studyNumbered(30001))).id, {
        label: 'Mass',
        location: newBox,
        measurementMm: 14,
        note: null,
      })
      const sealed = await m.reads.signRead(db, ip, target.id, { meaning: 'approval', signer: radiologist, shownContentHash: target.contentHash })
      const source = await m.reads.addReaderFinding(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, studyNumbered(30002))).id, {
        label: 'Other',
        location: point,
        measurementMm: null,
        note: 'Slipped into a signed read?',
      })
      await assertRefusedInTransaction(
        'finding.update (readId)',
        (tx) => tx.finding.update({ where: { id: source.findings[0]!.id }, data: { readId: sealed.id, ordinal: 2 } }),
        /signed/,
      )
      assert.deepEqual(await m.reads.getRead(db, radiologist, sealed.id), sealed)
    })

    if (provider === 'postgresql') {
      it(
        'the database refuses TRUNCATE on Finding and Read',
        // Row triggers do not fire on TRUNCATE: statement triggers guard the tables.
        async () => {
          const findings = await db.finding.count()
          await assertRefusedInTransaction('TRUNCATE "Finding"', (tx) => tx.$executeRawUnsafe(`TRUNCATE "Finding"`), /TRUNCATE refused/)
          await assertRefusedInTransaction('TRUNCATE "Read" CASCADE', (tx) => tx.$executeRawUnsafe(`TRUNCATE "Read" CASCADE`), /TRUNCATE refused/)
          assert.equal(await db.finding.count(), findings)
        },
      )
    }

    it(
      'a read signed while a decision on it commits is signed over the content shown, or refused',
      // On PostgreSQL the read's row is locked (FOR UPDATE) before it is loaded; SQLite
      // serialises the transactions.
      async () => {
        const outcomes: string[] = []
        for (let index = 0; index < 8; index++) {
          const proposed = await m.reads.proposeFindings(db, radiologist, ip, (await m.reads.openReadFor(db, radiologist, ip, studyNumbered(31000 + index))).id, {
            model,
            executionProvider: 'wasm',
            explanationMethod: null,
            findings: [{ label: 'Lung nodule', location: box, measurementMm: 10, probability: 0.8 }],
          })
          const findingId = proposed.findings[0]!.id
          const shown = await m.reads.decideFinding(db, radiologist, ip, proposed.id, findingId, { action: 'accept' })
          const [signing, deciding] = await Promise.allSettled([
            m.reads.signRead(db, ip, proposed.id, { meaning: 'approval', signer: radiologist, shownContentHash: shown.contentHash }),
            m.reads.decideFinding(db, radiologist, ip, proposed.id, findingId, { action: 'modify', measurementMm: 11 + index }),
          ])
          for (const result of [signing, deciding]) {
            if (result!.status === 'rejected') assert.ok(result!.reason instanceof m.errors.AppError && result!.reason.kind === 'conflict', String(result!.reason))
          }
          const read = await m.reads.getRead(db, radiologist, proposed.id)
          outcomes.push(`${signing!.status}/${deciding!.status}: ${read.status}, ${read.signature?.valid ?? 'unsigned'}`)
          if (read.signature) {
            assert.equal(read.signature.valid, true, `signature invalid right after signing: ${outcomes.join('; ')}`)
            assert.equal(read.signature.contentHash, shown.contentHash, 'what was signed is what was shown')
          }
          assert.ok(signing!.status === 'rejected' || deciding!.status === 'rejected', `one of the two is refused: ${outcomes.join('; ')}`)
        }
      },
    )

    it("a run that found nothing is the AI's negative call: recorded, audited and counted in the agreement", async () => {
      const negativeModel = { ...model, id: 'negative-call-model' }
      const before = (await m.agreement.readerAgreementReport(db)).models.find((entry) => entry.modelId === `${negativeModel.id}@${model.version}`)
      assert.equal(before, undefined)
      // Read 1: the model finds nothing and neither does the reader (both negative).
      const quiet = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(40001))
      const head = await auditCount()
      const quietShown = await m.reads.proposeFindings(db, radiologist, ip, quiet.id, { model: negativeModel, executionProvider: 'wasm', explanationMethod: null, findings: [] })
      const [recorded] = await auditSince(head)
      assert.deepEqual([recorded!.eventType, JSON.parse(recorded!.details).findingCount], ['model-result-recorded', 0])
      assert.equal(await db.modelRun.count({ where: { readId: quiet.id, findingCount: 0 } }), 1)
      await m.reads.signRead(db, ip, quiet.id, { meaning: 'review', signer: radiologist, shownContentHash: quietShown.contentHash })
      // Read 2: the model finds nothing, the reader adds a nodule (the AI missed it).
      const missed = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(40002))
      await m.reads.proposeFindings(db, radiologist, ip, missed.id, { model: negativeModel, executionProvider: 'wasm', explanationMethod: null, findings: [] })
      const missedShown = await m.reads.addReaderFinding(db, radiologist, ip, missed.id, { label: 'Lung nodule', location: point, measurementMm: 6, note: null })
      await m.reads.signRead(db, ip, missed.id, { meaning: 'review', signer: radiologist, shownContentHash: missedShown.contentHash })
      // Read 3: one AI finding, accepted.
      const found = await m.reads.openReadFor(db, radiologist, ip, studyNumbered(40003))
      const proposed = await m.reads.proposeFindings(db, radiologist, ip, found.id, {
        model: negativeModel,
        executionProvider: 'wasm',
        explanationMethod: null,
        findings: [{ label: 'Lung nodule', location: box, measurementMm: 9, probability: 0.8 }],
      })
      const foundShown = await m.reads.decideFinding(db, radiologist, ip, found.id, proposed.findings[0]!.id, { action: 'accept' })
      await m.reads.signRead(db, ip, found.id, { meaning: 'review', signer: radiologist, shownContentHash: foundShown.contentHash })

      const row = (await m.agreement.readerAgreementReport(db)).models.find((entry) => entry.modelId === `${negativeModel.id}@${model.version}`)!
      assert.deepEqual(row.table, { both: 1, aiOnly: 0, readerOnly: 1, neither: 1 })
      assert.equal(row.reads, 3)
      assert.equal(row.sensitivity, 0.5)
      // po = 2/3; pe = (1/3)(2/3) + (2/3)(1/3) = 4/9; kappa = (2/3 - 4/9) / (5/9) = 0.4
      assert.ok(Math.abs(row.kappa! - 0.4) < 1e-12, String(row.kappa))

      // A reader who signed a study amends it rather than starting a second, unlinked read.
      await assertAppError(m.reads.openReadFor(db, radiologist, ip, studyNumbered(40001)), 'conflict:findings')
      // An amendment under way keeps the signed original in the statistics until it is signed.
      await m.reads.amendRead(db, radiologist, ip, quiet.id, 'second look')
      const during = (await m.agreement.readerAgreementReport(db)).models.find((entry) => entry.modelId === `${negativeModel.id}@${model.version}`)!
      assert.deepEqual(during.table, row.table)
    })

    it('exports: a download by any reader of the read; a PACS store only by a radiologist, to the PACS the study came from', async () => {
      const pacsStudy = { ...studyNumbered(40010), source: 'dicomweb' as const, sourceRef: 'pacs-1' }
      const read = await m.reads.openReadFor(db, radiologist, ip, pacsStudy)
      const shown = await m.reads.addReaderFinding(db, radiologist, ip, read.id, { label: 'Other', location: point, measurementMm: null, note: null })
      await assertAppError(m.reads.recordReadExport(db, radiologist, ip, read.id, 'download', null), 'conflict:findings')
      await m.reads.signRead(db, ip, read.id, { meaning: 'review', signer: radiologist, shownContentHash: shown.contentHash })
      await m.reads.recordReadExport(db, auditor, ip, read.id, 'download', null)
      await assertAppError(m.reads.recordReadExport(db, auditor, ip, read.id, 'pacs', 'pacs-1'), 'forbidden:findings')
      await assertAppError(m.reads.recordReadExport(db, radiologist, ip, read.id, 'pacs', 'another-pacs'), 'bad_request:findings')
      await assertAppError(m.reads.recordReadExport(db, radiologist, ip, read.id, 'pacs', null), 'bad_request:findings')
      const head = await auditCount()
      await m.reads.recordReadExport(db, radiologist, ip, read.id, 'pacs', 'pacs-1')
      const [event] = await auditSince(head)
      assert.deepEqual([event!.eventType, event!.eventCode, JSON.parse(event!.details).destination], ['read-exported', '110106', 'pacs'])
    })

    it('leaves an audit chain that verifies', async () => {
      const verdict = await m.verify.verifyAuditChain(db)
      assert.ok(verdict.ok, JSON.stringify(verdict))
      assert.equal(verdict.headSeq, await auditCount())
    })
  })
}
