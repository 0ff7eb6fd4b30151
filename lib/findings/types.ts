import { z } from 'zod'

// The vocabulary of second reads, shared by the browser and the server. A finding says
// where it is in patient coordinates (mm, DICOM LPS) and which image it was seen on, never
// with pixel arrays: the server stores derived, small records only.

export const readPurposeSchema = z.enum(['clinical', 'research'])
export type ReadPurpose = z.infer<typeof readPurposeSchema>

import { findingLabelSchema, type FindingLabel } from '../vocabulary/finding-labels'
export { findingLabels, findingLabelSchema, type FindingLabel } from '../vocabulary/finding-labels'

/** Why a reader rejected an AI finding (with free text beside it). */
export const rejectReasons = {
  'false-positive': 'Not a lesion (false positive)',
  artifact: 'Imaging artifact',
  'benign-known': 'Known benign finding',
  'wrong-location': 'Wrong location',
  'clinically-insignificant': 'Clinically insignificant',
  other: 'Other (see note)',
} as const
export type RejectReason = keyof typeof rejectReasons
export const rejectReasonSchema = z.enum(Object.keys(rejectReasons) as [RejectReason, ...RejectReason[]])

/** 21 CFR 11.50(a)(3): the meaning of a signature. */
export const signatureMeanings = {
  review: 'Reviewed',
  approval: 'Approved',
  responsibility: 'Responsible for the content',
  authorship: 'Author',
} as const
export type SignatureMeaning = keyof typeof signatureMeanings
export const signatureMeaningSchema = z.enum(Object.keys(signatureMeanings) as [SignatureMeaning, ...SignatureMeaning[]])

export const findingOriginSchema = z.enum(['ai', 'reader'])
export type FindingOrigin = z.infer<typeof findingOriginSchema>
/** proposed: awaiting the reader; added: a finding the reader made that the AI missed. */
export const findingStatusSchema = z.enum(['proposed', 'accepted', 'modified', 'rejected', 'added'])
export type FindingStatus = z.infer<typeof findingStatusSchema>
export const readStatusSchema = z.enum(['open', 'signed'])
export type ReadStatus = z.infer<typeof readStatusSchema>

const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID (digits and dots)')
  .max(64)
const patientPoint = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()])

/**
 * Where a finding is: the image it was seen on and, except for a whole-slice finding, points
 * in patient coordinates. bbox: the four corners of a rectangle in the image plane, in
 * order; polyline: a contour or a measured line (2 to 256 points); point: one point.
 */
export const findingLocationSchema = z
  .object({
    kind: z.enum(['slice', 'point', 'polyline', 'bbox']),
    seriesInstanceUid: uid,
    sopInstanceUid: uid,
    frameOfReferenceUid: uid.nullable(),
    /** Index of the image in its series as displayed (sorted by position), for navigation. */
    sliceIndex: z.number().int().min(0).max(100_000),
    points: z.array(patientPoint).max(256),
  })
  .superRefine((location, context) => {
    const expected = { slice: [0, 0], point: [1, 1], polyline: [2, 256], bbox: [4, 4] }[location.kind]
    if (location.points.length < expected[0]! || location.points.length > expected[1]!) {
      context.addIssue({
        code: 'custom',
        path: ['points'],
        message: `a ${location.kind} location takes ${expected[0] === expected[1] ? expected[0] : `${expected[0]} to ${expected[1]}`} points`,
      })
    }
  })
export type FindingLocation = z.infer<typeof findingLocationSchema>

export const modelReferenceSchema = z.object({
  id: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
})
export type ModelReference = z.infer<typeof modelReferenceSchema>

/** Where the model ran in the reader's browser. */
export const executionProviderSchema = z.enum(['webgpu', 'wasm'])

/** What the AI proposes for one finding. */
export const proposedFindingSchema = z.object({
  label: findingLabelSchema,
  location: findingLocationSchema,
  /** Long-axis diameter in mm on the key image, when the model gives an extent. */
  measurementMm: z.number().positive().max(1000).nullable(),
  /** Calibrated probability, 0..1; null when the model gives none. */
  probability: z.number().min(0).max(1).nullable(),
})
export type ProposedFinding = z.infer<typeof proposedFindingSchema>

/** The study a read is about, and where the browser got its images from (to reopen it). */
export const studyReferenceSchema = z.object({
  studyInstanceUid: uid,
  studyDescription: z.string().max(200).default(''),
  studyDate: z.string().max(16).default(''),
  accessionNumber: z.string().max(64).default(''),
  modality: z.string().max(16).default(''),
  source: z.enum(['local', 'dicomweb', 'demo']),
  /** The PACS id (dicomweb) or the demo key (demo). */
  sourceRef: z.string().max(100).nullable(),
})
export type StudyReference = z.infer<typeof studyReferenceSchema>

// The answers of the reads API. The server builds them (reads.server.ts), the browser
// checks every answer against them (reads.client.ts).

export const findingDtoSchema = z.object({
  id: z.string(),
  ordinal: z.number().int(),
  origin: findingOriginSchema,
  status: findingStatusSchema,
  label: z.string(),
  location: findingLocationSchema,
  measurementMm: z.number().nullable(),
  probability: z.number().nullable(),
  model: modelReferenceSchema.nullable(),
  executionProvider: executionProviderSchema.nullable(),
  explanationMethod: z.string().nullable(),
  /** What the AI said, kept when the reader modifies it. */
  ai: z.object({ label: z.string(), location: findingLocationSchema, measurementMm: z.number().nullable() }).nullable(),
  rejectReason: rejectReasonSchema.nullable(),
  note: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  discordant: z.boolean(),
})
export type FindingDto = z.infer<typeof findingDtoSchema>

/**
 * Why a signature does not hold: the content changed since it was signed, the signature
 * predates the server's signing, no public key is at hand to check it, the server's
 * signature does not verify with the pinned audit key, or the read-signed audit event says
 * otherwise.
 */
export const signatureProblemSchema = z.enum(['content-changed', 'not-server-signed', 'no-public-key', 'bad-signature', 'audit-mismatch'])
export type SignatureProblem = z.infer<typeof signatureProblemSchema>

export const signatureDtoSchema = z.object({
  signerId: z.string(),
  printedName: z.string(),
  meaning: signatureMeaningSchema,
  signedAt: z.string(),
  /** SHA-256 of the content the signer was shown and signed (see signed-content.ts). */
  contentHash: z.string(),
  /** Whether the signature holds: valid is `problem === null`. */
  valid: z.boolean(),
  problem: signatureProblemSchema.nullable(),
})
export type SignatureDto = z.infer<typeof signatureDtoSchema>

export const readDtoSchema = z.object({
  id: z.string(),
  purpose: readPurposeSchema,
  status: readStatusSchema,
  version: z.number().int(),
  amendsId: z.string().nullable(),
  amendedById: z.string().nullable(),
  amendReason: z.string().nullable(),
  study: studyReferenceSchema,
  reader: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  findings: z.array(findingDtoSchema),
  /** SHA-256 of the read's content as this answer shows it: what signing it now binds (the sign form sends it back). */
  contentHash: z.string(),
  signature: signatureDtoSchema.nullable(),
})
export type ReadDto = z.infer<typeof readDtoSchema>

/** Discordance: the reader and the AI disagree (an AI finding rejected, or one the AI missed). */
export function isDiscordant(finding: Pick<FindingDto, 'origin' | 'status'>): boolean {
  return (finding.origin === 'ai' && finding.status === 'rejected') || finding.origin === 'reader'
}
