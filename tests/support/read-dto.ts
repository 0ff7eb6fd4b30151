import type { FindingDto, ReadDto } from '../../lib/findings/types'

// Reads as the API sends them, for unit tests of the browser's side.

const SERIES = '1.2.826.0.1.3680043.8.498.1'

export function findingDto(id: string, fields: Partial<FindingDto> = {}): FindingDto {
  return {
    id,
    ordinal: 1,
    origin: 'ai',
    status: 'proposed',
    label: 'Lung nodule',
    location: { kind: 'point', seriesInstanceUid: SERIES, sopInstanceUid: `${SERIES}.11`, frameOfReferenceUid: null, sliceIndex: 10, points: [[1, 2, 3]] },
    measurementMm: 8.5,
    probability: 0.9,
    model: { id: 'nodule-detector', version: '1.0.0', sha256: 'ab'.repeat(32) },
    executionProvider: 'wasm',
    explanationMethod: null,
    ai: null,
    rejectReason: null,
    note: null,
    decidedBy: null,
    decidedAt: null,
    discordant: false,
    ...fields,
  }
}

export function readDto(id: string, fields: Partial<ReadDto> = {}): ReadDto {
  return {
    id,
    purpose: 'clinical',
    status: 'open',
    version: 1,
    amendsId: null,
    amendedById: null,
    amendReason: null,
    study: {
      studyInstanceUid: '1.2.826.0.1.3680043.8.498',
      studyDescription: 'CT chest',
      studyDate: '20250301',
      accessionNumber: 'ACC-1',
      modality: 'CT',
      source: 'demo',
      sourceRef: 'chest',
    },
    reader: { id: 'reader-1', name: 'Ana Rivera' },
    createdAt: '2025-03-04T04:00:00.000Z',
    findings: [],
    contentHash: 'c0'.repeat(32),
    signature: null,
    ...fields,
  }
}
