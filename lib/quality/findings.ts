// What the quality report says: one finding per problem, per study, series or instance,
// with a severity and a sentence for the user. One schema, so the CLI's CSV, the cohort
// runner and the viewer's panel read the same thing.
import { z } from 'zod'
import { toCsv } from './csv'

export const qualitySeverities = ['error', 'warning', 'info'] as const

export const qualityCategories = ['geometry', 'attributes', 'requirements', 'pixels', 'duplicates', 'privacy'] as const

export const qualityCodes = [
  // geometry (series-geometry.ts warnings, and gantry tilt)
  'gap',
  'irregular-spacing',
  'duplicate-position',
  'mixed-orientation',
  'no-geometry',
  'mixed-size',
  'sheared',
  'multi-frame',
  'gantry-tilt',
  // attributes
  'missing-attribute',
  'generated-study-uid',
  'unreadable-attributes',
  'mixed-patients',
  // requirements of a model's manifest
  'modality-mismatch',
  'body-part-mismatch',
  'body-part-missing',
  'slice-thickness-out-of-range',
  'orientation-mismatch',
  // pixels
  'below-physical-range',
  'padding-value',
  // duplicates
  'duplicate-sop-instance-uid',
  // privacy
  'burned-in-annotation',
  'identifying-attributes',
] as const

export const qualityFindingSchema = z.object({
  studyInstanceUid: z.string(),
  /** Empty for a study-level finding. */
  seriesInstanceUid: z.string(),
  /** Set when the finding is about one instance. */
  sopInstanceUid: z.string().optional(),
  severity: z.enum(qualitySeverities),
  category: z.enum(qualityCategories),
  code: z.enum(qualityCodes),
  /** In words a user understands. */
  message: z.string(),
})
export type QualityFinding = z.infer<typeof qualityFindingSchema>
export type QualityCode = QualityFinding['code']
export type QualitySeverity = QualityFinding['severity']

export const qualityCsvColumns = ['studyInstanceUid', 'seriesInstanceUid', 'sopInstanceUid', 'severity', 'category', 'code', 'message'] as const

export function qualityCsv(findings: readonly QualityFinding[]): string {
  return toCsv(qualityCsvColumns, findings)
}

/** The reasons a model must not run on a series: its manifest's requirements not met, or no volume to run on. */
export function blockingFindings(findings: readonly QualityFinding[]): QualityFinding[] {
  return findings.filter((finding) => finding.severity === 'error' && (finding.category === 'requirements' || finding.code === 'no-geometry' || finding.code === 'mixed-size'))
}
