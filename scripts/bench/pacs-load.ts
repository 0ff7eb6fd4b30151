// The chest CT from a PACS: a real Orthanc with DICOMweb (tests/support/orthanc.ts) behind
// the kind of proxy a hospital puts in front of it (tests/support/cors-proxy.ts: CORS, and
// each browser's token checked by asking the app, as nginx's auth_request does). The viewer
// opens the study as the study browser's link does (/viewer?pacs=…&study=…) and the bench
// reads its User Timing marks; the bare Cornerstone page (bare-load.ts) retrieves the same
// study through its own proxy (its own origin, the same checks), and Node fetches every
// frame through a third one (no browser, no decode): the transfer floor.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { BrowserContext } from '@playwright/test'
import { pacsTokenResponseSchema } from '../../lib/dicomweb/pacs-token'
import { appAuthorizer, startCorsProxy, type CorsProxy } from '../../tests/support/cors-proxy'
import { startOrthanc, type OrthancServer } from '../../tests/support/orthanc'
import { launchBenchBrowser, signedInContext } from './browser'

export interface PacsLoadRun {
  firstImageMs: number
  seriesReadyMs: number
}

export interface BenchPacs {
  pacsId: string
  studyUid: string
  images: number
  /** A CORS proxy for another page origin, with the same checks. */
  proxyFor(origin: string): Promise<CorsProxy>
  /** A read token for this PACS, issued by the app to the given user, as an Authorization value. */
  token(credentials: Credentials): Promise<string>
  stop(): Promise<void>
}

type Credentials = { username: string; password: string }

export async function startBenchPacs(baseURL: string, dir: string, admin: Credentials, proxyKey: string): Promise<BenchPacs> {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => path.join(dir, name))
  const orthanc: OrthancServer = await startOrthanc({ user: { name: 'parallax', password: 'bench-only' } })
  const proxies: CorsProxy[] = []
  const askApp = appAuthorizer(baseURL, proxyKey)
  // The app checks that a request is under the PACS's configured root, which names the
  // first proxy: requests to the others are checked as if sent to it (same path, same token).
  const proxyFor = async (origin: string) => {
    const asFirst = (url: string) => (proxies[0] ? `${proxies[0].url}${new URL(url).pathname}${new URL(url).search}` : url)
    const proxy = await startCorsProxy({ target: orthanc.url, allowOrigin: origin, authorize: (request) => askApp({ ...request, url: asFirst(request.url) }) })
    proxies.push(proxy)
    return proxy
  }
  const stop = async () => {
    for (const proxy of proxies) await proxy.stop()
    await orthanc.stop()
  }
  try {
    await orthanc.upload(files)
    const studies = (await (await fetch(`${orthanc.dicomWebRoot}/studies`, { headers: { authorization: orthanc.authorization! } })).json()) as Record<string, { Value: string[] }>[]
    if (studies.length !== 1) throw new Error(`expected one study in the bench PACS, found ${studies.length}`)
    const studyUid = studies[0]!['0020000D']!.Value[0]!
    const appProxy = await proxyFor(new URL(baseURL).origin)
    const browser = await launchBenchBrowser()
    let pacsId: string
    try {
      const context = await signedInContext(browser, baseURL, admin)
      const root = `${appProxy.url}/dicom-web`
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
    return { pacsId, studyUid, images: files.length, proxyFor, token, stop }
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
  const proxy = await pacs.proxyFor('http://node.invalid')
  const authorization = await pacs.token(credentials)
  const root = `${proxy.url}/dicom-web/studies/${pacs.studyUid}`
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
