import { z } from 'zod'

/** What a finding can be called: by a reader, and by a model's manifest (the label a reader reviews). */
export const findingLabels = ['Lung nodule', 'Mass', 'Calcified granuloma', 'Atelectasis', 'Consolidation', 'Other'] as const
export const findingLabelSchema = z.enum(findingLabels)
export type FindingLabel = z.infer<typeof findingLabelSchema>
