// Writes a binary DICOM Segmentation (1.2.840.10008.5.1.4.1.1.66.4) from one mask per
// segment, with @cornerstonejs/adapters' generateSegmentation (which drives dcmjs's
// Segmentation derivation): it leaves empty frames out, gives each frame the plane
// position and orientation of its own source image and bit-packs the pixels. We feed it
// from the parsed series through a small metadata provider (no Cornerstone cache needed),
// then complete what it leaves short of the IOD (see completeDataset).
import dcmjs from 'dcmjs'
import { generateSegmentation } from '@cornerstonejs/adapters/cornerstone3D/Segmentation/generateSegmentation'
import { codeSequence, dcm, dicomDate, dicomTime, MANUFACTURER, newUuidUid, personName, referencedSop, sct, sopCommon, type Code, type Dataset } from '../dicom/common-modules'
import { writePart10 } from '../dicom/write-part10'
import { rgbToDicomLab } from './colour'
import { SEGMENTATION_STORAGE, SegError, type SegMask, type SegSegmentInfo, type SegSourceInstance, type SegSourceSeries } from './types'

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'

/** Written when a segment has no code (SNOMED CT "Tissue" is in both CID 7150 and CID 7166, as 3D Slicer's generic segment). */
export const UNCODED_SEGMENT: Code = sct('85756007', 'Tissue')
const ARTIFICIAL_INTELLIGENCE = dcm('123110', 'Artificial Intelligence')
const SOURCE_IMAGE_PURPOSE = dcm('121322', 'Source image for image processing operation')
const SEGMENTATION_DERIVATION = dcm('113076', 'Segmentation')

export interface SegWriteOptions {
  seriesDescription: string
  seriesNumber?: number
  /** Content Date/Time and instance creation. */
  createdAt: Date
  /** The person who made the segmentation (Content Creator's Name), a display name. */
  author: string
  softwareVersion?: string
  sopInstanceUid?: string
  seriesInstanceUid?: string
}

export interface SegWriteResult {
  bytes: Uint8Array
  sopInstanceUid: string
  seriesInstanceUid: string
  /** The caller's segment number → the SEG's (numbered 1… in the caller's order; empty segments have none). */
  segmentNumbers: Map<number, number>
  notices: string[]
}

/**
 * A SEG of `segments` on `source`. `mask(number)` gives segment `number`'s binary volume
 * (columns × rows × slices, slice k on source.instances[k]). Segments with no voxel are left
 * out (a SEG has no frame to give them) with a notice; throws SegError when none is left.
 */
export function writeSeg(segments: readonly SegSegmentInfo[], mask: (segmentNumber: number) => SegMask, source: SegSourceSeries, options: SegWriteOptions): SegWriteResult {
  const instances = source.instances
  const first = checkedGrid(instances)
  const sliceSize = first.rows * first.columns
  const notices: string[] = []
  const written: SegSegmentInfo[] = []
  const labelmaps: { labelmaps2D: (Labelmap2D | undefined)[]; metadata: unknown[]; labelToSegmentIndex: Record<number, number> }[] = []
  for (const segment of segments) {
    const volume = mask(segment.number)
    if (volume.length !== sliceSize * instances.length)
      throw new SegError('grid-mismatch', `The mask of segment "${segment.label}" does not fit the series (${volume.length} values for ${sliceSize * instances.length} voxels).`)
    // One adapters labelmap per segment, holding 1 inside: segments may overlap.
    const labelmaps2D: (Labelmap2D | undefined)[] = []
    for (let k = 0; k < instances.length; k++) {
      const slice = volume.subarray(k * sliceSize, (k + 1) * sliceSize)
      if (!slice.some((value) => value !== 0)) continue
      labelmaps2D[k] = { pixelData: slice.map((value) => (value !== 0 ? 1 : 0)), rows: first.rows, columns: first.columns, segmentsOnLabelmap: [1] }
    }
    if (labelmaps2D.length === 0) {
      notices.push(`Segment "${segment.label}" is empty and was left out of the segmentation.`)
      continue
    }
    written.push(segment)
    const index = written.length
    const metadata: unknown[] = []
    metadata[index] = { SegmentLabel: segment.label, SegmentAlgorithmType: segment.algorithm.type, SegmentAlgorithmName: algorithmName(segment), ...segmentCodes(segment) }
    labelmaps.push({ labelmaps2D, metadata, labelToSegmentIndex: { 1: index } })
  }
  if (written.length === 0) throw new SegError('nothing-to-write', 'Every segment is empty: there is nothing to save as a segmentation.')
  for (const segment of written)
    if (!segment.category || !segment.type) notices.push(`Segment "${segment.label}" has no SNOMED CT category or type; it was written as "${UNCODED_SEGMENT.meaning}".`)

  const sopInstanceUid = options.sopInstanceUid ?? newUuidUid()
  const seriesInstanceUid = options.seriesInstanceUid ?? newUuidUid()
  const images = instances.map((_, k) => ({ imageId: imageId(k), voxelManager: { getScalarData: () => PLACEHOLDER_PIXELS } }))
  const derivation = generateSegmentation(images, labelmaps, metadataProvider(instances), {
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    SOPInstanceUID: sopInstanceUid,
    SeriesInstanceUID: seriesInstanceUid,
    SeriesDescription: options.seriesDescription,
    SeriesNumber: String(options.seriesNumber ?? 300),
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: 'Parallax',
    SoftwareVersions: options.softwareVersion ?? '1',
    DeviceSerialNumber: '1',
    SeriesDate: dicomDate(options.createdAt),
    SeriesTime: dicomTime(options.createdAt),
    ContentDate: dicomDate(options.createdAt),
    ContentTime: dicomTime(options.createdAt),
    ContentLabel: 'SEGMENTATION',
    ContentDescription: options.seriesDescription,
    ContentCreatorName: personName(options.author),
  }) as { dataset: Dataset }
  const dataset = completeDataset(derivation.dataset, written, source, options.createdAt)
  dataset.PixelData = packedFrames(dataset, labelmaps, source)
  return {
    bytes: writePart10(dataset, SEGMENTATION_STORAGE, sopInstanceUid),
    sopInstanceUid,
    seriesInstanceUid,
    segmentNumbers: new Map(written.map((segment, index) => [segment.number, index + 1])),
    notices,
  }
}

interface Labelmap2D {
  pixelData: Uint8Array
  rows: number
  columns: number
  segmentsOnLabelmap: number[]
}

const bitArray = (dcmjs as unknown as { data: { BitArray: { pack(pixels: Uint8Array): Uint8Array } } }).data.BitArray

/**
 * The frames, bit after bit (PS3.5 8.1.1), packed by dcmjs from the per-frame groups. The
 * adapters' own re-encoding takes continuously packed frames for byte-aligned ones when
 * a frame is not a whole number of bytes and both lengths agree (getBitmapFramesFromDataset),
 * which shifts bits on small grids.
 */
function packedFrames(dataset: Dataset, labelmaps: { labelmaps2D: (Labelmap2D | undefined)[] }[], source: SegSourceSeries): ArrayBuffer {
  const sliceOf = new Map(source.instances.map((instance, k) => [instance.sopInstanceUid, k]))
  const frames = dataset.PerFrameFunctionalGroupsSequence as Dataset[]
  const sliceSize = source.instances[0]!.rows * source.instances[0]!.columns
  const unpacked = new Uint8Array(frames.length * sliceSize)
  frames.forEach((frame, f) => {
    const segmentNumber = Number(firstItem(frame.SegmentIdentificationSequence).ReferencedSegmentNumber)
    const uid = String(firstItem(firstItem(frame.DerivationImageSequence).SourceImageSequence).ReferencedSOPInstanceUID)
    unpacked.set(labelmaps[segmentNumber - 1]!.labelmaps2D[sliceOf.get(uid)!]!.pixelData, f * sliceSize)
  })
  const packed = bitArray.pack(unpacked)
  return packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength) as ArrayBuffer
}

/** dcmjs and the adapters give a sequence as an item or as a list of items. */
const firstItem = (value: unknown): Dataset => (Array.isArray(value) ? value[0] : value) as Dataset

// The multiframe dcmjs builds first copies the source pixels, which the SEG then discards:
// one stored value per image keeps that copy small.
const PLACEHOLDER_PIXELS = new Uint16Array(1)

const imageId = (slice: number) => `parallax-seg-source:${slice}`

function checkedGrid(instances: readonly SegSourceInstance[]): SegSourceInstance {
  const first = instances[0]
  if (!first) throw new SegError('grid-mismatch', 'The series has no images to segment.')
  for (const instance of instances) {
    if (instance.rows !== first.rows || instance.columns !== first.columns)
      throw new SegError('grid-mismatch', 'The images of the series differ in size; a segmentation needs one grid.')
    if (!instance.imagePositionPatient || !instance.imageOrientationPatient || !instance.pixelSpacing)
      throw new SegError('grid-mismatch', 'An image of the series has no position, orientation or pixel spacing; a segmentation needs them.')
  }
  return first
}

/** The adapters read the source images through a Cornerstone-style metadata provider; this one answers from the parsed series. */
function metadataProvider(instances: readonly SegSourceInstance[]) {
  return {
    get(type: string, id: string): Dataset | undefined {
      const instance = instances[Number(id.slice(id.lastIndexOf(':') + 1))]
      if (!instance) return undefined
      switch (type) {
        case 'StudyData':
          return {
            StudyInstanceUID: instance.studyInstanceUid,
            StudyDate: instance.studyDate,
            StudyTime: instance.studyTime,
            StudyID: instance.studyId,
            StudyDescription: instance.studyDescription,
            AccessionNumber: instance.accessionNumber,
            ReferringPhysicianName: instance.referringPhysicianName,
            PatientName: instance.patientName,
            PatientID: instance.patientId,
            PatientBirthDate: instance.patientBirthDate,
            PatientSex: instance.patientSex,
          }
        case 'SeriesData':
          return { SeriesInstanceUID: instance.seriesInstanceUid, FrameOfReferenceUID: instance.frameOfReferenceUid, PositionReferenceIndicator: '' }
        case 'ImageData':
          return {
            SOPClassUID: instance.sopClassUid,
            SOPInstanceUID: instance.sopInstanceUid,
            Rows: instance.rows,
            Columns: instance.columns,
            ImagePositionPatient: instance.imagePositionPatient,
            ImageOrientationPatient: instance.imageOrientationPatient,
            PixelSpacing: instance.pixelSpacing,
            ...(instance.sliceThickness ? { SliceThickness: instance.sliceThickness } : {}),
            PixelRepresentation: 0,
          }
        case 'imagePlaneModule':
          return {
            imagePositionPatient: instance.imagePositionPatient,
            imageOrientationPatient: instance.imageOrientationPatient,
            pixelSpacing: instance.pixelSpacing,
            sliceThickness: instance.sliceThickness,
          }
        default:
          return undefined
      }
    },
  }
}

function algorithmName(segment: SegSegmentInfo): string | undefined {
  return segment.algorithm.type === 'MANUAL' ? undefined : segment.algorithm.name
}

function segmentCodes(segment: SegSegmentInfo): Dataset {
  return {
    SegmentedPropertyCategoryCodeSequence: codeSequence(segment.category && segment.type ? segment.category : UNCODED_SEGMENT),
    SegmentedPropertyTypeCodeSequence: codeSequence(segment.category && segment.type ? segment.type : UNCODED_SEGMENT),
  }
}

/** The Segment Sequence item (PS3.3 C.8.20.2), with the algorithm's identification where one contributed. */
function segmentItem(segment: SegSegmentInfo, segmentNumber: number): Dataset {
  const { algorithm } = segment
  return {
    SegmentNumber: segmentNumber,
    SegmentLabel: segment.label,
    ...segmentCodes(segment),
    SegmentAlgorithmType: algorithm.type,
    ...(algorithm.type === 'MANUAL'
      ? {}
      : {
          SegmentAlgorithmName: algorithm.name,
          SegmentationAlgorithmIdentificationSequence: [
            { AlgorithmFamilyCodeSequence: codeSequence(ARTIFICIAL_INTELLIGENCE), AlgorithmName: algorithm.name, AlgorithmVersion: algorithm.version },
          ],
        }),
    RecommendedDisplayCIELabValue: rgbToDicomLab(segment.color),
  }
}

/**
 * What the adapters leave short of the IOD: their per-frame source references carry only
 * the SOP Instance UID (the Derivation Image macro also needs the SOP Class, the purpose
 * of reference and the derivation code); dcmjs keeps only some of each segment's
 * attributes (no algorithm identification); the referenced series lists every image of
 * the series, in dcmjs's sorted order. dciodvfy checks the result (write-seg.test.ts).
 */
function completeDataset(dataset: Dataset, segments: SegSegmentInfo[], source: SegSourceSeries, createdAt: Date): Dataset {
  const classOf = new Map(source.instances.map((instance) => [instance.sopInstanceUid, instance.sopClassUid]))
  const frames = dataset.PerFrameFunctionalGroupsSequence as Dataset[]
  const referenced = new Set<string>()
  for (const frame of frames) {
    const uid = String(firstItem(firstItem(frame.DerivationImageSequence).SourceImageSequence).ReferencedSOPInstanceUID)
    referenced.add(uid)
    frame.DerivationImageSequence = [
      {
        SourceImageSequence: [
          {
            ...referencedSop({ sopClassUid: classOf.get(uid)!, sopInstanceUid: uid, seriesInstanceUid: source.seriesInstanceUid }),
            PurposeOfReferenceCodeSequence: codeSequence(SOURCE_IMAGE_PURPOSE),
          },
        ],
        DerivationCodeSequence: codeSequence(SEGMENTATION_DERIVATION),
      },
    ]
  }
  const first = source.instances[0]!
  // dcmjs writes these empty; without a trial they do not belong in the object.
  const rest = { ...dataset }
  for (const key of ['ClinicalTrialTimePointID', 'ClinicalTrialCoordinatingCenterName', 'ClinicalTrialSeriesID']) delete rest[key]
  return {
    ...rest,
    ...sopCommonWithoutPrivateScheme(dataset.SOPInstanceUID as string, createdAt),
    StudyDescription: first.studyDescription,
    InstanceNumber: 1,
    SegmentSequence: segments.map((segment, index) => segmentItem(segment, index + 1)),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: source.seriesInstanceUid,
        ReferencedInstanceSequence: source.instances
          .filter((instance) => referenced.has(instance.sopInstanceUid))
          .map((instance) => referencedSop({ sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid, seriesInstanceUid: source.seriesInstanceUid })),
      },
    ],
    _vrMap: { PixelData: 'OB' },
  }
}

/** SOP Common; a SEG uses no Parallax codes, so it identifies no private coding scheme. */
function sopCommonWithoutPrivateScheme(sopInstanceUid: string, createdAt: Date): Dataset {
  const common = sopCommon(SEGMENTATION_STORAGE, sopInstanceUid, createdAt)
  delete common.CodingSchemeIdentificationSequence
  return common
}
