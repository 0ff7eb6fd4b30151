// PACS server configuration on each database (called from data-layer-suite.ts, inside its
// describe, after the user tests): DTOs, one audit event per change in the same
// transaction (110113 / 110128), no secret in the trail, and the CSP origin cache
// following every change.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SessionUser } from '../../lib/auth/session-user'
import type { Db } from '../../lib/db/client.server'

export interface PacsSuiteContext {
  db: Db
  admin: SessionUser
  withAuditInsertsFailing(run: () => Promise<void>): Promise<void>
  assertAppError(promise: Promise<unknown>, code: string): Promise<void>
}

async function loadModules() {
  return {
    pacs: await import('../../lib/dicomweb/pacs.server'),
    origins: await import('../../lib/dicomweb/pacs-origins.server'),
    verify: await import('../../lib/audit/verify.server'),
  }
}

export function definePacsSuite(context: () => PacsSuiteContext): void {
  describe('PACS servers and their audit events', () => {
    let m: Awaited<ReturnType<typeof loadModules>>
    let c: PacsSuiteContext
    let mainId: string
    const secret = 'Bearer s3cret-token-value'
    const main = { name: 'Main PACS', qidoRoot: 'https://pacs.example.org/dicom-web', wadoRoot: 'https://pacs.example.org/dicom-web' }

    const auditCount = () => c.db.auditEvent.count()
    const eventsAfter = (seq: number) => c.db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })

    before(async () => {
      c = context()
      m = await loadModules()
    })

    it('createPacsServer returns a DTO and writes a pacs-configured event without the header value', async () => {
      const head = await auditCount()
      const dto = await m.pacs.createPacsServer(c.db, { ...main, authHeader: secret }, c.admin, '198.51.100.7')
      mainId = dto.id
      assert.deepEqual(
        { ...dto, id: undefined, createdAt: undefined, updatedAt: undefined },
        { ...main, hasAuthHeader: true, id: undefined, createdAt: undefined, updatedAt: undefined },
      )
      assert.ok(!JSON.stringify(dto).includes('s3cret'), 'the DTO says a credential is set, never which')
      assert.match(dto.createdAt, /^\d{4}-\d{2}-\d{2}T/)
      const events = await eventsAfter(head)
      assert.equal(events.length, 1)
      const [event] = events
      assert.equal(event!.eventType, 'pacs-configured')
      assert.equal(event!.eventCode, '110113')
      assert.equal(event!.eventTypeCode, '110128')
      assert.equal(event!.action, 'C')
      assert.equal(event!.actorId, c.admin.id)
      assert.equal(event!.sourceIp, '198.51.100.7')
      assert.equal(event!.entities, `[{"id":"${mainId}","type":"pacs"}]`)
      assert.deepEqual(JSON.parse(event!.details), {
        authHeader: true,
        changed: 'name,qidoRoot,wadoRoot,authHeader',
        name: 'Main PACS',
        qidoRoot: main.qidoRoot,
        wadoRoot: main.wadoRoot,
      })
      assert.ok(!event!.details.includes('s3cret'), 'the header value must stay out of the audit trail')
    })

    it('lists servers by name as DTOs', async () => {
      await m.pacs.createPacsServer(c.db, { name: 'Archive', qidoRoot: 'http://10.0.0.5:8042/dicom-web', wadoRoot: 'http://10.0.0.5:8042/dicom-web' }, c.admin)
      const list = await m.pacs.listPacsServers(c.db)
      assert.deepEqual(
        list.map((server) => server.name),
        ['Archive', 'Main PACS'],
      )
      assert.deepEqual(Object.keys(list[0]!).sort(), ['createdAt', 'hasAuthHeader', 'id', 'name', 'qidoRoot', 'updatedAt', 'wadoRoot'])
      assert.deepEqual(
        list.map((server) => server.hasAuthHeader),
        [false, true],
      )
      assert.ok(!JSON.stringify(list).includes('s3cret'))
    })

    it('the CSP origin list follows the table', async () => {
      assert.deepEqual(await m.origins.configuredPacsOrigins(), ['http://10.0.0.5:8042', 'https://pacs.example.org'])
    })

    it('refuses a duplicate name without writing anything', async () => {
      const [rows, events] = [await c.db.pacsServer.count(), await auditCount()]
      await c.assertAppError(m.pacs.createPacsServer(c.db, { ...main, qidoRoot: 'https://other.example/dicom-web' }, c.admin), 'conflict:pacs')
      assert.equal(await c.db.pacsServer.count(), rows)
      assert.equal(await auditCount(), events)
    })

    it('an update is audited with the fields it changed, and moves the CSP origin', async () => {
      const head = await auditCount()
      const dto = await m.pacs.updatePacsServer(c.db, mainId, { wadoRoot: 'https://wado.example.org/rs', authHeader: null, name: 'Main PACS' }, c.admin)
      assert.equal(dto.wadoRoot, 'https://wado.example.org/rs')
      assert.equal(dto.hasAuthHeader, false)
      const events = await eventsAfter(head)
      assert.equal(events.length, 1)
      assert.equal(events[0]!.eventType, 'pacs-configured')
      assert.equal(events[0]!.action, 'U')
      assert.deepEqual(JSON.parse(events[0]!.details), {
        authHeader: false,
        changed: 'wadoRoot,authHeader',
        name: 'Main PACS',
        qidoRoot: main.qidoRoot,
        wadoRoot: 'https://wado.example.org/rs',
      })
      assert.deepEqual(await m.origins.configuredPacsOrigins(), ['http://10.0.0.5:8042', 'https://pacs.example.org', 'https://wado.example.org'])
    })

    it('an update that changes nothing writes no audit event', async () => {
      const head = await auditCount()
      await m.pacs.updatePacsServer(c.db, mainId, { name: 'Main PACS', qidoRoot: main.qidoRoot }, c.admin)
      assert.equal(await auditCount(), head)
    })

    it('refuses renaming onto another server and unknown ids, writing nothing', async () => {
      const head = await auditCount()
      await c.assertAppError(m.pacs.updatePacsServer(c.db, mainId, { name: 'Archive' }, c.admin), 'conflict:pacs')
      await c.assertAppError(m.pacs.updatePacsServer(c.db, 'no-such-pacs', { name: 'X' }, c.admin), 'not_found:pacs')
      await c.assertAppError(m.pacs.deletePacsServer(c.db, 'no-such-pacs', c.admin), 'not_found:pacs')
      assert.equal(await auditCount(), head)
      assert.equal((await c.db.pacsServer.findUniqueOrThrow({ where: { id: mainId } })).name, 'Main PACS')
    })

    it('a change whose audit event cannot be written is rolled back with it', async () => {
      const [rows, events] = [await c.db.pacsServer.count(), await auditCount()]
      await c.withAuditInsertsFailing(async () => {
        await assert.rejects(m.pacs.createPacsServer(c.db, { ...main, name: 'Unaudited' }, c.admin), /`tx\.auditEvent\.create\(\)`/)
        await assert.rejects(m.pacs.updatePacsServer(c.db, mainId, { qidoRoot: 'https://evil.example/dicom-web' }, c.admin), /`tx\.auditEvent\.create\(\)`/)
        await assert.rejects(m.pacs.deletePacsServer(c.db, mainId, c.admin), /`tx\.auditEvent\.create\(\)`/)
      })
      assert.equal(await c.db.pacsServer.count(), rows)
      assert.equal(await auditCount(), events)
      assert.equal((await c.db.pacsServer.findUniqueOrThrow({ where: { id: mainId } })).qidoRoot, main.qidoRoot)
      assert.ok(!(await m.origins.configuredPacsOrigins()).includes('https://evil.example'))
    })

    it('deletePacsServer removes the row, writes pacs-removed (D) and drops its origins', async () => {
      const head = await auditCount()
      await m.pacs.deletePacsServer(c.db, mainId, c.admin, '198.51.100.7')
      assert.equal(await c.db.pacsServer.findUnique({ where: { id: mainId } }), null)
      const events = await eventsAfter(head)
      assert.deepEqual(
        events.map((event) => [event.eventType, event.eventCode, event.eventTypeCode, event.action, event.details]),
        [['pacs-removed', '110113', '110128', 'D', '{"name":"Main PACS"}']],
      )
      assert.deepEqual(await m.origins.configuredPacsOrigins(), ['http://10.0.0.5:8042'])
    })

    it('leaves a chain that verifies', async () => {
      const verdict = await m.verify.verifyAuditChain(c.db)
      assert.ok(verdict.ok, JSON.stringify(verdict))
    })
  })
}
