import 'server-only'
import { createHash } from 'node:crypto'
import { canonicalJson } from '../audit/canonical-json'
import type { FindingDto, ReadDto, SignatureMeaning } from './types'

// What a signature binds to (21 CFR 11.70): the read (its reader, version and amendment
// reason), every finding as the reader left it (decisions with who made them and when,
// reasons, locations, model identities) and the signature manifest itself (printed name,
// time, meaning). Any later change to these makes the hash disagree.

export interface SignedManifest {
  signerId: string
  printedName: string
  meaning: SignatureMeaning
  signedAt: string
}

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

export function signedContentHash(
  read: Pick<ReadDto, 'id' | 'version' | 'amendsId' | 'amendReason' | 'purpose' | 'study' | 'reader' | 'findings'>,
  manifest: SignedManifest,
): string {
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
    signature: manifest,
  }
  return createHash('sha256').update(canonicalJson(content)).digest('hex')
}
