// The real files the fuzzer mutates: the transfer-syntax set (one CT image in every
// syntax the viewer decodes, colour test patterns), slices of the CT, MR (explicit VR and
// RLE) and PET series, and the SEG, from PARALLAX_DATA_DIR (tests/support/shared-data.ts);
// plus pydicom's small valid files when they are there. Names are relative to their corpus
// root, prefixed `shared/` or `pydicom/`, so a recipe names its seed the same on every machine.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { parseInstance } from '../../lib/dicom/parse-instance'
import { pydicomTestFilesDir } from '../support/pydicom-data'
import { sharedDataDir } from '../support/shared-data'
import { modelSeed, type SeedModel } from './dicom-model'

/** Folders of the shared data and how many files of each (sorted by name) seed the corpus. */
const SHARED: [string, number][] = [
  ['transfer-syntaxes', Infinity],
  ['ct-chest-lidc0314', 2],
  ['mr-brain-t1', 2],
  ['mr-brain/t2-and-perfusion', 2],
  ['pet-headneck/PET', 2],
  ['pet-headneck/SEG', 1],
]

const PYDICOM = [
  'MR_small.dcm',
  'MR_small_RLE.dcm',
  'MR_small_bigendian.dcm',
  'MR_small_implicit.dcm',
  'MR_small_jp2klossless.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'SC_rgb_rle_2frame.dcm',
  'SC_rgb_jpeg_dcmtk.dcm',
  'SC_ybr_full_422_uncompressed.dcm',
  'JPEG2000.dcm',
  'rtdose.dcm',
  'image_dfl.dcm',
]

export interface SeedSource {
  /** `shared/<folder>/<file>` or `pydicom/<file>`. */
  name: string
  path: string
}

export function seedSources(): SeedSource[] {
  const sources: SeedSource[] = []
  for (const [folder, count] of SHARED) {
    const dir = path.join(sharedDataDir, folder)
    if (!existsSync(dir)) continue
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.dcm') || /^\d+$/.test(name) || /^\d+\.dcm$/.test(name))
      .sort()
      .slice(0, count)
    for (const file of files) sources.push({ name: `shared/${folder}/${file}`, path: path.join(dir, file) })
  }
  for (const file of PYDICOM) {
    const full = path.join(pydicomTestFilesDir, file)
    if (existsSync(full)) sources.push({ name: `pydicom/${file}`, path: full })
  }
  return sources
}

export function resolveSeed(name: string): string {
  if (name.startsWith('shared/')) return path.join(sharedDataDir, name.slice('shared/'.length))
  if (name.startsWith('pydicom/')) return path.join(pydicomTestFilesDir, name.slice('pydicom/'.length))
  throw new Error(`unknown seed corpus in ${name}`)
}

/** Seeds that parse and are accepted as they are: a mutant then differs from a good file by its mutations only. */
export function loadSeeds(sources: SeedSource[] = seedSources()): SeedModel[] {
  const models: SeedModel[] = []
  for (const source of sources) {
    const bytes = new Uint8Array(readFileSync(source.path))
    if (!parseInstance(bytes, source.name, 0).ok) continue
    try {
      models.push(modelSeed(source.name, bytes))
    } catch {
      // A seed our model cannot index (an unusual layout) is simply not used.
    }
  }
  return models
}
