// What the trail must hold besides changes: reads shown to a user (110111, read),
// checkpoints signed on request (110101), a model file only with its event, and flood
// limits on what a user or an anonymous request can add. Runs after the second reads (their readers and
// reads) and after the audit log tests (which count the checkpoints from none, and leave
// the chain broken by a deleted event: nothing here verifies the whole trail).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { reluManifest, reluModelBytes, reluModelSha256 } from '../support/model-fixtures'
import type { ClientAuditEvent } from '../../lib/audit/client-events'
import type { Db } from '../../lib/db/client.server'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, study, type SecondReads } from './second-reads-context'

export function defineAuditCompletenessTests(c: DataLayerContext, getReads: () => SecondReads): void {
  describe('audit completeness', () => {
    const { lastAudit, assertAppError } = c
    let m: Modules
    let db: Db
    // The audit log tests before these leave gaps in seq (deletions they detect), so heads are seqs, not counts.
    const headSeq = async () => (await lastAudit())[0]!.seq

    before(() => {
      m = c.m
      db = c.db
    })

    it('a read shown to a user is audited as 110111 read, naming the read and its study', async () => {
      const { radiologist } = getReads().readers
      const signed = getReads().signed
      const head = await headSeq()
      const read = await m.reads.viewRead(db, radiologist, ip, signed.id)
      assert.equal(read.id, signed.id)
      const [event] = await lastAudit()
      assert.equal(event!.seq, head + 1)
      assert.deepEqual([event!.eventType, event!.eventCode, event!.action, event!.outcome, event!.actorId, event!.sourceIp], ['read-viewed', '110111', 'R', 0, radiologist.id, ip])
      assert.deepEqual(JSON.parse(event!.entities), [
        { type: 'read', id: signed.id },
        { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
      ])
      assert.deepEqual(JSON.parse(event!.details), { readVersions: String(signed.version) })
    })

    it("a study's reads shown to a user are one audited view naming each read; none shown, nothing recorded", async () => {
      const { auditor, researcher } = getReads().readers
      const head = await headSeq()
      const reads = await m.reads.viewReadsOfStudy(db, auditor, ip, study.studyInstanceUid)
      assert.ok(reads.length >= 3, 'the clinical versions and the research read')
      assert.equal(await headSeq(), head + 1)
      const [event] = await lastAudit()
      assert.deepEqual([event!.eventType, event!.actorId], ['read-viewed', auditor.id])
      assert.deepEqual(JSON.parse(event!.entities), [
        ...reads.map((read) => ({ type: 'read', id: read.id })),
        { type: 'study', id: m.identifiers.hashIdentifier(study.studyInstanceUid) },
      ])
      assert.deepEqual(JSON.parse(event!.details), { readVersions: reads.map((read) => read.version).join(',') })

      assert.deepEqual(await m.reads.viewReadsOfStudy(db, auditor, ip, '1.2.826.0.1.3680043.8.498.99999'), [])
      assert.equal(await headSeq(), head + 1, 'no read shown, no view recorded')
      // A read the user may not see is not shown, and no view is recorded.
      await assertAppError(m.reads.viewRead(db, researcher, ip, getReads().signed.id), 'not_found:findings')
      // The services' own loading (to check a change) is not a view.
      await m.reads.getRead(db, auditor, getReads().signed.id)
      assert.equal(await headSeq(), head + 1)
    })

    it('a read whose view cannot be recorded is not shown', async () => {
      const { radiologist } = getReads().readers
      await c.withAuditInsertsFailing(() => c.assertRefusedByDatabase('the view', () => m.reads.viewRead(db, radiologist, ip, getReads().signed.id), /audit insert refused/))
    })

    it('a checkpoint signed on request is audited (110101) before it is signed, so it covers its own record', async () => {
      const { auditor } = getReads().readers
      const head = await headSeq()
      const written = await m.checkpointRequest.signCheckpointsOnRequest(db, auditor, ip)
      const event = await c.auditRow(head + 1)
      assert.deepEqual([event.eventType, event.eventCode, event.action, event.actorId, event.sourceIp], ['audit-checkpoint-requested', '110101', 'R', auditor.id, ip])
      assert.ok(written.length >= 1)
      assert.equal(written.at(-1)!.toSeq, head + 1, 'the checkpoint ends with the request')
    })

    describe('flood limits', () => {
      // A clock of the test's own, and budgets small enough to spend here.
      let clock = 0
      const limits = () =>
        m.floodLimits.createFloodLimits(
          {
            clientEventsPerUser: { capacity: 3, refillPerSecond: 1, maxKeys: 100 },
            anonymousPerAddress: { capacity: 2, refillPerSecond: 0.1, maxKeys: 100 },
            anonymousOverall: { capacity: 5, refillPerSecond: 0.1, maxKeys: 1 },
          },
          () => clock,
        )
      const opened: ClientAuditEvent = { type: 'study-opened', source: 'local', studyInstanceUid: '1.2.3.4', seriesInstanceUids: ['1.2.3.4.5'], instanceCount: 3 }
      const eventsSince = async (seq: number) => db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })

      it("a user's reported events: refused over the limit (with when to retry), one notice per burst, others unaffected", async () => {
        const { radiologist, researcher } = getReads().readers
        const limited = limits()
        clock = 0
        const head = await headSeq()
        const results = []
        for (let index = 0; index < 6; index++) results.push(await m.clientEvents.recordClientEvent(db, radiologist, ip, opened, limited))
        assert.deepEqual(
          results.map((result) => result.ok),
          [true, true, true, false, false, false],
        )
        assert.deepEqual(results[3], { ok: false, retryAfterSeconds: 1 })
        assert.equal((await m.clientEvents.recordClientEvent(db, researcher, ip, opened, limited)).ok, true, 'another user has a budget of their own')
        const events = await eventsSince(head)
        assert.deepEqual(
          events.map((event) => [event.eventType, event.actorId]),
          [
            ['study-opened', radiologist.id],
            ['study-opened', radiologist.id],
            ['study-opened', radiologist.id],
            ['audit-events-limited', radiologist.id],
            ['study-opened', researcher.id],
          ],
        )
        const notice = events[3]!
        assert.deepEqual(
          [notice.eventCode, notice.eventTypeCode, notice.outcome, JSON.parse(notice.details)],
          ['110113', '110133', 4, { scope: 'user', eventType: 'study-opened' }],
        )
        clock = 1000
        assert.equal((await m.clientEvents.recordClientEvent(db, radiologist, ip, opened, limited)).ok, true, 'a token earned back')
      })

      it('failed sign-ins: written within the address budget, then dropped with one notice; other addresses and the overall backstop', async () => {
        const limited = limits()
        clock = 0
        const head = await headSeq()
        const failed = (username: string) => ({ type: 'login-failed', username, reason: 'bad-credentials' }) as const
        const written = []
        for (let index = 0; index < 5; index++) written.push(await limited.recordAnonymousAudit(db, failed(`mallory${index}`), '203.0.113.66'))
        assert.deepEqual(written, [true, true, false, false, false])
        // One host's IPv6 /64 is one address here.
        assert.deepEqual(
          [
            await limited.recordAnonymousAudit(db, failed('eve'), '2001:db8:7:7::1'),
            await limited.recordAnonymousAudit(db, failed('eve'), '2001:db8:7:7::2'),
            await limited.recordAnonymousAudit(db, failed('eve'), '2001:db8:7:7::3'),
          ],
          [true, true, false],
        )
        // All anonymous requests together: 5 in all, the notices included.
        assert.equal(await limited.recordAnonymousAudit(db, failed('trudy'), '198.51.100.99'), false)
        assert.equal(await limited.recordAnonymousAudit(db, failed('trudy'), '198.51.100.100'), false)
        const events = await eventsSince(head)
        assert.deepEqual(
          events.map((event) => [
            event.eventType,
            event.sourceIp,
            event.eventType === 'audit-events-limited' ? JSON.parse(event.details).scope : JSON.parse(event.details).username,
          ]),
          [
            ['login-failed', '203.0.113.66', 'mallory0'],
            ['login-failed', '203.0.113.66', 'mallory1'],
            ['audit-events-limited', '203.0.113.66', 'address'],
            ['login-failed', '2001:db8:7:7::1', 'eve'],
            ['login-failed', '2001:db8:7:7::2', 'eve'],
            ['audit-events-limited', '2001:db8:7:7::3', 'anonymous'],
          ],
        )
        assert.ok(events.every((event) => event.actorId === null))
      })

      it("failed sign-ins at the credentials provider spend the budget of the client's address as the server reports it", async () => {
        const shared = globalThis as { parallaxFloodLimits?: unknown }
        const processLimits = shared.parallaxFloodLimits
        shared.parallaxFloodLimits = limits()
        clock = 0
        try {
          const head = await headSeq()
          const signIn = (username: string, forwardedFor: string) =>
            m.credentials.authorizeCredentials({ username, password: 'not-the-password' }, { 'x-forwarded-for': forwardedFor })
          // The production server (scripts/serve.ts) appends the address it trusts; what the client wrote before it counts for nothing.
          for (const [index, written] of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'].entries()) {
            assert.equal(await signIn(`oscar${index}`, `${written}, 203.0.113.77`), null)
          }
          assert.equal(await signIn('oscar4', '203.0.113.78'), null)
          const events = await eventsSince(head)
          assert.deepEqual(
            events.map((event) => [event.eventType, event.sourceIp]),
            [
              ['login-failed', '203.0.113.77'],
              ['login-failed', '203.0.113.77'],
              ['audit-events-limited', '203.0.113.77'],
              ['login-failed', '203.0.113.78'],
            ],
          )
        } finally {
          shared.parallaxFloodLimits = processLimits
        }
      })
    })

    describe('a model file and its audit event are one unit', () => {
      let store: string
      const input = (id: string) => ({ manifest: reluManifest({ id }), bytes: reluModelBytes })
      const modelEvents = async (id: string) =>
        (await db.auditEvent.findMany({ where: { eventType: 'model-added' }, orderBy: { seq: 'asc' } })).filter((event) => JSON.parse(event.entities)[0].id === id)
      const storeNames = () => readdirSync(store).sort()

      before(() => {
        store = mkdtempSync(path.join(tmpdir(), 'parallax-model-unit-'))
        process.env.PARALLAX_MODEL_STORE = store
      })
      after(() => {
        delete process.env.PARALLAX_MODEL_STORE
        rmSync(store, { recursive: true, force: true })
      })

      it('registered: the file in place and its model-added event, nothing pending', async () => {
        const { admin } = c
        const model = await m.models.registerModel(db, input('relu-unit-a'), admin, 'admin-upload', ip)
        assert.equal(model.filePath, path.join(store, 'relu-unit-a', 'model.onnx'))
        const [event] = await modelEvents('relu-unit-a')
        assert.deepEqual([event!.actorId, JSON.parse(event!.details).sha256], [admin.id, reluModelSha256])
        assert.deepEqual(storeNames(), ['relu-unit-a'])
      })

      it('an event that cannot be written leaves no model behind', async () => {
        await c.withAuditInsertsFailing(async () => {
          await assert.rejects(m.models.registerModel(db, input('relu-unit-b'), c.admin, 'admin-upload', ip))
        })
        assert.equal(m.models.findModel('relu-unit-b'), undefined)
        assert.deepEqual(await modelEvents('relu-unit-b'), [])
        assert.deepEqual(storeNames(), ['relu-unit-a'], 'nothing staged or written')
      })

      it('a crash before the event: the staged file is removed at start, and no event names it', async () => {
        m.models.stageModel(input('relu-unit-c'), await headSeq())
        assert.equal(m.models.findModel('relu-unit-c'), undefined, 'not listed while staged')
        assert.deepEqual(await m.models.recoverModelStore(db), { completed: [], removed: ['relu-unit-c'] })
        assert.equal(m.models.findModel('relu-unit-c'), undefined)
        assert.deepEqual(storeNames(), ['relu-unit-a'])
      })

      it('a crash after the event, before the move: the file is put in place at start', async () => {
        const staged = m.models.stageModel(input('relu-unit-d'), await headSeq())
        await m.append.recordAudit(
          db,
          { type: 'model-added', model: { id: 'relu-unit-d', version: staged.manifest.version, sha256: reluModelSha256 }, via: 'cli' },
          { actor: null },
        )
        assert.equal(m.models.findModel('relu-unit-d'), undefined, 'the crash came before the move')
        assert.deepEqual(await m.models.recoverModelStore(db), { completed: ['relu-unit-d'], removed: [] })
        assert.equal(m.models.findModel('relu-unit-d')?.filePath, path.join(store, 'relu-unit-d', 'model.onnx'))
        assert.deepEqual(storeNames(), ['relu-unit-a', 'relu-unit-d'])
      })

      it('only an event after the staging completes it: an older event for the same bytes does not', async () => {
        // The same id and bytes staged again (say the model's folder was deleted by hand), crashing before its event.
        m.models.stageFiles({ id: 'relu-unit-d', sha256: reluModelSha256, afterSeq: await headSeq() }, [{ name: 'model.onnx', bytes: reluModelBytes }])
        assert.equal((await modelEvents('relu-unit-d')).length, 1, 'the earlier registration')
        assert.deepEqual(await m.models.recoverModelStore(db), { completed: [], removed: ['relu-unit-d'] })
        assert.deepEqual(await m.models.recoverModelStore(db), { completed: [], removed: [] }, 'nothing left to recover')
      })
    })
  })
}
