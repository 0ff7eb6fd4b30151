// Loads the chest CT into the viewer of a running production server, in headless
// Chromium, and reads the viewer's own User Timing marks and the page's memory.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { launchBenchBrowser, openViewer } from './browser'

export interface ViewerLoadRun {
  firstImageMs: number
  seriesReadyMs: number
  /** JS heap plus ArrayBuffer backing stores after loading, in bytes. */
  pageMemoryBytes: number
}

// Source text, not a function: tsx would wrap a function with helpers the page lacks.
const readMarks = `(() => {
  const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN
  return { selected: at('parallax:files-selected'), first: at('parallax:first-image'), ready: at('parallax:series-ready') }
})()`

export async function measureViewerLoad(baseURL: string, dir: string, credentials: { username: string; password: string }, runs: number): Promise<ViewerLoadRun[]> {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => path.join(dir, name))
  const browser = await launchBenchBrowser()
  const results: ViewerLoadRun[] = []
  try {
    for (let run = 0; run < runs; run += 1) {
      const { context, page } = await openViewer(browser, baseURL, credentials)
      await page.getByTestId('dicom-file-input').setInputFiles(files)
      await page.waitForSelector(`[data-testid="viewport-main"][data-loaded-slices="${files.length}"]`, { timeout: 300_000 })
      await page.waitForFunction(() => performance.getEntriesByName('parallax:series-ready').length > 0)
      const marks = (await page.evaluate(readMarks)) as { selected: number; first: number; ready: number }
      const cdp = await context.newCDPSession(page)
      await cdp.send('HeapProfiler.collectGarbage')
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number }
      results.push({ firstImageMs: marks.first - marks.selected, seriesReadyMs: marks.ready - marks.selected, pageMemoryBytes: heap.usedSize + (heap.backingStorageSize ?? 0) })
      await context.close()
    }
  } finally {
    await browser.close()
  }
  return results
}
