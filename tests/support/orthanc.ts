// Starts a real Orthanc PACS with its DICOMweb plugin for tests: Debian's binary
// (apt-get install -y orthanc orthanc-dicomweb) run as a plain process with a config of our
// own, its storage and index in a temp directory, HTTP on a free loopback port, no DICOM
// listener, no authentication unless a user is given (HTTP Basic, as a PACS behind a proxy
// that adds its credential would ask for). Under CI=true a missing Orthanc fails the run; elsewhere the
// tests that need it are skipped with a notice.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './free-port'

export const orthancBinary = process.env.ORTHANC_PATH ?? '/usr/sbin/Orthanc'
export const dicomWebPlugin = process.env.ORTHANC_DICOMWEB_PLUGIN ?? '/usr/share/orthanc/plugins/libOrthancDicomWeb.so'

export interface OrthancServer {
  /** http://127.0.0.1:<port> */
  url: string
  /** The DICOMweb service root, `${url}/dicom-web` */
  dicomWebRoot: string
  /** The Authorization header value Orthanc asks for, or null when it asks for none. */
  authorization: string | null
  /** Stores DICOM files (POST /instances), a few at a time. */
  upload(files: readonly string[]): Promise<void>
  stop(): Promise<void>
}

/**
 * null when Orthanc and its DICOMweb plugin are installed; otherwise the reason to skip.
 * Throws under CI=true, so a CI image without Orthanc fails instead of skipping.
 */
export function missingOrthanc(): string | null {
  const missing = [orthancBinary, dicomWebPlugin].filter((file) => !existsSync(file))
  if (missing.length === 0) return null
  const message = `Orthanc not found (${missing.join(', ')}). Install it with: apt-get install -y orthanc orthanc-dicomweb (or set ORTHANC_PATH / ORTHANC_DICOMWEB_PLUGIN).`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: the DICOMweb tests are mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
}

export async function startOrthanc({ readyTimeoutMs = 20_000, user }: { readyTimeoutMs?: number; user?: { name: string; password: string } } = {}): Promise<OrthancServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallax-orthanc-'))
  const port = await freePort()
  const config = {
    Name: 'parallax-test',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: user !== undefined,
    ...(user ? { RegisteredUsers: { [user.name]: user.password } } : {}),
    // A throwaway store: skipping fsync makes uploads about 20 times faster.
    SyncStorageArea: false,
    Plugins: [dicomWebPlugin],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  }
  const configFile = path.join(dir, 'orthanc.json')
  const logFile = path.join(dir, 'orthanc.log')
  writeFileSync(configFile, JSON.stringify(config, null, 2))
  const child = spawn(orthancBinary, [`--logfile=${logFile}`, configFile], { stdio: 'ignore' })
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject))
  const url = `http://127.0.0.1:${port}`
  const authorization = user ? `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}` : null
  const headers: Record<string, string> = authorization ? { authorization } : {}

  const logTail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '(no log)')
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited(child)
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + readyTimeoutMs
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Orthanc exited with code ${child.exitCode} while starting:\n${logTail()}`)
      const ready = await Promise.race([
        fetch(`${url}/dicom-web/studies?limit=1`, { headers }).then(
          (response) => response.ok,
          () => false,
        ),
        spawnError,
      ])
      if (ready) break
      if (Date.now() > deadline) throw new Error(`Orthanc did not answer on ${url} within ${readyTimeoutMs} ms:\n${logTail()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } catch (error) {
    await stop()
    throw error
  }

  return {
    url,
    dicomWebRoot: `${url}/dicom-web`,
    authorization,
    async upload(files) {
      let next = 0
      const worker = async () => {
        while (next < files.length) {
          const file = files[next++]!
          const response = await fetch(`${url}/instances`, { method: 'POST', headers, body: await readFile(file) })
          if (!response.ok) throw new Error(`Orthanc refused ${file}: HTTP ${response.status} ${await response.text()}`)
          await response.arrayBuffer()
        }
      }
      await Promise.all(Array.from({ length: 4 }, worker))
    },
    stop,
  }
}
