import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalJson } from './canonical-json'
import { codeAuditEvent, type AuditCoding, type AuditEntity, type AuditEventInput, type AuditEventType } from './events'

// Expected codes are written out from DICOM PS3.16 (DCM coding scheme), not read back
// from the constants under test:
//   110101 Audit Log Used, 110113 Security Alert, 110114 User Authentication,
//   110122 Login, 110123 Logout, 110132 Use of Restricted Function,
//   110136 Security Roles Changed, 110137 User Security Attributes Changed,
//   110128 Network Configuration, 110133 Audit Recording Stopped, 110111 Procedure Record (a read is the report on a study);
//   ITI-71 Get Access Token (IHE, as BALP codes IUA's token issuance).
//   A read viewed is 110111 read; a checkpoint signed on request reads the trail, 110101 read.
const target = { targetUserId: 'u-42', targetUsername: 'rada' }
const readRef = { id: 'r-1', studyUidHash: 'h-study', version: 1 }
const readEntities: AuditEntity[] = [
  { type: 'read', id: 'r-1' },
  { type: 'study', id: 'h-study' },
]
const aiFinding = { id: 'f-1', read: readRef, label: 'Lung nodule', origin: 'ai' as const, modelId: 'lesion-seg-2d' }
const aiFindingEntities: AuditEntity[] = [{ type: 'finding', id: 'f-1' }, ...readEntities, { type: 'model', id: 'lesion-seg-2d' }]

const cases: { event: AuditEventInput; expect: AuditCoding }[] = [
  {
    event: { type: 'login', username: 'rada' },
    expect: { eventCode: '110114', eventTypeCode: '110122', action: 'E', outcome: 0, entities: [], details: { username: 'rada' } },
  },
  {
    event: { type: 'login-failed', username: 'rada', reason: 'throttled' },
    expect: { eventCode: '110114', eventTypeCode: '110122', action: 'E', outcome: 4, entities: [], details: { username: 'rada', reason: 'throttled' } },
  },
  {
    event: { type: 'sso-login', username: 'rhea@idp.example', issuer: 'https://idp.example', role: 'radiologist' },
    expect: {
      eventCode: '110114',
      eventTypeCode: '110122',
      action: 'E',
      outcome: 0,
      entities: [],
      details: { username: 'rhea@idp.example', method: 'oidc', issuer: 'https://idp.example', role: 'radiologist' },
    },
  },
  {
    event: { type: 'sso-login-failed', issuer: 'https://idp.example', reason: 'no-role', subject: 'sub-7', username: 'nora@idp.example' },
    expect: {
      eventCode: '110114',
      eventTypeCode: '110122',
      action: 'E',
      outcome: 4,
      entities: [],
      details: { method: 'oidc', issuer: 'https://idp.example', reason: 'no-role', subject: 'sub-7', username: 'nora@idp.example' },
    },
  },
  {
    event: { type: 'logout' },
    expect: { eventCode: '110114', eventTypeCode: '110123', action: 'E', outcome: 0, entities: [], details: {} },
  },
  {
    event: { type: 'access-denied', resource: '/api/users', method: 'POST' },
    expect: {
      eventCode: '110113',
      eventTypeCode: '110132',
      action: 'E',
      outcome: 4,
      entities: [{ type: 'resource', id: '/api/users' }],
      details: { method: 'POST' },
    },
  },
  {
    event: { type: 'user-created', ...target, role: 'researcher' },
    expect: {
      eventCode: '110113',
      eventTypeCode: '110137',
      action: 'C',
      outcome: 0,
      entities: [{ type: 'user', id: 'u-42' }],
      details: { username: 'rada', role: 'researcher' },
    },
  },
  {
    event: { type: 'role-changed', ...target, from: 'researcher', to: 'admin' },
    expect: {
      eventCode: '110113',
      eventTypeCode: '110136',
      action: 'U',
      outcome: 0,
      entities: [{ type: 'user', id: 'u-42' }],
      details: { username: 'rada', from: 'researcher', to: 'admin' },
    },
  },
  {
    event: { type: 'user-disabled', ...target },
    expect: { eventCode: '110113', eventTypeCode: '110137', action: 'U', outcome: 0, entities: [{ type: 'user', id: 'u-42' }], details: { username: 'rada' } },
  },
  {
    event: { type: 'user-enabled', ...target },
    expect: { eventCode: '110113', eventTypeCode: '110137', action: 'U', outcome: 0, entities: [{ type: 'user', id: 'u-42' }], details: { username: 'rada' } },
  },
  {
    event: { type: 'password-reset', ...target },
    expect: { eventCode: '110113', eventTypeCode: '110137', action: 'U', outcome: 0, entities: [{ type: 'user', id: 'u-42' }], details: { username: 'rada' } },
  },
  {
    event: { type: 'audit-log-viewed', view: 'verification' },
    expect: { eventCode: '110101', eventTypeCode: null, action: 'R', outcome: 0, entities: [], details: { view: 'verification' } },
  },
  {
    event: { type: 'audit-events-limited', scope: 'address', eventType: 'login-failed' },
    expect: { eventCode: '110113', eventTypeCode: '110133', action: 'E', outcome: 4, entities: [], details: { scope: 'address', eventType: 'login-failed' } },
  },
  {
    event: { type: 'audit-checkpoint-requested' },
    expect: { eventCode: '110101', eventTypeCode: null, action: 'R', outcome: 0, entities: [], details: { use: 'checkpoint' } },
  },
  {
    event: { type: 'read-viewed', reads: [readRef, { ...readRef, id: 'r-2', version: 2 }] },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'R',
      outcome: 0,
      entities: [
        { type: 'read', id: 'r-1' },
        { type: 'read', id: 'r-2' },
        { type: 'study', id: 'h-study' },
      ],
      details: { readVersions: '1,2' },
    },
  },
  {
    event: { type: 'study-opened', source: 'local', studyUidHash: 'h-study', seriesUidHashes: ['h-s1', 'h-s2'], instanceCount: 275 },
    expect: {
      eventCode: '110103',
      eventTypeCode: null,
      action: 'R',
      outcome: 0,
      entities: [
        { type: 'study', id: 'h-study' },
        { type: 'series', id: 'h-s1' },
        { type: 'series', id: 'h-s2' },
      ],
      details: { source: 'local', instanceCount: 275 },
    },
  },
  {
    event: { type: 'study-query', source: 'dicomweb', pacsId: 'pacs-1', filterKeys: ['patientName', 'modality'], resultCount: 3 },
    expect: {
      eventCode: '110112',
      eventTypeCode: null,
      action: 'E',
      outcome: 0,
      entities: [{ type: 'pacs', id: 'pacs-1' }],
      details: { source: 'dicomweb', filters: 'patientName,modality', resultCount: 3 },
    },
  },
  {
    event: {
      type: 'pacs-configured',
      change: 'created',
      pacsId: 'p-1',
      name: 'Main PACS',
      qidoRoot: 'https://pacs.example/dicom-web',
      wadoRoot: 'https://pacs.example/dicom-web',
      hasAuthHeader: true,
      changedFields: ['name', 'qidoRoot', 'wadoRoot', 'authHeader'],
    },
    expect: {
      eventCode: '110113',
      eventTypeCode: '110128',
      action: 'C',
      outcome: 0,
      entities: [{ type: 'pacs', id: 'p-1' }],
      details: {
        name: 'Main PACS',
        qidoRoot: 'https://pacs.example/dicom-web',
        wadoRoot: 'https://pacs.example/dicom-web',
        authHeader: true,
        changed: 'name,qidoRoot,wadoRoot,authHeader',
      },
    },
  },
  {
    event: {
      type: 'pacs-configured',
      change: 'updated',
      pacsId: 'p-1',
      name: 'Main PACS',
      qidoRoot: 'https://pacs.example/dicom-web',
      wadoRoot: 'https://pacs.example/wado',
      hasAuthHeader: false,
      changedFields: ['wadoRoot', 'authHeader'],
    },
    expect: {
      eventCode: '110113',
      eventTypeCode: '110128',
      action: 'U',
      outcome: 0,
      entities: [{ type: 'pacs', id: 'p-1' }],
      details: {
        name: 'Main PACS',
        qidoRoot: 'https://pacs.example/dicom-web',
        wadoRoot: 'https://pacs.example/wado',
        authHeader: false,
        changed: 'wadoRoot,authHeader',
      },
    },
  },
  {
    event: { type: 'pacs-removed', pacsId: 'p-1', name: 'Main PACS' },
    expect: { eventCode: '110113', eventTypeCode: '110128', action: 'D', outcome: 0, entities: [{ type: 'pacs', id: 'p-1' }], details: { name: 'Main PACS' } },
  },
  {
    event: { type: 'pacs-token-issued', pacsId: 'p-1', scope: 'read write', tokenId: 't-1', expiresAt: '2026-01-02T03:09:05.000Z' },
    expect: {
      eventCode: '110114',
      eventTypeCode: 'ITI-71',
      action: 'E',
      outcome: 0,
      entities: [{ type: 'pacs', id: 'p-1' }],
      details: { scope: 'read write', tokenId: 't-1', expiresAt: '2026-01-02T03:09:05.000Z' },
    },
  },
  {
    event: { type: 'model-added', model: { id: 'brain-tissue-3class', version: '1.0.0', sha256: 'a'.repeat(64) }, via: 'cli' },
    expect: {
      eventCode: '110113',
      eventTypeCode: '110131',
      action: 'C',
      outcome: 0,
      entities: [{ type: 'model', id: 'brain-tissue-3class' }],
      details: { version: '1.0.0', sha256: 'a'.repeat(64), via: 'cli' },
    },
  },
  {
    event: {
      type: 'inference-run',
      model: { id: 'brain-tissue-3class', version: '1.0.0', sha256: 'b'.repeat(64) },
      seriesUidHash: 'h-series',
      executionProvider: 'wasm',
      durationMs: 1234.6,
      outcome: 'failed',
      error: 'out of memory',
    },
    expect: {
      eventCode: '110103',
      eventTypeCode: null,
      action: 'E',
      outcome: 8,
      entities: [
        { type: 'series', id: 'h-series' },
        { type: 'model', id: 'brain-tissue-3class' },
      ],
      details: { modelVersion: '1.0.0', modelSha256: 'b'.repeat(64), executionProvider: 'wasm', durationMs: 1235, result: 'failed', error: 'out of memory' },
    },
  },
  {
    event: {
      type: 'seg-exported',
      destination: 'pacs',
      pacsId: 'pacs-1',
      studyUidHash: 'h-study',
      seriesUidHash: 'h-series',
      segSopInstanceUid: '2.25.1234',
      sha256: 'c'.repeat(64),
      segmentCount: 2,
    },
    expect: {
      eventCode: '110106',
      eventTypeCode: null,
      action: 'R',
      outcome: 0,
      entities: [
        { type: 'study', id: 'h-study' },
        { type: 'series', id: 'h-series' },
        { type: 'pacs', id: 'pacs-1' },
      ],
      details: { destination: 'pacs', segSopInstanceUid: '2.25.1234', sha256: 'c'.repeat(64), segmentCount: 2, pacsId: 'pacs-1' },
    },
  },
  {
    event: { type: 'audit-log-exported', format: 'fhir', eventCount: 12, filters: ['user', 'from'] },
    expect: { eventCode: '110106', eventTypeCode: null, action: 'R', outcome: 0, entities: [], details: { format: 'fhir', eventCount: 12, filters: 'user,from' } },
  },
  {
    event: {
      type: 'finding-proposed',
      finding: aiFinding,
      model: { id: 'lesion-seg-2d', version: '1.0.0', sha256: 'c'.repeat(64) },
      probability: 0.93,
      executionProvider: 'webgpu',
      explanationMethod: 'cam',
    },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'C',
      outcome: 0,
      entities: aiFindingEntities,
      details: {
        readVersion: 1,
        label: 'Lung nodule',
        origin: 'ai',
        modelVersion: '1.0.0',
        modelSha256: 'c'.repeat(64),
        probability: 0.93,
        executionProvider: 'webgpu',
        explanationMethod: 'cam',
      },
    },
  },
  {
    event: { type: 'finding-accepted', finding: aiFinding },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'U',
      outcome: 0,
      entities: aiFindingEntities,
      details: { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'accepted' },
    },
  },
  {
    event: { type: 'finding-modified', finding: aiFinding, changed: ['label', 'measurementMm'], from: 'Lung nodule, 12.0 mm' },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'U',
      outcome: 0,
      entities: aiFindingEntities,
      details: { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'modified', changed: 'label,measurementMm', from: 'Lung nodule, 12.0 mm' },
    },
  },
  {
    event: { type: 'finding-rejected', finding: aiFinding, reason: 'artifact', note: 'motion' },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'U',
      outcome: 0,
      entities: aiFindingEntities,
      details: { readVersion: 1, label: 'Lung nodule', origin: 'ai', decision: 'rejected', reason: 'artifact', note: 'motion' },
    },
  },
  {
    event: { type: 'finding-added', finding: { ...aiFinding, id: 'f-2', origin: 'reader', modelId: null } },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'C',
      outcome: 0,
      entities: [
        { type: 'finding', id: 'f-2' },
        { type: 'read', id: 'r-1' },
        { type: 'study', id: 'h-study' },
      ],
      details: { readVersion: 1, label: 'Lung nodule', origin: 'reader', decision: 'added' },
    },
  },
  {
    event: { type: 'model-result-recorded', read: readRef, model: { id: 'lesion-seg-2d', version: '1.0.0', sha256: 'c'.repeat(64) }, executionProvider: 'wasm', findingCount: 0 },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'C',
      outcome: 0,
      entities: [...readEntities, { type: 'model', id: 'lesion-seg-2d' }],
      details: { readVersion: 1, modelVersion: '1.0.0', modelSha256: 'c'.repeat(64), executionProvider: 'wasm', findingCount: 0 },
    },
  },
  {
    event: { type: 'read-opened', read: readRef, purpose: 'clinical' },
    expect: { eventCode: '110111', eventTypeCode: null, action: 'C', outcome: 0, entities: readEntities, details: { readVersion: 1, purpose: 'clinical' } },
  },
  {
    event: { type: 'read-signed', read: readRef, meaning: 'review', contentHash: 'd'.repeat(64), findingCount: 4 },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'U',
      outcome: 0,
      entities: readEntities,
      details: { readVersion: 1, meaning: 'review', contentHash: 'd'.repeat(64), findingCount: 4 },
    },
  },
  {
    event: { type: 'read-sign-refused', read: readRef, reason: 'bad-password' },
    expect: { eventCode: '110111', eventTypeCode: null, action: 'U', outcome: 4, entities: readEntities, details: { readVersion: 1, reason: 'bad-password' } },
  },
  {
    event: { type: 'read-sign-refused', read: readRef, reason: 'content-changed' },
    expect: { eventCode: '110111', eventTypeCode: null, action: 'U', outcome: 4, entities: readEntities, details: { readVersion: 1, reason: 'content-changed' } },
  },
  {
    event: { type: 'read-amended', read: { ...readRef, id: 'r-2', version: 2 }, amends: 'r-1', reason: 'size corrected' },
    expect: {
      eventCode: '110111',
      eventTypeCode: null,
      action: 'C',
      outcome: 0,
      entities: [
        { type: 'read', id: 'r-2' },
        { type: 'study', id: 'h-study' },
      ],
      details: { readVersion: 2, amends: 'r-1', reason: 'size corrected' },
    },
  },
  {
    event: { type: 'read-exported', read: readRef, format: 'dicom-sr', destination: 'pacs', pacsId: 'p-1' },
    expect: {
      eventCode: '110106',
      eventTypeCode: null,
      action: 'R',
      outcome: 0,
      entities: readEntities,
      details: { readVersion: 1, format: 'dicom-sr', destination: 'pacs', pacsId: 'p-1' },
    },
  },
]

// Annotation projects: 110111 for the project's records, 110103 for opening a study to
// annotate, 110106 for a SEG exported.
const project = { id: 'p-1' }
const projectEntity: AuditEntity = { type: 'project', id: 'p-1' }
const studyEntity: AuditEntity = { type: 'study', id: 'h-study' }
const segEntity: AuditEntity = { type: 'seg', id: 'h-seg' }
const segSha256 = 'e'.repeat(64)
const procedure = (action: AuditCoding['action'], entities: AuditEntity[], details: AuditCoding['details']): AuditCoding => ({
  eventCode: '110111',
  eventTypeCode: null,
  action,
  outcome: 0,
  entities: [projectEntity, ...entities],
  details,
})
cases.push(
  { event: { type: 'annotation-project-created', project, segmentCount: 2 }, expect: procedure('C', [], { segmentCount: 2 }) },
  { event: { type: 'annotation-project-updated', project, changed: ['name', 'status'] }, expect: procedure('U', [], { changed: 'name,status' }) },
  { event: { type: 'annotation-studies-added', project, studyUidHashes: ['h-study'], scored: 1 }, expect: procedure('U', [studyEntity], { studyCount: 1, scored: 1 }) },
  {
    event: {
      type: 'annotation-annotators-added',
      project,
      annotators: [
        { userId: 'u-7', role: 'annotator' },
        { userId: 'u-8', role: 'manager' },
      ],
    },
    expect: procedure(
      'U',
      [
        { type: 'user', id: 'u-7' },
        { type: 'user', id: 'u-8' },
      ],
      { roles: 'annotator,manager' },
    ),
  },
  {
    event: { type: 'annotation-tasks-assigned', project, annotatorIds: ['u-7'], studyUidHashes: ['h-study'], taskCount: 1 },
    expect: procedure('C', [{ type: 'user', id: 'u-7' }, studyEntity], { taskCount: 1 }),
  },
  {
    event: { type: 'annotation-study-opened', project, taskId: 't-1', studyUidHash: 'h-study' },
    expect: { eventCode: '110103', eventTypeCode: null, action: 'R', outcome: 0, entities: [studyEntity, projectEntity, { type: 'task', id: 't-1' }], details: {} },
  },
  {
    event: { type: 'annotation-submitted', project, taskId: 't-1', studyUidHash: 'h-study', segUidHash: 'h-seg', segSha256, segmentCount: 2 },
    expect: procedure('C', [{ type: 'task', id: 't-1' }, studyEntity, segEntity], { segSha256, segmentCount: 2 }),
  },
  {
    event: { type: 'annotation-seg-exported', project, studyUidHash: 'h-study', segUidHash: 'h-seg', segSha256, kind: 'consensus', destination: 'pacs', pacsId: 'p-1' },
    expect: { ...procedure('R', [studyEntity, segEntity], { format: 'dicom-seg', kind: 'consensus', segSha256, destination: 'pacs', pacsId: 'p-1' }), eventCode: '110106' },
  },
  {
    event: { type: 'agreement-computed', project, recordCount: 4, studyUidHashes: ['h-study'], segmentNumbers: [1, 2] },
    expect: procedure('C', [studyEntity], { recordCount: 4, segments: '1,2' }),
  },
  {
    event: { type: 'consensus-made', project, studyUidHash: 'h-study', method: 'majority', submissionCount: 3, segUidHash: 'h-seg', segSha256 },
    expect: procedure('C', [studyEntity, segEntity], { method: 'majority', submissionCount: 3, segSha256 }),
  },
)

describe('codeAuditEvent', () => {
  for (const { event, expect } of cases) {
    it(`codes ${event.type} as ${expect.eventCode}/${expect.eventTypeCode ?? '-'}`, () => {
      assert.deepEqual(codeAuditEvent(event), expect)
    })
  }

  it('covers every event type in the union (this table included)', () => {
    // A compile-time list: adding a type to AuditEventInput without listing it here fails
    // to type-check, and leaving it out of `cases` fails below.
    const allTypes: Record<AuditEventType, true> = {
      login: true,
      'login-failed': true,
      logout: true,
      'sso-login': true,
      'sso-login-failed': true,
      'access-denied': true,
      'user-created': true,
      'role-changed': true,
      'user-disabled': true,
      'user-enabled': true,
      'password-reset': true,
      'audit-log-viewed': true,
      'study-opened': true,
      'study-query': true,
      'pacs-configured': true,
      'pacs-removed': true,
      'pacs-token-issued': true,
      'model-added': true,
      'inference-run': true,
      'audit-log-exported': true,
      'model-result-recorded': true,
      'finding-proposed': true,
      'finding-accepted': true,
      'finding-modified': true,
      'finding-rejected': true,
      'finding-added': true,
      'read-opened': true,
      'read-signed': true,
      'read-sign-refused': true,
      'read-viewed': true,
      'audit-checkpoint-requested': true,
      'audit-events-limited': true,
      'read-amended': true,
      'read-exported': true,
      'annotation-project-created': true,
      'annotation-project-updated': true,
      'annotation-studies-added': true,
      'annotation-annotators-added': true,
      'annotation-tasks-assigned': true,
      'annotation-study-opened': true,
      'annotation-submitted': true,
      'annotation-seg-exported': true,
      'agreement-computed': true,
      'consensus-made': true,
      'seg-exported': true,
    }
    assert.deepEqual(new Set(cases.map((entry) => entry.event.type)), new Set(Object.keys(allTypes)))
  })

  it('produces entities and details that canonicalJson accepts', () => {
    for (const { event } of cases) {
      const coding = codeAuditEvent(event)
      assert.doesNotThrow(() => canonicalJson(coding.entities), event.type)
      assert.doesNotThrow(() => canonicalJson(coding.details), event.type)
    }
  })

  it('uses only DICOM EventOutcomeIndicator and EventActionCode values', () => {
    for (const { event } of cases) {
      const coding = codeAuditEvent(event)
      assert.ok([0, 4, 8, 12].includes(coding.outcome), event.type)
      assert.ok(['C', 'R', 'U', 'D', 'E'].includes(coding.action), event.type)
    }
  })

  it('refuses an event type outside the union at runtime', () => {
    assert.throws(() => codeAuditEvent({ type: 'made-up' } as unknown as AuditEventInput), /Unhandled case/)
  })
})
