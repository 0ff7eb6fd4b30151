import { z } from 'zod'

// Events that happen in the browser (where the images are) and are reported to the
// server for the audit trail: only identifiers and counts, never pixels or names.

const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID')
  .max(64)

export const clientAuditEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('study-opened'),
    source: z.enum(['local', 'dicomweb']),
    studyInstanceUid: uid,
    seriesInstanceUids: z.array(uid).max(1000),
    instanceCount: z.number().int().min(0).max(1_000_000),
  }),
  z.object({
    type: z.literal('study-query'),
    pacsId: z.string().min(1).max(64),
    filterKeys: z.array(z.enum(['patientName', 'patientId', 'accessionNumber', 'modality', 'studyDateFrom', 'studyDateTo', 'studyDescription'])).max(10),
    resultCount: z.number().int().min(0).max(1_000_000),
  }),
  z.object({
    type: z.literal('inference-run'),
    model: z.object({ id: z.string().min(1).max(63), version: z.string().min(1).max(40), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    seriesInstanceUid: uid,
    executionProvider: z.enum(['webgpu', 'wasm']),
    durationMs: z
      .number()
      .min(0)
      .max(24 * 3600 * 1000),
    outcome: z.enum(['success', 'failed', 'cancelled']),
    error: z.string().max(500).optional(),
  }),
  z.object({
    type: z.literal('seg-exported'),
    destination: z.enum(['download', 'pacs']),
    pacsId: z.string().min(1).max(64).optional(),
    studyInstanceUid: uid,
    seriesInstanceUid: uid,
    segSopInstanceUid: uid,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    segmentCount: z.number().int().min(1).max(65_535),
  }),
])

export type ClientAuditEvent = z.infer<typeof clientAuditEventSchema>
