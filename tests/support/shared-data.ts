// The real imaging data (chest CT, brain MR, PET + SEG, transfer syntaxes, a pretrained
// model) lives outside the repository, in PARALLAX_DATA_DIR (default ../shared/data).
// Under CI=true it is mandatory: a missing folder fails the run. Elsewhere the tests that
// need it are skipped with a notice saying how to get it.
import { existsSync } from 'node:fs'
import path from 'node:path'

export const sharedDataDir = path.resolve(process.env.PARALLAX_DATA_DIR ?? '../shared/data')

export function sharedDataPath(...segments: string[]): string {
  return path.join(sharedDataDir, ...segments)
}

/**
 * null when the data is there; otherwise the reason to skip. Throws under CI=true, so a
 * CI run without the data fails loudly instead of skipping.
 */
export function missingSharedData(...segments: string[]): string | null {
  const target = sharedDataPath(...segments)
  if (existsSync(target)) return null
  const message = `Real imaging data not found at ${target}. Put Parallax's shared data folder at ../shared/data beside the checkout, or set PARALLAX_DATA_DIR to it.`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this data is mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}
