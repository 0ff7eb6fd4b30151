import { z } from 'zod'
import type { StudyRow } from '../dicomweb/qido'

// Annotation projects: the request bodies and the answers of /api/projects, one schema each,
// shared by the browser and the server. Only records travel: UIDs, hashes, figures and
// agreement numbers; every body is strict, so a mask (or anything else) sent along is refused.

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+$/i)
export const uidSchema = z
  .string()
  .max(64)
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID (digits and dots)')
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 (hex) of the SEG file')
const pacsId = id.nullable()

export const projectParamsSchema = z.object({ id })
export const taskParamsSchema = z.object({ id, taskId: id })

/** A SNOMED CT code, as a DICOM SEG's segment category and type carry it. */
export const sctCodeSchema = z
  .object({
    scheme: z.literal('SCT'),
    value: z.string().regex(/^[0-9]{6,18}$/, 'a SNOMED CT concept id'),
    meaning: z.string().trim().min(1).max(64),
  })
  .strict()
export type SctCode = z.infer<typeof sctCodeSchema>

export const labelSegmentSchema = z
  .object({
    number: z.number().int().min(1).max(255),
    name: z.string().trim().min(1).max(64),
    colour: z.string().regex(/^#[0-9a-f]{6}$/i, 'a colour as #rrggbb'),
    category: sctCodeSchema,
    type: sctCodeSchema,
  })
  .strict()
export type LabelSegment = z.infer<typeof labelSegmentSchema>

/** A label segment's colour (#rrggbb) as red, green, blue. */
export const colourRgb = (colour: string): [number, number, number] => [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16)) as [number, number, number]

/** The segments every annotator of a project labels. */
export const labelSchemaSchema = z
  .object({ segments: z.array(labelSegmentSchema).min(1).max(64) })
  .strict()
  .refine((schema) => new Set(schema.segments.map((segment) => segment.number)).size === schema.segments.length, { path: ['segments'], message: 'segment numbers must differ' })
  .refine((schema) => new Set(schema.segments.map((segment) => segment.name.toLowerCase())).size === schema.segments.length, {
    path: ['segments'],
    message: 'segment names must differ',
  })
export type LabelSchema = z.infer<typeof labelSchemaSchema>

export const projectStatusSchema = z.enum(['active', 'closed'])
export type ProjectStatus = z.infer<typeof projectStatusSchema>

/** Managers change the project with its owner and compute agreement; annotators annotate. */
export const projectRoleSchema = z.enum(['annotator', 'manager'])
export type ProjectRole = z.infer<typeof projectRoleSchema>

export const taskStatusSchema = z.enum(['open', 'in-progress', 'submitted'])
export type TaskStatus = z.infer<typeof taskStatusSchema>

export const segDestinationSchema = z.enum(['pacs', 'download'])
export type SegDestination = z.infer<typeof segDestinationSchema>

/** A model's uncertainty over a study (mean entropy of its output), for MONAI Label's "next sample" order. */
export const queueScoreSchema = z
  .object({
    score: z.number().min(0).max(100),
    modelId: z.string().min(1).max(64),
    modelVersion: z.string().min(1).max(40),
  })
  .strict()
export type QueueScore = z.infer<typeof queueScoreSchema>

const name = z.string().trim().min(1).max(120)
const description = z.string().trim().max(2000)

export const createProjectBodySchema = z.object({ name, description, labelSchema: labelSchemaSchema }).strict()
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>

export const updateProjectBodySchema = z
  .object({ name: name.optional(), description: description.optional(), status: projectStatusSchema.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'name a field to change' })
export type UpdateProjectBody = z.infer<typeof updateProjectBodySchema>

export const projectStudyInputSchema = z
  .object({
    studyInstanceUid: uidSchema,
    studyDescription: z.string().trim().max(200).default(''),
    pacsId: pacsId.default(null),
    queueScore: queueScoreSchema.nullable().default(null),
  })
  .strict()
export type ProjectStudyInput = z.input<typeof projectStudyInputSchema>

/** Studies by UID (local files) or from a PACS query's result; a study already there gets its queue score again. */
export const addStudiesBodySchema = z
  .object({ studies: z.array(projectStudyInputSchema).min(1).max(500) })
  .strict()
  .refine((body) => new Set(body.studies.map((study) => study.studyInstanceUid)).size === body.studies.length, { path: ['studies'], message: 'a study is listed twice' })
export type AddStudiesBody = z.output<typeof addStudiesBodySchema>

/** The studies of a PACS query's result (lib/dicomweb/qido.ts), as a project takes them. */
export function studiesFromQuery(rows: readonly StudyRow[], fromPacsId: string): ProjectStudyInput[] {
  return rows.map((row) => ({ studyInstanceUid: row.studyInstanceUid, studyDescription: row.studyDescription.slice(0, 200), pacsId: fromPacsId, queueScore: null }))
}

export const addAnnotatorsBodySchema = z
  .object({
    annotators: z
      .array(z.object({ username: z.string().trim().min(1).max(64), role: projectRoleSchema.default('annotator') }).strict())
      .min(1)
      .max(50),
  })
  .strict()
export type AddAnnotatorsBody = z.output<typeof addAnnotatorsBodySchema>

export const queueQuerySchema = z.object({ order: z.enum(['added', 'uncertainty']).default('added') }).strict()
export type QueueOrder = z.output<typeof queueQuerySchema>['order']

/** What one segment of a submitted SEG measures; correctionDice where an AI contributed (MONAI Label's correction magnitude). */
export const segmentFiguresSchema = z
  .object({
    segmentNumber: z.number().int().min(1).max(255),
    voxels: z.number().int().min(0),
    volumeMl: z.number().min(0),
    correctionDice: z.number().min(0).max(1).nullable(),
    aiModel: z
      .object({ id: z.string().min(1).max(64), version: z.string().min(1).max(40) })
      .strict()
      .nullable(),
  })
  .strict()
  .refine((figures) => (figures.correctionDice === null) === (figures.aiModel === null), {
    path: ['correctionDice'],
    message: 'a correction magnitude comes with the model that proposed the segment',
  })
export type SegmentFigures = z.infer<typeof segmentFiguresSchema>

/** Where a SEG made in the browser went: its identity, and the PACS it was stored to (none for a download). */
const segStoredSchema = z.object({ segSopInstanceUid: uidSchema, segSha256: sha256, storedAt: segDestinationSchema, pacsId }).strict()
const storedWherePacsNamed = (body: { storedAt: SegDestination; pacsId: string | null }) => (body.storedAt === 'pacs') === (body.pacsId !== null)
const pacsNamedMessage = { path: ['pacsId'], message: 'a SEG stored to a PACS names it; a download names none' }

export const submissionBodySchema = segStoredSchema
  .extend({ figures: z.array(segmentFiguresSchema).min(1).max(64) })
  .strict()
  .refine(storedWherePacsNamed, pacsNamedMessage)
  .refine((body) => new Set(body.figures.map((figures) => figures.segmentNumber)).size === body.figures.length, { path: ['figures'], message: 'a segment is listed twice' })
export type SubmissionBody = z.infer<typeof submissionBodySchema>

/**
 * The numbers one comparison of two masks gives (lib/agreement's compareMasks); distances
 * are null where undefined (a segment empty in one of the two masks).
 */
export const agreementNumbersSchema = z
  .object({
    dice: z.number().min(0).max(1),
    jaccard: z.number().min(0).max(1),
    hd95Mm: z.number().min(0).nullable(),
    assdMm: z.number().min(0).nullable(),
    volumeDifferenceMl: z.number(),
  })
  .strict()
export type AgreementNumbers = z.infer<typeof agreementNumbersSchema>

export const agreementInputSchema = agreementNumbersSchema
  .extend({ studyId: id, segmentNumber: z.number().int().min(1).max(255), submissionAId: id, submissionBId: id })
  .strict()
  .refine((record) => record.submissionAId !== record.submissionBId, { path: ['submissionBId'], message: 'compare two different submissions' })
export type AgreementInput = z.infer<typeof agreementInputSchema>

export const recordAgreementBodySchema = z.object({ records: z.array(agreementInputSchema).min(1).max(2000) }).strict()
export const agreementMaxBodyBytes = 1024 * 1024

export const consensusMethodSchema = z.enum(['staple', 'majority'])
export const consensusBodySchema = segStoredSchema
  .extend({ studyId: id, method: consensusMethodSchema, submissionIds: z.array(id).min(2).max(50) })
  .strict()
  .refine(storedWherePacsNamed, pacsNamedMessage)
export type ConsensusBody = z.infer<typeof consensusBodySchema>

// Answers.

const person = z.object({ id: z.string(), name: z.string() })

export const submissionDtoSchema = z.object({
  id: z.string(),
  segSopInstanceUid: z.string(),
  segSha256: z.string(),
  storedAt: segDestinationSchema,
  pacsId: z.string().nullable(),
  figures: z.array(segmentFiguresSchema),
  submittedAt: z.string(),
})
export type SubmissionDto = z.infer<typeof submissionDtoSchema>

export const taskDtoSchema = z.object({
  id: z.string(),
  annotator: person,
  status: taskStatusSchema,
  openedAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  submission: submissionDtoSchema.nullable(),
})
export type TaskDto = z.infer<typeof taskDtoSchema>

export const projectStudyDtoSchema = z.object({
  id: z.string(),
  studyInstanceUid: z.string(),
  studyDescription: z.string(),
  pacsId: z.string().nullable(),
  queueScore: queueScoreSchema.nullable(),
  addedAt: z.string(),
  tasks: z.array(taskDtoSchema),
})
export type ProjectStudyDto = z.infer<typeof projectStudyDtoSchema>

export const annotatorDtoSchema = z.object({
  userId: z.string(),
  displayName: z.string(),
  role: projectRoleSchema,
  addedAt: z.string(),
  open: z.number(),
  inProgress: z.number(),
  submitted: z.number(),
})
export type AnnotatorDto = z.infer<typeof annotatorDtoSchema>

export const agreementDtoSchema = agreementNumbersSchema.extend({
  id: z.string(),
  studyId: z.string(),
  segmentNumber: z.number(),
  annotatorA: person,
  annotatorB: person,
  submissionAId: z.string(),
  submissionBId: z.string(),
  computedBy: z.string(),
  computedAt: z.string(),
})
export type AgreementDto = z.infer<typeof agreementDtoSchema>

export const consensusDtoSchema = z.object({
  id: z.string(),
  studyId: z.string(),
  method: consensusMethodSchema,
  submissionIds: z.array(z.string()),
  segSopInstanceUid: z.string(),
  segSha256: z.string(),
  storedAt: segDestinationSchema,
  pacsId: z.string().nullable(),
  computedBy: z.string(),
  computedAt: z.string(),
})
export type ConsensusDto = z.infer<typeof consensusDtoSchema>

/** How the user stands in a project: its owner, a member, or reading it (auditors, admins). */
export const projectAccessSchema = z.enum(['owner', 'manager', 'annotator', 'auditor', 'admin'])
export type ProjectAccess = z.infer<typeof projectAccessSchema>

export const projectSummaryDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: projectStatusSchema,
  createdBy: person,
  createdAt: z.string(),
  access: projectAccessSchema,
  studyCount: z.number(),
  annotatorCount: z.number(),
  tasks: z.object({ total: z.number(), submitted: z.number() }),
})
export type ProjectSummaryDto = z.infer<typeof projectSummaryDtoSchema>

/**
 * A project as its dashboard shows it. Blinded: an annotator sees only their own tasks and
 * submissions until agreement is first computed (`unblindedAt`); agreement and consensus
 * records are empty for them until then.
 */
export const projectDtoSchema = projectSummaryDtoSchema.extend({
  labelSchema: labelSchemaSchema,
  unblindedAt: z.string().nullable(),
  blinded: z.boolean(),
  canManage: z.boolean(),
  /** Whether the user annotates in this project (has a queue here). */
  annotating: z.boolean(),
  annotators: z.array(annotatorDtoSchema),
  studies: z.array(projectStudyDtoSchema),
  agreements: z.array(agreementDtoSchema),
  consensus: z.array(consensusDtoSchema),
})
export type ProjectDto = z.infer<typeof projectDtoSchema>

export const queueEntryDtoSchema = z.object({
  taskId: z.string(),
  projectId: z.string(),
  study: projectStudyDtoSchema.omit({ tasks: true }),
  status: taskStatusSchema,
  openedAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  submission: submissionDtoSchema.nullable(),
})
export type QueueEntryDto = z.infer<typeof queueEntryDtoSchema>

/** What the viewer needs to annotate a task: the study, where it is, and the label schema. */
export const annotationSessionDtoSchema = z.object({ project: z.object({ id: z.string(), name: z.string() }), labelSchema: labelSchemaSchema, task: queueEntryDtoSchema })
export type AnnotationSessionDto = z.infer<typeof annotationSessionDtoSchema>

/** The viewer's address for a task: it opens the study and submits to the project from there. */
export const taskViewerHref = (projectId: string, taskId: string) => `/viewer?project=${encodeURIComponent(projectId)}&task=${encodeURIComponent(taskId)}`
