// What a model's manifest may require of a series (lib/inference/manifest.ts embeds it as
// `parallax.requirements`): the viewer warns before a run on a series that fails them, the
// CLI skips it unless forced. Checked by assess.ts.
import { z } from 'zod'

export const modalityCodeSchema = z.string().regex(/^[A-Z]{2,3}$/, 'a DICOM modality code such as CT or MR')

export const modelRequirementsSchema = z
  .object({
    /** Defaults to the manifest's `modalities`. */
    modalities: z.array(modalityCodeSchema).min(1).optional(),
    /** Body Part Examined (0018,0015) values accepted, upper case (e.g. CHEST). */
    bodyParts: z
      .array(z.string().regex(/^[A-Z0-9_ ]{1,16}$/, 'a Body Part Examined value such as CHEST'))
      .min(1)
      .optional(),
    /** Slice Thickness (0018,0050) range in mm, both ends included. */
    sliceThicknessMm: z
      .object({ min: z.number().nonnegative().optional(), max: z.number().positive().optional() })
      .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, { message: 'min must not exceed max' })
      .optional(),
    /** The plane the images must be in (the slice normal's main axis). */
    orientation: z.enum(['axial', 'coronal', 'sagittal']).optional(),
  })
  .strict()

export type ModelRequirements = z.infer<typeof modelRequirementsSchema>

/** What the report needs of a model: its id, modalities and requirements (a manifest's `parallax` block is one). */
export interface RequirementSource {
  id: string
  modalities: readonly string[]
  requirements?: ModelRequirements
}
