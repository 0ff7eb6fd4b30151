import { z } from 'zod'
import {
  executionProviderSchema,
  findingLabelSchema,
  findingLocationSchema,
  modelReferenceSchema,
  proposedFindingSchema,
  rejectReasonSchema,
  signatureMeaningSchema,
  studyReferenceSchema,
} from './types'

// Request bodies of the reads API, validated at the boundary.

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+$/i)
const note = z.string().trim().max(1000).nullable()

export const readParamsSchema = z.object({ id })
export const findingParamsSchema = z.object({ id, findingId: id })

export const readsQuerySchema = z.object({
  study: z
    .string()
    .regex(/^[0-9.]+$/)
    .max(64),
})

export const openReadBodySchema = z.object({ study: studyReferenceSchema })

/** The findings of one model run in the reader's browser, with the model and runtime that made them and the explanation shown. */
export const aiProposalSchema = z.object({
  model: modelReferenceSchema,
  executionProvider: executionProviderSchema,
  explanationMethod: z.string().max(40).nullable(),
  // Empty: the model ran and found nothing, the AI's negative call.
  findings: z.array(proposedFindingSchema).max(50),
})
export type FindingProposal = z.infer<typeof aiProposalSchema>

/** A finding the reader adds: one the AI missed. */
export const readerFindingSchema = z.object({
  label: findingLabelSchema,
  location: findingLocationSchema,
  measurementMm: z.number().positive().max(1000).nullable(),
  note,
})
export type ReaderFinding = z.infer<typeof readerFindingSchema>

export const addFindingsBodySchema = z.discriminatedUnion('origin', [
  aiProposalSchema.extend({ origin: z.literal('ai') }),
  readerFindingSchema.extend({ origin: z.literal('reader') }),
])

export const decisionBodySchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept') }),
  z
    .object({ action: z.literal('reject'), reason: rejectReasonSchema, note })
    .refine((body) => body.reason !== 'other' || (body.note ?? '').length > 0, { path: ['note'], message: 'say why when the reason is "other"' }),
  z.object({
    action: z.literal('modify'),
    label: findingLabelSchema.optional(),
    location: findingLocationSchema.optional(),
    measurementMm: z.number().positive().max(1000).nullable().optional(),
    note: note.optional(),
  }),
])
/** A reader's decision on a finding. */
export type FindingDecision = z.infer<typeof decisionBodySchema>

/** The password again (21 CFR 11.200), the meaning, and the content hash the signer was shown (ReadDto.contentHash). */
export const signBodySchema = z.object({
  password: z.string().min(1).max(200),
  meaning: signatureMeaningSchema,
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 (hex) of the content shown'),
})

export const amendBodySchema = z.object({ reason: z.string().trim().min(3).max(1000) })

export const exportBodySchema = z.object({ destination: z.enum(['download', 'pacs']), pacsId: z.string().max(64).nullable() })
export type ExportDestination = z.infer<typeof exportBodySchema>['destination']
