// The bench's viewer section: the chest CT into the viewer, from disk and from a PACS, each
// against the bare Cornerstone3D page (bare-cornerstone/) loading the same files in the same
// run, the same headless Chromium and the same kind of input, plus the floors: the pure
// decode in Node (local) and the raw WADO-RS transfer in Node (PACS).
import { measureBareDicomweb, measureBareLoad, type BareLoadRun } from './bare-load'
import { startBarePage } from './bare-cornerstone/serve'
import { measureDecodeBaseline } from './decode-baseline'
import { median, mib, ms, ratio, table } from './format'
import { checkGoal } from './goals'
import { measureRawRetrieval, measureViewerPacsLoad, startBenchPacs } from './pacs-load'
import { measureViewerLoad } from './viewer-load'
import { missingNginx } from '../../tests/support/nginx'
import { missingOrthanc } from '../../tests/support/orthanc'

type Credentials = { username: string; password: string }

export interface ViewerSectionOptions {
  baseURL: string
  ctDir: string
  runs: number
  radiologist: Credentials
  admin: Credentials
  /** The key the app's server was started with (PARALLAX_PACS_PROXY_KEY), which the bench's proxy presents. */
  pacsProxyKey: string
}

const medians = (loads: readonly BareLoadRun[]) => ({ first: median(loads.map((run) => run.firstImageMs)), ready: median(loads.map((run) => run.seriesReadyMs)) })

export async function benchViewer({ baseURL, ctDir, runs, radiologist, admin, pacsProxyKey }: ViewerSectionOptions): Promise<void> {
  const decode = await measureDecodeBaseline(ctDir)
  const bare = await startBarePage()
  try {
    const loads = await measureViewerLoad(baseURL, ctDir, radiologist, runs)
    const bareLoads = medians(await measureBareLoad(bare.url, ctDir, runs))
    const viewer = medians(loads)
    const memory = median(loads.map((run) => run.pageMemoryBytes))
    console.log(`\nViewer: chest CT, ${decode.files} slices (JPEG-LS), dropped from disk, headless Chromium, median of ${runs} runs\n`)
    table([
      ['measure', 'Parallax', 'bare Cornerstone3D (same run)', 'ratio', 'pure decode (same run)', 'ratio'],
      ['time to first image', ms(viewer.first), ms(bareLoads.first), ratio(viewer.first, bareLoads.first), ms(decode.milliseconds), ratio(viewer.first, decode.milliseconds)],
      ['time until series ready', ms(viewer.ready), ms(bareLoads.ready), ratio(viewer.ready, bareLoads.ready), ms(decode.milliseconds), ratio(viewer.ready, decode.milliseconds)],
      ['page memory after loading', mib(memory), '', '', `raw voxels ${mib(decode.decodedBytes)}`, ratio(memory, decode.decodedBytes)],
    ])
    checkGoal('CT from disk: first image', viewer.first, 'ms', { max: 300 })
    checkGoal('CT from disk: first image / bare Cornerstone3D page', viewer.first / bareLoads.first, '×', { max: 1 })
    checkGoal('CT from disk: series ready / pure single-thread decode', viewer.ready / decode.milliseconds, '×', { max: 1 })
    checkGoal('CT from disk: series ready / bare Cornerstone3D page', viewer.ready / bareLoads.ready, '×', { max: 1 })
    checkGoal('CT from disk: page memory / raw voxels', memory / decode.decodedBytes, '×', { max: 1.2 })
    console.log('\nbare Cornerstone3D: the same @cornerstonejs/core and dicom-image-loader, default loader settings, on a page of its own with the same COOP/COEP:')
    console.log('  every file registered (wadouri file manager), every header parsed, sorted along the normal, first image in a StackViewport, then every image loaded.')
    console.log('  Both timed from the file input’s change event; the first image once drawn (Cornerstone’s IMAGE_RENDERED); ratio < 1: Parallax is faster.')
    console.log('pure decode: the same files parsed and decoded with the same CharLS codec, one thread, in Node.')
    console.log('page memory: JS heap plus ArrayBuffer backing stores (Runtime.getHeapUsage) after garbage collection; GPU textures not included.')

    const noPacs = missingOrthanc() ?? missingNginx('the PACS figures')
    if (noPacs !== null) {
      console.log(`\n[bench] PACS figures skipped: ${noPacs}`)
      return
    }
    const pacs = await startBenchPacs(baseURL, ctDir, admin, pacsProxyKey, [new URL(bare.url).origin])
    try {
      const viewerPacs = medians(await measureViewerPacsLoad(baseURL, pacs, radiologist, runs))
      const barePacs = medians(
        await measureBareDicomweb(bare.url, { wadoRoot: `${pacs.proxy.url}/dicom-web`, studyUid: pacs.studyUid, images: pacs.images, token: () => pacs.token(radiologist) }, runs),
      )
      const raw: { milliseconds: number; bytes: number }[] = []
      for (let run = 0; run < runs; run += 1) raw.push(await measureRawRetrieval(pacs, radiologist))
      const rawMs = median(raw.map((run) => run.milliseconds))
      console.log(
        `\nViewer from a PACS: the same CT in Orthanc (DICOMweb) behind nginx (the README's configuration: CORS, each token checked by the app), median of ${runs} runs\n`,
      )
      table([
        ['measure', 'Parallax', 'bare Cornerstone3D (same run)', 'ratio', 'raw WADO-RS in Node (same run)', 'ratio'],
        ['time to first image', ms(viewerPacs.first), ms(barePacs.first), ratio(viewerPacs.first, barePacs.first), '', ''],
        ['time until series ready', ms(viewerPacs.ready), ms(barePacs.ready), ratio(viewerPacs.ready, barePacs.ready), ms(rawMs), ratio(viewerPacs.ready, rawMs)],
      ])
      console.log('\nParallax: /viewer?pacs=…&study=… (the study browser’s link), timed from parallax:study-requested (QIDO-RS, WADO-RS metadata, then frames by wadors).')
      console.log(
        'bare Cornerstone3D: the same steps on the bare page (series by QIDO-RS, metadata by WADO-RS, sorted, first image, then every frame by wadors), timed from its script start.',
      )
      console.log(
        `raw WADO-RS: the series, their metadata and all ${pacs.images} frames (${mib(raw[0]!.bytes)}) fetched by Node through the same proxy, six at a time; no parsing, no decode.`,
      )
    } finally {
      await pacs.stop()
    }
  } finally {
    await bare.stop()
  }
}
