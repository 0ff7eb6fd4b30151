import { canonicalJson } from './canonical-json'
import type { AuditEntity } from './events'
import type { AuditEventDto } from './queries.server'

// Our audit events as FHIR R4 AuditEvent resources (http://hl7.org/fhir/R4/auditevent.html),
// for export to a SIEM or an auditor's tooling. The codes are the DICOM ones we store
// (DCM event and event type codes, EventActionCode, EventOutcomeIndicator), which R4's
// AuditEvent takes as they are. The seq and hash travel in an 'audit-chain' entity, so an
// exported event can still be checked against the hash chain.

/** A Coding (R4 datatype), only the parts we use. */
export interface FhirCoding {
  system: string
  code: string
  display?: string
}

interface FhirReference {
  identifier?: { value: string }
  display?: string
}

export interface FhirAuditEventAgent {
  who: FhirReference
  role?: { text: string }[]
  requestor: boolean
  network?: { address: string; type: '2' }
}

export interface FhirAuditEventEntityDetail {
  type: string
  valueString: string
}

export interface FhirAuditEventEntity {
  what?: FhirReference
  type: FhirCoding
  description: string
  detail?: FhirAuditEventEntityDetail[]
}

/** R4 value sets audit-event-action and audit-event-outcome (the DICOM codes). */
const actions = ['C', 'R', 'U', 'D', 'E'] as const
const outcomes = ['0', '4', '8', '12'] as const
export type FhirAuditEventAction = (typeof actions)[number]
export type FhirAuditEventOutcome = (typeof outcomes)[number]

export interface FhirAuditEvent {
  resourceType: 'AuditEvent'
  id: string
  type: FhirCoding
  subtype: FhirCoding[]
  action: FhirAuditEventAction
  recorded: string
  outcome: FhirAuditEventOutcome
  agent: FhirAuditEventAgent[]
  source: { site: string; observer: FhirReference; type: FhirCoding[] }
  entity: FhirAuditEventEntity[]
}

export interface FhirAuditBundle {
  resourceType: 'Bundle'
  type: 'collection'
  timestamp: string
  entry: { fullUrl: string; resource: FhirAuditEvent }[]
}

const DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM'
const IHE_EVENT_TYPE_SYSTEM = 'urn:ihe:event-type-code'
const PARALLAX_EVENT_TYPE_SYSTEM = 'urn:parallax:audit-event-type'
const ENTITY_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/audit-entity-type'
const SOURCE_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/security-source-type'
const APPLICATION = 'Parallax'

/** DCM meanings (PS3.16) of the event IDs we record or may record. */
const eventCodeDisplays: Record<string, string> = {
  '110114': 'User Authentication',
  '110113': 'Security Alert',
  '110101': 'Audit Log Used',
  '110103': 'DICOM Instances Accessed',
  '110112': 'Query',
  '110111': 'Procedure Record',
  '110106': 'Export',
  '110110': 'Patient Record',
}

/** DCM meanings (PS3.16) of the event type codes we record. */
const eventTypeCodeDisplays: Record<string, string> = {
  '110122': 'Login',
  '110123': 'Logout',
  '110132': 'Use of Restricted Function',
  '110136': 'Security Roles Changed',
  '110137': 'User Security Attributes Changed',
  '110128': 'Network Configuration',
  '110131': 'Software Configuration',
}

/** IHE transaction codes among our event type codes (IHE BALP), with their meanings. */
const iheEventTypeDisplays: Record<string, string> = {
  'ITI-71': 'Get Access Token',
}

export function toFhirAuditEvent(event: AuditEventDto): FhirAuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: `parallax-audit-${event.seq}`,
    type: dcmCoding(event.eventCode, eventCodeDisplays),
    subtype: [...(event.eventTypeCode ? [eventTypeCoding(event.eventTypeCode)] : []), { system: PARALLAX_EVENT_TYPE_SYSTEM, code: event.eventType }],
    action: toAction(event.action),
    recorded: event.occurredAt,
    outcome: toOutcome(event.outcome),
    agent: toAgents(event),
    source: {
      site: APPLICATION,
      observer: { display: APPLICATION },
      type: [{ system: SOURCE_TYPE_SYSTEM, code: '4', display: 'Application Server' }],
    },
    entity: [...event.entities.map(toEntity), chainEntity(event)],
  }
}

/** A collection Bundle of the events, in the order given. */
export function toFhirAuditBundle(events: AuditEventDto[], timestamp: Date): FhirAuditBundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: timestamp.toISOString(),
    entry: events.map((event) => ({ fullUrl: `urn:uuid:${uuidFromHash(event.hash)}`, resource: toFhirAuditEvent(event) })),
  }
}

/**
 * A UUID derived from an event's SHA-256 hash (hex): its first 128 bits with the version
 * and variant bits set (RFC 9562 version 8, custom). The same event always gets the same
 * fullUrl, and distinct hashes give distinct UUIDs in practice.
 */
export function uuidFromHash(hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new TypeError('uuidFromHash: expected a SHA-256 hex digest')
  const hex = hash.slice(0, 32).split('')
  hex[12] = '8'
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  const digits = hex.join('')
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`
}

function eventTypeCoding(code: string): FhirCoding {
  const ihe = iheEventTypeDisplays[code]
  return ihe ? { system: IHE_EVENT_TYPE_SYSTEM, code, display: ihe } : dcmCoding(code, eventTypeCodeDisplays)
}

function dcmCoding(code: string, displays: Record<string, string>): FhirCoding {
  const display = displays[code]
  return display ? { system: DCM_SYSTEM, code, display } : { system: DCM_SYSTEM, code }
}

// Stored values outside the R4 value sets mean a corrupt row: fail loudly rather than
// export an invalid resource.
function toAction(action: string): FhirAuditEventAction {
  if (!isOneOf(actions, action)) throw new RangeError(`audit action ${action}: not an R4 audit-event-action code`)
  return action
}

function toOutcome(outcome: number): FhirAuditEventOutcome {
  const code = String(outcome)
  if (!isOneOf(outcomes, code)) throw new RangeError(`audit outcome ${code}: not an R4 audit-event-outcome code`)
  return code
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value)
}

function toAgents(event: AuditEventDto): FhirAuditEventAgent[] {
  const network = event.sourceIp ? { network: { address: event.sourceIp, type: '2' as const } } : {}
  const actor = event.actor
  if (actor && (actor.id || actor.username)) {
    return [
      {
        who: {
          ...(actor.id ? { identifier: { value: actor.id } } : {}),
          ...(actor.username ? { display: actor.username } : {}),
        },
        ...(actor.role ? { role: [{ text: actor.role }] } : {}),
        requestor: true,
        ...network,
      },
    ]
  }
  const system: FhirAuditEventAgent = { who: { display: APPLICATION }, requestor: false }
  // No signed-in user (a failed login): the address the request came from is the only
  // trace of who asked, so it gets an agent of its own rather than being dropped.
  return event.sourceIp ? [system, { who: { display: 'unauthenticated client' }, requestor: true, ...network }] : [system]
}

function toEntity(entity: AuditEntity): FhirAuditEventEntity {
  return {
    ...(entity.id ? { what: { identifier: { value: entity.id } } } : {}),
    type: entity.type === 'user' ? { system: ENTITY_TYPE_SYSTEM, code: '1', display: 'Person' } : { system: ENTITY_TYPE_SYSTEM, code: '2', display: 'System Object' },
    description: entity.type,
  }
}

/** The tamper evidence (seq and chain hash) and the event's details. */
function chainEntity(event: AuditEventDto): FhirAuditEventEntity {
  return {
    type: { system: ENTITY_TYPE_SYSTEM, code: '2', display: 'System Object' },
    description: 'audit-chain',
    detail: [
      { type: 'seq', valueString: String(event.seq) },
      { type: 'hash', valueString: event.hash },
      ...Object.entries(event.details)
        .map(([key, value]) => ({ type: key, valueString: detailString(value) }))
        // FHIR has no empty strings, and value[x] is 1..1: an empty value (no query filters) is left out.
        .filter((detail) => detail.valueString !== ''),
    ],
  }
}

function detailString(value: unknown): string {
  // Our details are flat scalars; anything nested is written as canonical JSON, not '[object Object]'.
  return typeof value === 'object' && value !== null ? canonicalJson(value) : String(value)
}
