import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { codeAuditEvent, type AuditEventInput, type AuditEventType } from './events'
import { toFhirAuditBundle, toFhirAuditEvent, uuidFromHash, type FhirAuditEvent } from './fhir-audit-event'
import type { AuditEventDto } from './queries.server'

const model = { id: 'lesion-seg-2d', version: '1.0.0', sha256: 'c'.repeat(64) }
const readRef = { id: 'read-1', studyUidHash: 'h-study', version: 1 }
const project = { id: 'p-1' }
const finding = { id: 'f-1', read: readRef, label: 'Lung nodule', origin: 'ai' as const, modelId: model.id }

// One input per event type: the mapped type makes a new event type a compile error here
// until it has a fixture, so every kind is checked against the R4 rules below.
const inputs: { [T in AuditEventType]: Extract<AuditEventInput, { type: T }> } = {
  login: { type: 'login', username: 'rada' },
  'login-failed': { type: 'login-failed', username: 'mallory', reason: 'bad-credentials' },
  logout: { type: 'logout' },
  'sso-login': { type: 'sso-login', username: 'rhea@idp.example', issuer: 'https://idp.example', role: 'radiologist' },
  'sso-login-failed': { type: 'sso-login-failed', issuer: 'https://idp.example', reason: 'idp-error', error: 'access_denied' },
  'access-denied': { type: 'access-denied', resource: '/api/users', method: 'POST' },
  'user-created': { type: 'user-created', targetUserId: 'u-42', targetUsername: 'rada', role: 'radiologist' },
  'role-changed': { type: 'role-changed', targetUserId: 'u-42', targetUsername: 'rada', from: 'radiologist', to: 'auditor' },
  'user-disabled': { type: 'user-disabled', targetUserId: 'u-42', targetUsername: 'rada' },
  'user-enabled': { type: 'user-enabled', targetUserId: 'u-42', targetUsername: 'rada' },
  'password-reset': { type: 'password-reset', targetUserId: 'u-42', targetUsername: 'rada' },
  'audit-log-viewed': { type: 'audit-log-viewed', view: 'verification' },
  'audit-log-exported': { type: 'audit-log-exported', format: 'fhir', eventCount: 12, filters: ['eventType'] },
  'audit-checkpoint-requested': { type: 'audit-checkpoint-requested' },
  'audit-events-limited': { type: 'audit-events-limited', scope: 'user', eventType: 'study-opened' },
  'finding-proposed': { type: 'finding-proposed', finding, model, probability: 0.93, executionProvider: 'webgpu', explanationMethod: null },
  'finding-accepted': { type: 'finding-accepted', finding },
  'finding-modified': { type: 'finding-modified', finding, changed: ['label'], from: 'Mass' },
  'finding-rejected': { type: 'finding-rejected', finding, reason: 'artifact', note: null },
  'finding-added': { type: 'finding-added', finding: { ...finding, id: 'f-2', origin: 'reader', modelId: null } },
  'model-result-recorded': {
    type: 'model-result-recorded',
    read: readRef,
    model: { id: 'lesion-seg-2d', version: '1.0.0', sha256: 'c'.repeat(64) },
    executionProvider: 'webgpu',
    findingCount: 2,
  },
  'read-opened': { type: 'read-opened', read: readRef, purpose: 'research' },
  'read-viewed': { type: 'read-viewed', reads: [readRef, { ...readRef, id: 'read-2', version: 2 }] },
  'read-signed': { type: 'read-signed', read: readRef, meaning: 'responsibility', contentHash: 'd'.repeat(64), findingCount: 2 },
  'read-sign-refused': { type: 'read-sign-refused', read: readRef, reason: 'bad-password' },
  'read-amended': { type: 'read-amended', read: { ...readRef, id: 'read-2', version: 2 }, amends: 'read-1', reason: 'laterality, "left"' },
  'read-exported': { type: 'read-exported', read: readRef, format: 'dicom-sr', destination: 'pacs', pacsId: 'pacs-1' },
  'pacs-configured': {
    type: 'pacs-configured',
    change: 'created',
    pacsId: 'pacs-1',
    name: 'Orthanc',
    qidoRoot: 'https://pacs.example/qido',
    wadoRoot: 'https://pacs.example/wado',
    hasAuthHeader: true,
    changedFields: ['name', 'qidoRoot'],
  },
  'pacs-removed': { type: 'pacs-removed', pacsId: 'pacs-1', name: 'Orthanc' },
  'pacs-token-issued': { type: 'pacs-token-issued', pacsId: 'pacs-1', scope: 'read', tokenId: 'token-1', expiresAt: '2026-01-02T03:09:05.000Z' },
  'study-opened': { type: 'study-opened', source: 'local', studyUidHash: 'h-study', seriesUidHashes: ['h-s1', 'h-s2'], instanceCount: 275 },
  'study-query': { type: 'study-query', source: 'dicomweb', pacsId: 'pacs-1', filterKeys: ['modality'], resultCount: 3 },
  'model-added': { type: 'model-added', model, via: 'demo-seed' },
  'inference-run': {
    type: 'inference-run',
    model,
    seriesUidHash: 'h-s1',
    executionProvider: 'webgpu',
    durationMs: 812.4,
    outcome: 'failed',
    error: 'out of memory',
  },
  'annotation-project-created': { type: 'annotation-project-created', project, segmentCount: 2 },
  'annotation-project-updated': { type: 'annotation-project-updated', project, changed: ['status'] },
  'annotation-studies-added': { type: 'annotation-studies-added', project, studyUidHashes: ['h-study'], scored: 1 },
  'annotation-annotators-added': { type: 'annotation-annotators-added', project, annotators: [{ userId: 'u-7', role: 'annotator' }] },
  'annotation-tasks-assigned': { type: 'annotation-tasks-assigned', project, annotatorIds: ['u-7'], studyUidHashes: ['h-study'], taskCount: 1 },
  'annotation-study-opened': { type: 'annotation-study-opened', project, taskId: 't-1', studyUidHash: 'h-study' },
  'annotation-submitted': { type: 'annotation-submitted', project, taskId: 't-1', studyUidHash: 'h-study', segUidHash: 'h-seg', segSha256: 'e'.repeat(64), segmentCount: 2 },
  'annotation-seg-exported': {
    type: 'annotation-seg-exported',
    project,
    studyUidHash: 'h-study',
    segUidHash: 'h-seg',
    segSha256: 'e'.repeat(64),
    kind: 'annotation',
    destination: 'pacs',
    pacsId: 'pacs-1',
  },
  'agreement-computed': { type: 'agreement-computed', project, recordCount: 4, studyUidHashes: ['h-study'], segmentNumbers: [1, 2] },
  'consensus-made': { type: 'consensus-made', project, studyUidHash: 'h-study', method: 'staple', submissionCount: 2, segUidHash: 'h-seg', segSha256: 'e'.repeat(64) },
  'seg-exported': {
    type: 'seg-exported',
    destination: 'download',
    studyUidHash: 'h-study',
    seriesUidHash: 'h-s1',
    segSopInstanceUid: '2.25.1234',
    sha256: 'c'.repeat(64),
    segmentCount: 1,
  },
}

const admin = { id: 'u-1', username: 'admin', role: 'admin' }

/** Who did it: a failed login has no user but an address; the demo seed has neither. */
function contextFor(type: AuditEventType): Pick<AuditEventDto, 'actor' | 'sourceIp'> {
  if (type === 'login-failed' || type === 'sso-login-failed') return { actor: null, sourceIp: '203.0.113.9' }
  if (type === 'model-added') return { actor: null, sourceIp: null }
  if (type === 'inference-run') return { actor: admin, sourceIp: null }
  return { actor: admin, sourceIp: '192.0.2.1' }
}

function toDto(seq: number, input: AuditEventInput): AuditEventDto {
  const coding = codeAuditEvent(input)
  return {
    seq,
    occurredAt: new Date(Date.UTC(2026, 0, 5, 9, 0, seq)).toISOString(),
    eventType: input.type,
    eventCode: coding.eventCode,
    eventTypeCode: coding.eventTypeCode,
    action: coding.action,
    outcome: coding.outcome,
    ...contextFor(input.type),
    entities: coding.entities,
    details: coding.details,
    hash: createHash('sha256').update(`event ${seq}`).digest('hex'),
  }
}

const events: AuditEventDto[] = Object.values(inputs).map((input, index) => toDto(index + 1, input))

// R4 value sets and datatypes, written out from the specification.
const r4Actions = ['C', 'R', 'U', 'D', 'E']
const r4Outcomes = ['0', '4', '8', '12']
const r4Instant = /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/
const r4Id = /^[A-Za-z0-9\-.]{1,64}$/

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** FHIR JSON has no nulls, empty strings, empty arrays or empty objects (ele-1). */
function assertNoEmptyValues(value: unknown, path: string): void {
  assert.notEqual(value, null, `${path} is null`)
  assert.notEqual(value, '', `${path} is an empty string`)
  if (Array.isArray(value)) {
    assert.ok(value.length > 0, `${path} is an empty array`)
    value.forEach((item, index) => assertNoEmptyValues(item, `${path}[${index}]`))
  } else if (isObject(value)) {
    assert.ok(Object.keys(value).length > 0, `${path} is an empty object`)
    for (const [key, item] of Object.entries(value)) assertNoEmptyValues(item, `${path}.${key}`)
  }
}

function assertCoding(value: unknown, path: string): void {
  assert.ok(isObject(value), `${path} is one Coding, not a list`)
  assert.equal(typeof value.system, 'string', `${path}.system`)
  assert.equal(typeof value.code, 'string', `${path}.code`)
}

/** The R4 AuditEvent cardinalities and invariants that our mapping can break. */
function assertR4AuditEvent(resource: FhirAuditEvent): void {
  const label = resource.id
  assertNoEmptyValues(resource, label)
  assert.equal(resource.resourceType, 'AuditEvent')
  assert.match(resource.id, r4Id)
  assertCoding(resource.type, `${label}.type`) // 1..1
  resource.subtype.forEach((coding, index) => assertCoding(coding, `${label}.subtype[${index}]`))
  assert.match(resource.recorded, r4Instant, `${label}.recorded 1..1 instant`)
  assert.ok(r4Actions.includes(resource.action), `${label}.action ${resource.action}`)
  assert.ok(r4Outcomes.includes(resource.outcome), `${label}.outcome ${resource.outcome}`)

  assert.ok(Array.isArray(resource.agent) && resource.agent.length >= 1, `${label}.agent 1..*`)
  for (const agent of resource.agent) {
    assert.equal(typeof agent.requestor, 'boolean', `${label}.agent.requestor 1..1`)
    assert.ok(isObject(agent.who), `${label}.agent.who`)
    if (agent.network) assert.ok(['1', '2', '3', '4', '5'].includes(agent.network.type), `${label}.agent.network.type`)
  }

  assert.ok(isObject(resource.source), `${label}.source 1..1`)
  assert.ok(isObject(resource.source.observer), `${label}.source.observer 1..1`)
  resource.source.type.forEach((coding, index) => assertCoding(coding, `${label}.source.type[${index}]`))

  for (const entity of resource.entity) {
    assertCoding(entity.type, `${label}.entity.type`)
    assert.ok(!('name' in entity && 'query' in entity), `${label}.entity: sev-1, name or query, not both`)
    for (const detail of entity.detail ?? []) {
      assert.equal(typeof detail.type, 'string', `${label}.entity.detail.type 1..1`)
      const values = Object.keys(detail).filter((key) => key.startsWith('value'))
      assert.deepEqual(values, ['valueString'], `${label}.entity.detail.value[x] 1..1`)
    }
  }
}

describe('toFhirAuditEvent', () => {
  it('meets the R4 cardinalities and value sets for every event type', () => {
    assert.equal(events.length, Object.keys(inputs).length)
    for (const event of events) assertR4AuditEvent(toFhirAuditEvent(event))
  })

  it('survives a JSON round trip unchanged', () => {
    for (const event of events) {
      const resource = toFhirAuditEvent(event)
      assert.deepEqual(JSON.parse(JSON.stringify(resource)), resource)
    }
  })

  it('maps a login field by field', () => {
    const login = events.find((event) => event.eventType === 'login')!
    assert.deepEqual(toFhirAuditEvent(login), {
      resourceType: 'AuditEvent',
      id: `parallax-audit-${login.seq}`,
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' },
      subtype: [
        { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122', display: 'Login' },
        { system: 'urn:parallax:audit-event-type', code: 'login' },
      ],
      action: 'E',
      recorded: login.occurredAt,
      outcome: '0',
      agent: [
        {
          who: { identifier: { value: 'u-1' }, display: 'admin' },
          role: [{ text: 'admin' }],
          requestor: true,
          network: { address: '192.0.2.1', type: '2' },
        },
      ],
      source: {
        site: 'Parallax',
        observer: { display: 'Parallax' },
        type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
      },
      entity: [
        {
          type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
          description: 'audit-chain',
          detail: [
            { type: 'seq', valueString: String(login.seq) },
            { type: 'hash', valueString: login.hash },
            { type: 'username', valueString: 'rada' },
          ],
        },
      ],
    })
  })

  it('types a user entity as a Person and others as System Objects, keeping our entity type', () => {
    const roleChanged = toFhirAuditEvent(events.find((event) => event.eventType === 'role-changed')!)
    assert.deepEqual(roleChanged.entity[0], {
      what: { identifier: { value: 'u-42' } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
      description: 'user',
    })
    const opened = toFhirAuditEvent(events.find((event) => event.eventType === 'study-opened')!)
    assert.deepEqual(
      opened.entity.map((entity) => [entity.type.code, entity.description, entity.what?.identifier?.value]),
      [
        ['2', 'study', 'h-study'],
        ['2', 'series', 'h-s1'],
        ['2', 'series', 'h-s2'],
        ['2', 'audit-chain', undefined],
      ],
    )
  })

  it('records a failed login as the system plus the unauthenticated address that asked', () => {
    const failed = toFhirAuditEvent(events.find((event) => event.eventType === 'login-failed')!)
    assert.equal(failed.outcome, '4')
    assert.deepEqual(failed.agent, [
      { who: { display: 'Parallax' }, requestor: false },
      { who: { display: 'unauthenticated client' }, requestor: true, network: { address: '203.0.113.9', type: '2' } },
    ])
  })

  it('records an event with no actor and no address as the system alone', () => {
    const seeded = toFhirAuditEvent(events.find((event) => event.eventType === 'model-added')!)
    assert.deepEqual(seeded.agent, [{ who: { display: 'Parallax' }, requestor: false }])
    assert.deepEqual(seeded.subtype[0], { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110131', display: 'Software Configuration' })
  })

  it("codes a PACS token's issuance as IHE BALP codes IUA's Get Access Token", () => {
    const issued = toFhirAuditEvent(events.find((event) => event.eventType === 'pacs-token-issued')!)
    assert.deepEqual(issued.type, { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' })
    assert.deepEqual(issued.subtype[0], { system: 'urn:ihe:event-type-code', code: 'ITI-71', display: 'Get Access Token' })
    assert.equal(issued.action, 'E')
  })

  it('writes every detail value as a string, booleans and numbers included', () => {
    const configured = toFhirAuditEvent(events.find((event) => event.eventType === 'pacs-configured')!)
    const details = configured.entity.at(-1)!.detail!
    assert.deepEqual(
      details.find((detail) => detail.type === 'authHeader'),
      { type: 'authHeader', valueString: 'true' },
    )
    const run = toFhirAuditEvent(events.find((event) => event.eventType === 'inference-run')!)
    assert.deepEqual(
      run.entity.at(-1)!.detail!.find((detail) => detail.type === 'durationMs'),
      { type: 'durationMs', valueString: '812' },
    )
  })

  it('leaves out empty strings, which FHIR JSON does not allow', () => {
    const query = events.find((event) => event.eventType === 'study-query')!
    const resource = toFhirAuditEvent({ ...query, details: { ...query.details, filters: '' }, entities: [{ type: 'pacs', id: '' }] })
    assertR4AuditEvent(resource)
    assert.deepEqual(
      resource.entity.at(-1)!.detail!.map((detail) => detail.type),
      ['seq', 'hash', 'source', 'resultCount'],
    )
  })

  it('refuses stored codes outside the R4 value sets', () => {
    const login = events[0]!
    assert.throws(() => toFhirAuditEvent({ ...login, action: 'X' }), RangeError)
    assert.throws(() => toFhirAuditEvent({ ...login, outcome: 3 }), RangeError)
  })
})

describe('toFhirAuditBundle', () => {
  it('is a collection with one entry per event, in order, keyed by a UUID from the hash', () => {
    const bundle = toFhirAuditBundle(events, new Date(Date.UTC(2026, 0, 6)))
    assert.equal(bundle.resourceType, 'Bundle')
    assert.equal(bundle.type, 'collection')
    assert.equal(bundle.timestamp, '2026-01-06T00:00:00.000Z')
    assert.ok(!('total' in bundle), 'total is only for searchset and history bundles (bdl-1)')
    assert.deepEqual(
      bundle.entry.map((entry) => entry.resource.id),
      events.map((event) => `parallax-audit-${event.seq}`),
    )
    assert.deepEqual(
      bundle.entry.map((entry) => entry.fullUrl),
      events.map((event) => `urn:uuid:${uuidFromHash(event.hash)}`),
    )
    assert.equal(new Set(bundle.entry.map((entry) => entry.fullUrl)).size, events.length, 'fullUrls are unique (bdl-7)')
    assert.deepEqual(JSON.parse(JSON.stringify(bundle)), bundle)
  })
})

describe('uuidFromHash', () => {
  it('gives the same RFC 9562 version 8 UUID for the same hash', () => {
    const hash = 'ab'.repeat(32)
    assert.equal(uuidFromHash(hash), 'abababab-abab-8bab-abab-abababababab')
    assert.equal(uuidFromHash('f'.repeat(64)), 'ffffffff-ffff-8fff-bfff-ffffffffffff')
    assert.equal(uuidFromHash('0'.repeat(64)), '00000000-0000-8000-8000-000000000000')
  })

  it('refuses anything but a SHA-256 hex digest', () => {
    assert.throws(() => uuidFromHash('abc'), TypeError)
    assert.throws(() => uuidFromHash('G'.repeat(64)), TypeError)
  })
})
