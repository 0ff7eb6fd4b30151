// The synthetic study set: which seed makes which study, which split it belongs to, and
// how many nodules it holds. Splits are by study, never by slice.
import { createRandom, generateChestPhantom, type ChestPhantom } from './chest-phantom'
import { derivedUid, type SeriesIdentity } from './write-ct-series'

export type Split = 'train' | 'validation' | 'test'

export interface StudySpec {
  index: number
  seed: number
  split: Split
  noduleCount: number
}

export function studySpecs(count: number, baseSeed: number): StudySpec[] {
  return Array.from({ length: count }, (_, index) => {
    const seed = baseSeed + index
    const random = createRandom(seed * 7919 + 17)
    const lesionFree = random.uniform() < 0.3
    const split: Split = index < Math.round(count * 0.625) ? 'train' : index < Math.round(count * 0.8125) ? 'validation' : 'test'
    return { index, seed, split, noduleCount: lesionFree ? 0 : 1 + Math.floor(random.uniform() * 3) }
  })
}

export function generateStudy(spec: Pick<StudySpec, 'seed' | 'noduleCount'>, diameterRange: [number, number] = [3, 30]): ChestPhantom {
  return generateChestPhantom({ seed: spec.seed, noduleCount: spec.noduleCount, diameterRange })
}

export function studyIdentity(seed: number, label: string): SeriesIdentity {
  return {
    patientName: `Phantom^${label}`,
    patientId: `PHANTOM-${seed}`,
    studyInstanceUid: derivedUid(seed, 1),
    seriesInstanceUid: derivedUid(seed, 2),
    frameOfReferenceUid: derivedUid(seed, 3),
    studyDescription: 'Synthetic chest CT (Parallax phantom)',
    seriesDescription: 'Chest phantom, 2.5 mm axial',
    accessionNumber: `SYN${seed}`,
    studyDate: '20261127',
    studyTime: '090000',
    sopUidPrefix: derivedUid(seed, 4),
  }
}
