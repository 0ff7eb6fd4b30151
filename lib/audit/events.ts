import type { Role } from '../vocabulary/roles'
import { exhaustiveSwitchError } from '../errors'

// Audit event vocabulary, after DICOM PS3.15 Annex A.5 (audit messages) and the DCM
// coding scheme. Event types are a closed union: adding one means adding its coding here.

export const eventCodes = {
  userAuthentication: '110114',
  securityAlert: '110113',
  auditLogUsed: '110101',
  instancesAccessed: '110103',
  query: '110112',
  procedureRecord: '110111',
  export: '110106',
} as const

export const eventTypeCodes = {
  login: '110122',
  logout: '110123',
  useOfRestrictedFunction: '110132',
  auditRecordingStopped: '110133',
  securityRolesChanged: '110136',
  userSecurityAttributesChanged: '110137',
  networkConfiguration: '110128',
  softwareConfiguration: '110131',
  /**
   * IHE's code (urn:ihe:event-type-code), not DCM: issuing an access token is audited as IHE
   * BALP audits IUA's Get Access Token [ITI-71], 110114 User Authentication with this subtype.
   */
  getAccessToken: 'ITI-71',
} as const

/** EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export type AuditOutcome = 0 | 4 | 8 | 12

/** EventActionCode: Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E'

export type LoginFailureReason = 'bad-credentials' | 'disabled' | 'throttled'

/**
 * Why a single sign-on was refused: the IdP's claims grant no Parallax role, the account
 * is disabled here, or the exchange with the IdP failed (the user cancelled, a state or
 * PKCE mismatch, an invalid token).
 */
export type SsoFailureReason = 'no-role' | 'disabled' | 'idp-error'

export type AuditEventInput =
  | { type: 'login'; username: string }
  | { type: 'login-failed'; username: string; reason: LoginFailureReason }
  | { type: 'logout' }
  /** A sign-in through the OpenID provider; the account's role as the IdP's claims set it. */
  | { type: 'sso-login'; username: string; issuer: string; role: Role }
  /** Subject and username only once the IdP has said who signed in; `error` an OAuth error code. */
  | { type: 'sso-login-failed'; issuer: string; reason: SsoFailureReason; subject?: string; username?: string; error?: string }
  | { type: 'access-denied'; resource: string; method: string }
  | { type: 'user-created'; targetUserId: string; targetUsername: string; role: Role }
  | { type: 'role-changed'; targetUserId: string; targetUsername: string; from: Role; to: Role }
  | { type: 'user-disabled'; targetUserId: string; targetUsername: string }
  | { type: 'user-enabled'; targetUserId: string; targetUsername: string }
  | { type: 'password-reset'; targetUserId: string; targetUsername: string }
  | { type: 'audit-log-viewed'; view: 'events' | 'verification' | 'statistics' }
  /**
   * Events held back by the flood limits (lib/audit/flood-limits.server.ts): the first of a
   * burst from one user (reported events refused), one address or all anonymous requests
   * (their events not written).
   */
  | { type: 'audit-events-limited'; scope: 'user' | 'address' | 'anonymous'; eventType: AuditEventType }
  /** Checkpoints signed on request (besides the periodic ones): recorded first, so the checkpoint covers it. */
  | { type: 'audit-checkpoint-requested' }
  /** The audit trail (a filtered part of it) exported for review elsewhere. */
  | { type: 'audit-log-exported'; format: 'csv' | 'fhir'; eventCount: number; filters: string[] }
  /** Second reads: every action on a finding or a read, in the transaction that makes it. */
  /** A model's result on a read's study: how many findings it proposed (none is the AI's negative call). */
  | { type: 'model-result-recorded'; read: ReadReference; model: ModelReference; executionProvider: 'webgpu' | 'wasm'; findingCount: number }
  | {
      type: 'finding-proposed'
      finding: FindingReference
      model: ModelReference
      probability: number | null
      executionProvider: 'webgpu' | 'wasm'
      explanationMethod: string | null
    }
  | { type: 'finding-accepted'; finding: FindingReference }
  | { type: 'finding-modified'; finding: FindingReference; changed: string[]; from: string }
  | { type: 'finding-rejected'; finding: FindingReference; reason: string; note: string | null }
  | { type: 'finding-added'; finding: FindingReference }
  /** A reader's read of a study begun (clinical or research). */
  | { type: 'read-opened'; read: ReadReference; purpose: 'clinical' | 'research' }
  /** Reads of one study shown to a user (one read, or the study's reads): the record was accessed. */
  | { type: 'read-viewed'; reads: ReadReference[] }
  | { type: 'read-signed'; read: ReadReference; meaning: string; contentHash: string; findingCount: number }
  /** A signature refused: wrong password, the read not the signer's to sign, or changed after the signer was shown it. */
  | { type: 'read-sign-refused'; read: ReadReference; reason: 'bad-password' | 'not-reader' | 'pending-findings' | 'not-open' | 'content-changed' }
  | { type: 'read-amended'; read: ReadReference; amends: string; reason: string }
  /** A signed read exported (DICOM SR download, or stored to a PACS with STOW-RS). */
  | { type: 'read-exported'; read: ReadReference; format: 'dicom-sr'; destination: 'download' | 'pacs'; pacsId?: string }
  /** Annotation projects: each change in the transaction that makes it; study and SEG UIDs hashed. */
  | { type: 'annotation-project-created'; project: ProjectReference; segmentCount: number }
  | { type: 'annotation-project-updated'; project: ProjectReference; changed: string[] }
  /** Studies added to a project (or their queue scores given again). */
  | { type: 'annotation-studies-added'; project: ProjectReference; studyUidHashes: string[]; scored: number }
  | { type: 'annotation-annotators-added'; project: ProjectReference; annotators: { userId: string; role: string }[] }
  /** Tasks given to annotators, one per annotator and study. */
  | { type: 'annotation-tasks-assigned'; project: ProjectReference; annotatorIds: string[]; studyUidHashes: string[]; taskCount: number }
  /** An annotator opened a study of their queue to annotate it: the images were accessed. */
  | { type: 'annotation-study-opened'; project: ProjectReference; taskId: string; studyUidHash: string }
  | { type: 'annotation-submitted'; project: ProjectReference; taskId: string; studyUidHash: string; segUidHash: string; segSha256: string; segmentCount: number }
  /** A DICOM SEG made for a project (an annotation or a consensus), downloaded or stored to a PACS with STOW-RS. */
  | {
      type: 'annotation-seg-exported'
      project: ProjectReference
      studyUidHash: string
      segUidHash: string
      segSha256: string
      kind: 'annotation' | 'consensus'
      destination: 'download' | 'pacs'
      pacsId?: string
    }
  /** Agreement between annotators computed in the browser; its numbers recorded. */
  | { type: 'agreement-computed'; project: ProjectReference; recordCount: number; studyUidHashes: string[]; segmentNumbers: number[] }
  | { type: 'consensus-made'; project: ProjectReference; studyUidHash: string; method: 'staple' | 'majority'; submissionCount: number; segUidHash: string; segSha256: string }
  /**
   * A DICOM SEG made in the browser and downloaded or stored to a PACS (STOW-RS, browser →
   * PACS): the SEG's own SOP Instance UID and SHA-256, the segmented study and series
   * (hashed), how many segments; never the mask.
   */
  | {
      type: 'seg-exported'
      destination: 'download' | 'pacs'
      pacsId?: string
      studyUidHash: string
      seriesUidHash: string
      segSopInstanceUid: string
      sha256: string
      segmentCount: number
    }
  /** A DICOMweb server added or changed; it also widens the CSP. The auth header value is never recorded. */
  | {
      type: 'pacs-configured'
      change: 'created' | 'updated'
      pacsId: string
      name: string
      qidoRoot: string
      wadoRoot: string
      hasAuthHeader: boolean
      changedFields: string[]
    }
  | { type: 'pacs-removed'; pacsId: string; name: string }
  /** A PACS access token issued to the actor (never the token itself): which PACS, what scope, until when. */
  | { type: 'pacs-token-issued'; pacsId: string; scope: 'read' | 'read write'; tokenId: string; expiresAt: string }
  /** Study and series UIDs arrive here already salted and hashed (see identifiers.server.ts). */
  | { type: 'study-opened'; source: StudySource; studyUidHash: string; seriesUidHashes: string[]; instanceCount: number }
  | { type: 'study-query'; source: 'dicomweb'; pacsId: string; filterKeys: string[]; resultCount: number }
  /** A model registered (its file added); who added it and which bytes (SHA-256). */
  | { type: 'model-added'; model: ModelReference; via: ModelAddedVia }
  /**
   * A model run in the user's browser on a series (hashed UID): which model and bytes,
   * where it ran (execution provider), how long, and whether it succeeded.
   */
  | {
      type: 'inference-run'
      model: ModelReference
      seriesUidHash: string
      executionProvider: 'webgpu' | 'wasm'
      durationMs: number
      outcome: 'success' | 'failed' | 'cancelled'
      error?: string
    }

export type AuditEventType = AuditEventInput['type']

/** How a model file reached the registry: the CLI, an admin (upload or URL), or the demo seed from the shared data folder. */
export type ModelAddedVia = 'cli' | 'admin-upload' | 'admin-url' | 'demo-seed'

export interface ModelReference {
  id: string
  version: string
  sha256: string
}

export type StudySource = 'local' | 'dicomweb'

/** A read as the audit trail names it: its id and the hashed study UID. */
export interface ReadReference {
  id: string
  studyUidHash: string
  version: number
}

/** An annotation project as the audit trail names it. */
export interface ProjectReference {
  id: string
}

export interface FindingReference {
  id: string
  read: ReadReference
  label: string
  origin: 'ai' | 'reader'
  modelId: string | null
}

export interface AuditActor {
  id: string
  username: string
  role: Role
}

export interface AuditEntity {
  type: 'user' | 'resource' | 'study' | 'series' | 'pacs' | 'model' | 'read' | 'finding' | 'project' | 'task' | 'seg'
  id: string
}

export interface AuditCoding {
  eventCode: string
  eventTypeCode: string | null
  action: AuditAction
  outcome: AuditOutcome
  entities: AuditEntity[]
  details: Record<string, string | number | boolean>
}

export function codeAuditEvent(event: AuditEventInput): AuditCoding {
  const user = (id: string): AuditEntity[] => [{ type: 'user', id }]
  switch (event.type) {
    case 'login':
      return { eventCode: eventCodes.userAuthentication, eventTypeCode: eventTypeCodes.login, action: 'E', outcome: 0, entities: [], details: { username: event.username } }
    case 'login-failed':
      return {
        eventCode: eventCodes.userAuthentication,
        eventTypeCode: eventTypeCodes.login,
        action: 'E',
        outcome: 4,
        entities: [],
        details: { username: event.username, reason: event.reason },
      }
    case 'sso-login':
      return {
        eventCode: eventCodes.userAuthentication,
        eventTypeCode: eventTypeCodes.login,
        action: 'E',
        outcome: 0,
        entities: [],
        details: { username: event.username, method: 'oidc', issuer: event.issuer, role: event.role },
      }
    case 'sso-login-failed':
      return {
        eventCode: eventCodes.userAuthentication,
        eventTypeCode: eventTypeCodes.login,
        action: 'E',
        outcome: 4,
        entities: [],
        details: {
          method: 'oidc',
          issuer: event.issuer,
          reason: event.reason,
          ...(event.subject ? { subject: event.subject } : {}),
          ...(event.username ? { username: event.username } : {}),
          ...(event.error ? { error: event.error } : {}),
        },
      }
    case 'logout':
      return { eventCode: eventCodes.userAuthentication, eventTypeCode: eventTypeCodes.logout, action: 'E', outcome: 0, entities: [], details: {} }
    case 'access-denied':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.useOfRestrictedFunction,
        action: 'E',
        outcome: 4,
        entities: [{ type: 'resource', id: event.resource }],
        details: { method: event.method },
      }
    case 'user-created':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.userSecurityAttributesChanged,
        action: 'C',
        outcome: 0,
        entities: user(event.targetUserId),
        details: { username: event.targetUsername, role: event.role },
      }
    case 'role-changed':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.securityRolesChanged,
        action: 'U',
        outcome: 0,
        entities: user(event.targetUserId),
        details: { username: event.targetUsername, from: event.from, to: event.to },
      }
    case 'user-disabled':
    case 'user-enabled':
    case 'password-reset':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.userSecurityAttributesChanged,
        action: 'U',
        outcome: 0,
        entities: user(event.targetUserId),
        details: { username: event.targetUsername },
      }
    case 'study-opened':
      return {
        eventCode: eventCodes.instancesAccessed,
        eventTypeCode: null,
        action: 'R',
        outcome: 0,
        entities: [{ type: 'study', id: event.studyUidHash }, ...event.seriesUidHashes.map((id): AuditEntity => ({ type: 'series', id }))],
        details: { source: event.source, instanceCount: event.instanceCount },
      }
    case 'study-query':
      return {
        eventCode: eventCodes.query,
        eventTypeCode: null,
        action: 'E',
        outcome: 0,
        entities: [{ type: 'pacs', id: event.pacsId }],
        // Which fields were searched, never the values (they can be patient names or IDs).
        details: { source: event.source, filters: event.filterKeys.join(','), resultCount: event.resultCount },
      }
    case 'pacs-configured':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.networkConfiguration,
        action: event.change === 'created' ? 'C' : 'U',
        outcome: 0,
        entities: [{ type: 'pacs', id: event.pacsId }],
        details: {
          name: event.name,
          qidoRoot: event.qidoRoot,
          wadoRoot: event.wadoRoot,
          authHeader: event.hasAuthHeader,
          changed: event.changedFields.join(','),
        },
      }
    case 'pacs-removed':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.networkConfiguration,
        action: 'D',
        outcome: 0,
        entities: [{ type: 'pacs', id: event.pacsId }],
        details: { name: event.name },
      }
    case 'pacs-token-issued':
      return {
        eventCode: eventCodes.userAuthentication,
        eventTypeCode: eventTypeCodes.getAccessToken,
        action: 'E',
        outcome: 0,
        entities: [{ type: 'pacs', id: event.pacsId }],
        details: { scope: event.scope, tokenId: event.tokenId, expiresAt: event.expiresAt },
      }
    case 'model-added':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.softwareConfiguration,
        action: 'C',
        outcome: 0,
        entities: [{ type: 'model', id: event.model.id }],
        details: { version: event.model.version, sha256: event.model.sha256, via: event.via },
      }
    case 'inference-run':
      return {
        eventCode: eventCodes.instancesAccessed,
        eventTypeCode: null,
        action: 'E',
        // A cancelled run is the user's choice, not a failure of the system.
        outcome: event.outcome === 'failed' ? 8 : event.outcome === 'cancelled' ? 4 : 0,
        entities: [
          { type: 'series', id: event.seriesUidHash },
          { type: 'model', id: event.model.id },
        ],
        details: {
          modelVersion: event.model.version,
          modelSha256: event.model.sha256,
          executionProvider: event.executionProvider,
          durationMs: Math.round(event.durationMs),
          result: event.outcome,
          ...(event.error ? { error: event.error } : {}),
        },
      }
    case 'audit-log-exported':
      return {
        eventCode: eventCodes.export,
        eventTypeCode: null,
        action: 'R',
        outcome: 0,
        entities: [],
        details: { format: event.format, eventCount: event.eventCount, filters: event.filters.join(',') },
      }
    case 'model-result-recorded':
      return {
        ...readCoding('C', 0, event.read, {
          modelVersion: event.model.version,
          modelSha256: event.model.sha256,
          executionProvider: event.executionProvider,
          findingCount: event.findingCount,
        }),
        entities: [...readEntities(event.read), { type: 'model', id: event.model.id }],
      }
    case 'finding-proposed':
      return findingCoding('C', event.finding, {
        modelVersion: event.model.version,
        modelSha256: event.model.sha256,
        ...(event.probability !== null ? { probability: event.probability } : {}),
        executionProvider: event.executionProvider,
        ...(event.explanationMethod ? { explanationMethod: event.explanationMethod } : {}),
      })
    case 'finding-accepted':
      return findingCoding('U', event.finding, { decision: 'accepted' })
    case 'finding-modified':
      return findingCoding('U', event.finding, { decision: 'modified', changed: event.changed.join(','), from: event.from })
    case 'finding-rejected':
      return findingCoding('U', event.finding, { decision: 'rejected', reason: event.reason, ...(event.note ? { note: event.note } : {}) })
    case 'finding-added':
      return findingCoding('C', event.finding, { decision: 'added' })
    case 'read-opened':
      return readCoding('C', 0, event.read, { purpose: event.purpose })
    case 'read-signed':
      return readCoding('U', 0, event.read, { meaning: event.meaning, contentHash: event.contentHash, findingCount: event.findingCount })
    case 'read-sign-refused':
      return readCoding('U', 4, event.read, { reason: event.reason })
    case 'read-amended':
      return readCoding('C', 0, event.read, { amends: event.amends, reason: event.reason })
    case 'read-exported':
      return {
        ...readCoding('R', 0, event.read, { format: event.format, destination: event.destination, ...(event.pacsId ? { pacsId: event.pacsId } : {}) }),
        eventCode: eventCodes.export,
      }
    case 'seg-exported':
      return {
        eventCode: eventCodes.export,
        eventTypeCode: null,
        action: 'R',
        outcome: 0,
        entities: [
          { type: 'study', id: event.studyUidHash },
          { type: 'series', id: event.seriesUidHash },
          ...(event.pacsId ? [{ type: 'pacs', id: event.pacsId } satisfies AuditEntity] : []),
        ],
        details: {
          destination: event.destination,
          segSopInstanceUid: event.segSopInstanceUid,
          sha256: event.sha256,
          segmentCount: event.segmentCount,
          ...(event.pacsId ? { pacsId: event.pacsId } : {}),
        },
      }
    case 'audit-log-viewed':
      return { eventCode: eventCodes.auditLogUsed, eventTypeCode: null, action: 'R', outcome: 0, entities: [], details: { view: event.view } }
    // Recording stopped for one source, for a while: a security alert, minor failure.
    case 'audit-events-limited':
      return {
        eventCode: eventCodes.securityAlert,
        eventTypeCode: eventTypeCodes.auditRecordingStopped,
        action: 'E',
        outcome: 4,
        entities: [],
        details: { scope: event.scope, eventType: event.eventType },
      }
    // Signing reads the events since the last checkpoint to attest to them and changes no
    // record: Audit Log Used, whose action PS3.15 A.5.3.2 fixes as R.
    case 'audit-checkpoint-requested':
      return { eventCode: eventCodes.auditLogUsed, eventTypeCode: null, action: 'R', outcome: 0, entities: [], details: { use: 'checkpoint' } }
    // A read is the report on one study: a Procedure Record (PS3.15 A.5.3.15, participant
    // role Report, one patient per message), read; not 110110 (the patient's own record)
    // and not 110101 (the audit trail itself).
    case 'read-viewed': {
      const studies = [...new Set(event.reads.map((read) => read.studyUidHash))]
      return {
        eventCode: eventCodes.procedureRecord,
        eventTypeCode: null,
        action: 'R',
        outcome: 0,
        entities: [...event.reads.map((read): AuditEntity => ({ type: 'read', id: read.id })), ...studies.map((id): AuditEntity => ({ type: 'study', id }))],
        details: { readVersions: event.reads.map((read) => read.version).join(',') },
      }
    }
    case 'annotation-project-created':
      return projectCoding('C', event.project, [], { segmentCount: event.segmentCount })
    case 'annotation-project-updated':
      return projectCoding('U', event.project, [], { changed: event.changed.join(',') })
    case 'annotation-studies-added':
      return projectCoding('U', event.project, studyEntities(event.studyUidHashes), { studyCount: event.studyUidHashes.length, scored: event.scored })
    case 'annotation-annotators-added':
      return projectCoding(
        'U',
        event.project,
        event.annotators.map((annotator): AuditEntity => ({ type: 'user', id: annotator.userId })),
        { roles: event.annotators.map((annotator) => annotator.role).join(',') },
      )
    case 'annotation-tasks-assigned':
      return projectCoding('C', event.project, [...event.annotatorIds.map((id): AuditEntity => ({ type: 'user', id })), ...studyEntities(event.studyUidHashes)], {
        taskCount: event.taskCount,
      })
    // The study's images are opened to annotate: DICOM Instances Accessed, as opening a study is.
    case 'annotation-study-opened':
      return {
        eventCode: eventCodes.instancesAccessed,
        eventTypeCode: null,
        action: 'R',
        outcome: 0,
        entities: [{ type: 'study', id: event.studyUidHash }, ...projectEntities(event.project), { type: 'task', id: event.taskId }],
        details: {},
      }
    case 'annotation-submitted':
      return projectCoding('C', event.project, [{ type: 'task', id: event.taskId }, ...studyEntities([event.studyUidHash]), { type: 'seg', id: event.segUidHash }], {
        segSha256: event.segSha256,
        segmentCount: event.segmentCount,
      })
    case 'annotation-seg-exported':
      return {
        ...projectCoding('R', event.project, [...studyEntities([event.studyUidHash]), { type: 'seg', id: event.segUidHash }], {
          format: 'dicom-seg',
          kind: event.kind,
          segSha256: event.segSha256,
          destination: event.destination,
          ...(event.pacsId ? { pacsId: event.pacsId } : {}),
        }),
        eventCode: eventCodes.export,
      }
    case 'agreement-computed':
      return projectCoding('C', event.project, studyEntities(event.studyUidHashes), { recordCount: event.recordCount, segments: event.segmentNumbers.join(',') })
    case 'consensus-made':
      return projectCoding('C', event.project, [...studyEntities([event.studyUidHash]), { type: 'seg', id: event.segUidHash }], {
        method: event.method,
        submissionCount: event.submissionCount,
        segSha256: event.segSha256,
      })
    default:
      return exhaustiveSwitchError(event)
  }
}

function readEntities(read: ReadReference): AuditEntity[] {
  return [
    { type: 'read', id: read.id },
    { type: 'study', id: read.studyUidHash },
  ]
}

function readCoding(action: AuditAction, outcome: AuditOutcome, read: ReadReference, details: AuditCoding['details']): AuditCoding {
  return { eventCode: eventCodes.procedureRecord, eventTypeCode: null, action, outcome, entities: readEntities(read), details: { readVersion: read.version, ...details } }
}

function findingCoding(action: AuditAction, finding: FindingReference, details: AuditCoding['details']): AuditCoding {
  return {
    eventCode: eventCodes.procedureRecord,
    eventTypeCode: null,
    action,
    outcome: 0,
    entities: [{ type: 'finding', id: finding.id }, ...readEntities(finding.read), ...(finding.modelId ? [{ type: 'model', id: finding.modelId } satisfies AuditEntity] : [])],
    details: { readVersion: finding.read.version, label: finding.label, origin: finding.origin, ...details },
  }
}

const projectEntities = (project: ProjectReference): AuditEntity[] => [{ type: 'project', id: project.id }]
const studyEntities = (hashes: string[]): AuditEntity[] => hashes.map((id) => ({ type: 'study', id }))

// A project's records about its studies (tasks, submissions, agreement) are research
// records on those studies: Procedure Record, as reads are.
function projectCoding(action: AuditAction, project: ProjectReference, entities: AuditEntity[], details: AuditCoding['details']): AuditCoding {
  return { eventCode: eventCodes.procedureRecord, eventTypeCode: null, action, outcome: 0, entities: [...projectEntities(project), ...entities], details }
}
