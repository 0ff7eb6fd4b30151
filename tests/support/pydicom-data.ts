// pydicom's test files (Debian's python3-pydicom, unpacked by
// scripts/fetch-pydicom-test-files.sh): small real DICOM in many encodings, plus the
// truncated and malformed files the parser must reject. They live outside the repository,
// in PARALLAX_PYDICOM_TEST_FILES (default .data/pydicom/...). Under CI=true they are
// mandatory; elsewhere the tests that need them skip with a notice.
import { existsSync } from 'node:fs'
import path from 'node:path'

export const pydicomTestFilesDir = path.resolve(process.env.PARALLAX_PYDICOM_TEST_FILES ?? '.data/pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files')

/** null when the files are there; otherwise the reason to skip. Throws under CI=true. */
export function missingPydicomTestFiles(): string | null {
  if (existsSync(pydicomTestFilesDir)) return null
  const message = `pydicom test files not found at ${pydicomTestFilesDir}. Run scripts/fetch-pydicom-test-files.sh, or set PARALLAX_PYDICOM_TEST_FILES.`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: these files are mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}
