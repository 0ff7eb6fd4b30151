import 'server-only'
import { createHash } from 'node:crypto'
import { canonicalJson } from '../audit/canonical-json'
import type { FindingDto, ReadDto } from './types'

// What a signature binds to (21 CFR 11.70): the read as its signer was shown it (reader,
// version and amendment reason, study) and every finding as the reader left it (decisions
// with who made them and when, reasons, locations, model identities). Every ReadDto
// carries this hash (`contentHash`): the sign form shows it and sends it back, and the
// server signs only while the read still hashes to it. The signature manifest (printed
// name, time, meaning) is bound to the hash by the server's signature (read-signature.server.ts).

function findingContent(finding: FindingDto) {
  return {
    id: finding.id,
    ordinal: finding.ordinal,
    origin: finding.origin,
    status: finding.status,
    label: finding.label,
    location: finding.location,
    measurementMm: finding.measurementMm,
    probability: finding.probability,
    model: finding.model,
    executionProvider: finding.executionProvider,
    explanationMethod: finding.explanationMethod,
    ai: finding.ai,
    rejectReason: finding.rejectReason,
    note: finding.note,
    decidedBy: finding.decidedBy,
    decidedAt: finding.decidedAt,
  }
}

export type SignableContent = Pick<ReadDto, 'id' | 'version' | 'amendsId' | 'amendReason' | 'purpose' | 'study' | 'reader' | 'findings'>

/** SHA-256 (hex) of the read's signable content. */
export function signedContentHash(read: SignableContent): string {
  const content = {
    read: {
      id: read.id,
      version: read.version,
      amendsId: read.amendsId,
      amendReason: read.amendReason,
      purpose: read.purpose,
      studyInstanceUid: read.study.studyInstanceUid,
      reader: read.reader,
    },
    findings: [...read.findings].sort((a, b) => a.ordinal - b.ordinal).map(findingContent),
  }
  return createHash('sha256').update(canonicalJson(content)).digest('hex')
}
