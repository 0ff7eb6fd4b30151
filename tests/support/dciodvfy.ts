import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

// dciodvfy (Debian's dicom3tools) checks a DICOM object against its IOD. Mandatory under
// CI=true; elsewhere a test without it is skipped with a notice saying how to get it.

export const dciodvfyPath = process.env.DCIODVFY_PATH ?? '/usr/bin/dciodvfy'

/** False when dciodvfy is there, else the reason to skip (throws under CI=true). */
export function missingDciodvfy(): string | false {
  if (existsSync(dciodvfyPath)) return false
  const message = `dciodvfy not found at ${dciodvfyPath}: install Debian's dicom3tools (apt-get install -y dicom3tools)`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

/** dciodvfy's whole report on a file, and its Error lines (the verdict: it exits 0 whatever it finds). */
export function dciodvfyFile(file: string): { report: string; errors: string[] } {
  const run = spawnSync(dciodvfyPath, [file], { encoding: 'utf8' })
  const report = `${run.stdout}\n${run.stderr}`
  return { report, errors: report.split('\n').filter((line) => /^Error/i.test(line.trim())) }
}

export function dciodvfyBytes(bytes: Uint8Array): { report: string; errors: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'parallax-dciodvfy-'))
  try {
    const file = path.join(dir, 'object.dcm')
    writeFileSync(file, bytes)
    return dciodvfyFile(file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
