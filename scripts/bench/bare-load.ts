// Loads the chest CT into the bare Cornerstone3D page (bare-cornerstone/) in the same
// headless Chromium and through the same kind of file input as the viewer, and reads its
// User Timing marks: what the library does used plainly, for the viewer's figures to be
// compared with.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { launchBenchBrowser } from './browser'

export interface BareLoadRun {
  firstImageMs: number
  seriesReadyMs: number
}

// Source text, not a function: tsx would wrap a function with helpers the page lacks.
const readMarks = (start: string) => `(() => {
  const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN
  return { start: at('bare:${start}'), first: at('bare:first-image'), ready: at('bare:series-ready') }
})()`

const pageErrors = new WeakMap<Page, string[]>()

/** A page whose uncaught errors are kept, to say why it never got ready. */
async function newBarePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (error) => errors.push(error.message))
  return page
}

async function settled(page: Page, selector: string, timeout: number): Promise<void> {
  try {
    await page.waitForSelector(selector, { state: 'attached', timeout })
  } catch (error) {
    const errors = pageErrors.get(page) ?? []
    throw errors.length > 0 ? new Error(`the bare Cornerstone page threw: ${errors.join('; ')}`, { cause: error }) : error
  }
}

/** Waits for the page to have loaded `count` images, or throws the error it shows. */
async function loaded(page: Page, count: number, start: 'files-selected' | 'study-requested'): Promise<BareLoadRun> {
  await settled(page, `#status[data-loaded="${count}"], #status[data-error]`, 300_000)
  const error = await page.locator('#status').getAttribute('data-error')
  if (error !== null) throw new Error(`the bare Cornerstone page failed: ${error}`)
  const marks = (await page.evaluate(readMarks(start))) as { start: number; first: number; ready: number }
  return { firstImageMs: marks.first - marks.start, seriesReadyMs: marks.ready - marks.start }
}

export async function measureBareLoad(url: string, dir: string, runs: number): Promise<BareLoadRun[]> {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => path.join(dir, name))
  const browser = await launchBenchBrowser()
  const results: BareLoadRun[] = []
  try {
    for (let run = 0; run < runs; run += 1) {
      const page = await newBarePage(browser)
      await page.goto(url)
      await settled(page, '#status[data-ready="true"], #status[data-error]', 60_000)
      await page.locator('#files').setInputFiles(files)
      results.push(await loaded(page, files.length, 'files-selected'))
      await page.context().close()
    }
  } finally {
    await browser.close()
  }
  return results
}

/** The same page retrieving a study by DICOMweb (QIDO-RS, WADO-RS metadata, wadors frames), timed from page start. */
export async function measureBareDicomweb(
  url: string,
  study: { wadoRoot: string; studyUid: string; images: number; token: () => Promise<string> },
  runs: number,
): Promise<BareLoadRun[]> {
  const browser = await launchBenchBrowser()
  const results: BareLoadRun[] = []
  try {
    for (let run = 0; run < runs; run += 1) {
      const page = await newBarePage(browser)
      const hash = new URLSearchParams({ wadoRoot: study.wadoRoot, study: study.studyUid, token: await study.token() })
      await page.goto(`${url}#${hash}`)
      results.push(await loaded(page, study.images, 'study-requested'))
      await page.context().close()
    }
  } finally {
    await browser.close()
  }
  return results
}
