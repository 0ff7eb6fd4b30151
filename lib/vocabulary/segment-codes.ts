// What a segment can be, in SNOMED CT (DICOM's Segmented Property Category and Type, CID
// 7150 and the type groups it names): a small vocabulary for the segments panel and the
// annotation projects' label schemas; DICOM SEG writes the chosen codes as they are.

export interface SegmentCode {
  value: string
  scheme: 'SCT'
  meaning: string
}

export interface SegmentCategory extends SegmentCode {
  types: readonly SegmentCode[]
}

const sct = (value: string, meaning: string): SegmentCode => ({ value, scheme: 'SCT', meaning })

export const segmentCategories: readonly SegmentCategory[] = [
  {
    ...sct('49755003', 'Morphologically Abnormal Structure'),
    // CID 7159 Lesion Segmentation Type.
    types: [sct('52988006', 'Lesion'), sct('4147007', 'Mass'), sct('27925004', 'Nodule'), sct('108369006', 'Neoplasm'), sct('367643001', 'Cyst')],
  },
  {
    ...sct('85756007', 'Tissue'),
    types: [sct('87784001', 'Soft tissue'), sct('256674009', 'Fat'), sct('272673000', 'Bone')],
  },
  {
    ...sct('91723000', 'Anatomical Structure'),
    types: [sct('113343008', 'Organ'), sct('39607008', 'Lung'), sct('10200004', 'Liver')],
  },
]

/** The category of that code value, if the vocabulary has it. */
export function segmentCategory(value: string): SegmentCategory | null {
  return segmentCategories.find((category) => category.value === value) ?? null
}

/** A type of a category, by code value. */
export function segmentType(category: SegmentCategory, value: string): SegmentCode | null {
  return category.types.find((type) => type.value === value) ?? null
}

/** What a new segment is until someone says otherwise: a lesion. */
export const defaultSegmentCoding = { category: segmentCategories[0]!, type: segmentCategories[0]!.types[0]! }
