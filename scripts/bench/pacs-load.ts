// The chest CT from a PACS: a real Orthanc with DICOMweb (tests/support/orthanc.ts) behind
// the proxy a hospital puts in front of it: Debian's nginx running the README's
// configuration (tests/support/pacs-proxy.ts: CORS, and each browser's token checked by
// asking the app with auth_request). The viewer opens the study as the study browser's link
// does (/viewer?pacs=…&study=…) and the bench reads its User Timing marks; the bare
// Cornerstone page (bare-load.ts, its own origin, which nginx allows too) retrieves the same
// study through the same nginx, and Node fetches every frame through it (no browser, no
// decode): the transfer floor.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { BrowserContext } from '@playwright/test'
import { pacsTokenResponseSchema } from '../../lib/dicomweb/pacs-token'
import { startOrthanc, type OrthancServer } from '../../tests/support/orthanc'
import { startPacsProxy, type PacsProxy } from '../../tests/support/pacs-proxy'
import { launchBenchBrowser, signedInContext } from './browser'

export interface PacsLoadRun {
  firstImageMs: number
  seriesReadyMs: number
}

export interface BenchPacs {
  pacsId: string
  studyUid: string
  images: number
  /** nginx in front of Orthanc, the DICOMweb root configured in the app being `${proxy.url}/dicom-web`. */
  proxy: PacsProxy
  /** A read token for this PACS, issued by the app to the given user, as an Authorization value. */
  token(credentials: Credentials): Promise<string>
  stop(): Promise<void>
}

type Credentials = { username: string; password: string }

/** `pageOrigins`: the origins besides the app's whose pages retrieve from the PACS (CORS). */
export async function startBenchPacs(baseURL: string, dir: string, admin: Credentials, proxyKey: string, pageOrigins: readonly string[]): Promise<BenchPacs> {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => path.join(dir, name))
  const orthanc: OrthancServer = await startOrthanc({ user: { name: 'parallax', password: 'bench-only' } })
  let proxy: PacsProxy | undefined
  const stop = async () => {
    await proxy?.stop()
    await orthanc.stop()
  }
  try {
    proxy = await startPacsProxy({
      pacs: orthanc.url,
      origins: [new URL(baseURL).origin, ...pageOrigins],
      authorizeUrl: new URL('/api/pacs/authorize', baseURL).href,
      proxyKey,
    })
    await orthanc.upload(files)
    const studies = (await (await fetch(`${orthanc.dicomWebRoot}/studies`, { headers: { authorization: orthanc.authorization! } })).json()) as Record<string, { Value: string[] }>[]
    if (studies.length !== 1) throw new Error(`expected one study in the bench PACS, found ${studies.length}`)
    const studyUid = studies[0]!['0020000D']!.Value[0]!
    const browser = await launchBenchBrowser()
    let pacsId: string
    try {
      const context = await signedInContext(browser, baseURL, admin)
      const root = `${proxy.url}/dicom-web`
      const created = await context.request.post('/api/admin/pacs', {
        data: { name: `bench-${Date.now()}`, qidoRoot: root, wadoRoot: root, authHeader: orthanc.authorization },
        headers: { origin: new URL(baseURL).origin },
      })
      if (!created.ok()) throw new Error(`adding the bench PACS failed: HTTP ${created.status()} ${await created.text()}`)
      pacsId = String(((await created.json()) as { id: string }).id)
    } finally {
      await browser.close()
    }
    const token = async (credentials: Credentials) => {
      const tokenBrowser = await launchBenchBrowser()
      try {
        const context = await signedInContext(tokenBrowser, baseURL, credentials)
        const answer = await context.request.post(`/api/pacs/${pacsId}/token`, { data: { scope: 'read' }, headers: { origin: new URL(baseURL).origin } })
        if (!answer.ok()) throw new Error(`a PACS token was refused: HTTP ${answer.status()}`)
        return `Bearer ${pacsTokenResponseSchema.parse(await answer.json()).access_token}`
      } finally {
        await tokenBrowser.close()
      }
    }
    return { pacsId, studyUid, images: files.length, proxy, token, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

// Source text, not a function: tsx would wrap a function with helpers the page lacks.
const readMarks = `(() => {
  const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN
  return { requested: at('parallax:study-requested'), first: at('parallax:first-image'), ready: at('parallax:series-ready') }
})()`

/** The viewer opening the study from the PACS, timed from parallax:study-requested. */
export async function measureViewerPacsLoad(baseURL: string, pacs: BenchPacs, credentials: Credentials, runs: number): Promise<PacsLoadRun[]> {
  const browser = await launchBenchBrowser()
  const results: PacsLoadRun[] = []
  try {
    for (let run = 0; run < runs; run += 1) {
      const context: BrowserContext = await signedInContext(browser, baseURL, credentials)
      const page = await context.newPage()
      await page.goto(`/viewer?pacs=${encodeURIComponent(pacs.pacsId)}&study=${encodeURIComponent(pacs.studyUid)}`)
      await page.waitForSelector(`[data-testid="viewport-main"][data-loaded-slices="${pacs.images}"]`, { timeout: 300_000 })
      await page.waitForFunction(() => performance.getEntriesByName('parallax:series-ready').length > 0)
      const marks = (await page.evaluate(readMarks)) as { requested: number; first: number; ready: number }
      results.push({ firstImageMs: marks.first - marks.requested, seriesReadyMs: marks.ready - marks.requested })
      await context.close()
    }
  } finally {
    await browser.close()
  }
  return results
}

/** Every frame of the study fetched by Node through the proxy, six at a time as a browser does per origin; no parsing, no decode. */
export async function measureRawRetrieval(pacs: BenchPacs, credentials: Credentials): Promise<{ milliseconds: number; bytes: number }> {
  const authorization = await pacs.token(credentials)
  const root = `${pacs.proxy.url}/dicom-web/studies/${pacs.studyUid}`
  const get = async (url: string, accept: string) => {
    const response = await fetch(url, { headers: { accept, authorization } })
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
    return response
  }
  const start = performance.now()
  const series = (await (await get(`${root}/series`, 'application/dicom+json')).json()) as Record<string, { Value: string[] }>[]
  const frames: string[] = []
  for (const entry of series) {
    const seriesRoot = `${root}/series/${entry['0020000E']!.Value[0]}`
    const instances = (await (await get(`${seriesRoot}/metadata`, 'application/dicom+json')).json()) as Record<string, { Value: string[] }>[]
    for (const instance of instances) frames.push(`${seriesRoot}/instances/${instance['00080018']!.Value[0]}/frames/1`)
  }
  let next = 0
  let bytes = 0
  const worker = async () => {
    while (next < frames.length) {
      const url = frames[next++]!
      bytes += (await (await get(url, 'multipart/related; type=application/octet-stream; transfer-syntax=*')).arrayBuffer()).byteLength
    }
  }
  await Promise.all(Array.from({ length: 6 }, worker))
  return { milliseconds: performance.now() - start, bytes }
}
