import { z } from 'zod'
import type { ClientAuditEvent } from '../audit/client-events'

// Shared shapes for DICOMweb: PACS server configuration (admin API and its DTO, which the
// browser parses again) and the study search form. Pure: imported by server and browser.

/**
 * A DICOMweb service root (QIDO-RS or WADO-RS), e.g. https://pacs.example.org/dicom-web.
 * Only http(s); no user:password@ (browsers refuse such URLs in fetch, and it would put a
 * secret into the audit trail and the CSP), no query or fragment (request paths are appended
 * to the root). Trailing slashes are dropped so `${root}/studies` is always well formed.
 */
export const dicomwebRootSchema = z
  .string()
  .trim()
  .min(1, 'required')
  .max(2048, 'at most 2048 characters')
  .transform((value, ctx) => {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a valid URL' })
      return z.NEVER
    }
    const problem =
      url.protocol !== 'http:' && url.protocol !== 'https:'
        ? 'must start with http:// or https://'
        : url.username || url.password
          ? 'must not contain a user name or password; use the authorization header instead'
          : url.search || url.hash || value.includes('?') || value.includes('#')
            ? 'must not contain a query (?) or fragment (#)'
            : null
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem })
      return z.NEVER
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  })

/**
 * The PACS's own credential, as the value of an Authorization header (e.g. `Basic …`). No
 * browser ever gets it: the reverse proxy in front of the PACS is handed it by
 * GET /api/pacs/authorize and adds it upstream (README, "Connecting a PACS"). Header values
 * must be printable ASCII: a line break would let a value smuggle in another header.
 */
export const authHeaderSchema = z
  .string()
  .trim()
  .min(1, 'empty; leave the field out instead')
  .max(4096, 'at most 4096 characters')
  .regex(/^[\x20-\x7e]+$/, 'printable ASCII only, on one line')

export const pacsNameSchema = z.string().trim().min(1, 'required').max(64, 'at most 64 characters')

export const createPacsServerSchema = z
  .object({
    name: pacsNameSchema,
    qidoRoot: dicomwebRootSchema,
    wadoRoot: dicomwebRootSchema,
    authHeader: authHeaderSchema.nullable().optional(),
  })
  .strict()
export type CreatePacsServer = z.infer<typeof createPacsServerSchema>

/** Only the fields given change; `authHeader: null` removes the header. */
export const updatePacsServerSchema = z
  .object({
    name: pacsNameSchema.optional(),
    qidoRoot: dicomwebRootSchema.optional(),
    wadoRoot: dicomwebRootSchema.optional(),
    authHeader: authHeaderSchema.nullable().optional(),
  })
  .strict()
  .refine((value) => Object.values(value).some((field) => field !== undefined), 'give at least one of name, qidoRoot, wadoRoot, authHeader')
export type UpdatePacsServer = z.infer<typeof updatePacsServerSchema>

export const pacsIdParamsSchema = z.object({ id: z.string().min(1).max(64) })

/**
 * What the API sends; the browser parses it with this same schema before using it. Whether a
 * credential is set, never the credential: browsers reach the PACS with tokens of their own.
 */
export const pacsServerDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  qidoRoot: z.string(),
  wadoRoot: z.string(),
  hasAuthHeader: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type PacsServerDto = z.infer<typeof pacsServerDtoSchema>

// Study search (the /studies form). Field names double as the audit trail's filter keys,
// which record which fields were searched but never their values.
type AuditedFilterKey = Extract<ClientAuditEvent, { type: 'study-query' }>['filterKeys'][number]
export const studyFilterKeys = ['patientName', 'patientId', 'accessionNumber', 'modality', 'studyDateFrom', 'studyDateTo'] as const satisfies readonly AuditedFilterKey[]
export type StudyFilterKey = (typeof studyFilterKeys)[number]

// A backslash separates values in DICOM (it would turn a match into a list match).
const filterText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .regex(/^[^\\]*$/, 'must not contain a backslash')
    .optional()
    .transform((value) => value || undefined)

// As <input type="date"> gives it; sent to the PACS as DICOM DA (YYYYMMDD).
const isoDate = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined)
  .refine((value) => value === undefined || (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))), 'a date as YYYY-MM-DD')

export const studySearchSchema = z
  .object({
    // PN is 64 characters per component group; wildcards * and ? are allowed.
    patientName: filterText(64),
    patientId: filterText(64),
    accessionNumber: filterText(16),
    modality: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9_]{0,16}$/, 'a modality code such as CT, MR or PT')
      .optional()
      .transform((value) => value || undefined),
    studyDateFrom: isoDate,
    studyDateTo: isoDate,
    limit: z.number().int().min(1).max(1000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .refine((value) => !value.studyDateFrom || !value.studyDateTo || value.studyDateFrom <= value.studyDateTo, {
    message: 'the start date is after the end date',
    path: ['studyDateTo'],
  })
export type StudySearch = z.output<typeof studySearchSchema>
export type StudySearchInput = z.input<typeof studySearchSchema>

/** The filters a search actually used, in a fixed order (for the audit trail). */
export function usedFilterKeys(search: StudySearch): StudyFilterKey[] {
  return studyFilterKeys.filter((key) => search[key] !== undefined)
}
