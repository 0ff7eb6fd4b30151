import 'server-only'
import { parentPort, workerData } from 'node:worker_threads'
import { createViewerDecoder } from '../dicom/viewer-decoder.server'
import { runCohortSeries } from './cohort-series.server'
import type { CohortWorkerData, FromWorker, ToWorker } from './cohort-runner.server'
import { openNodeModel } from './node-runner.server'

// A cohort worker thread: one model session and one decoder, kept for every series the
// runner hands it, one series at a time.

// The codecs print what they read (OpenJPEG's "[INFO] Start to read j2k main header") and
// dcmjs every oddity; from many workers that buries the progress line. This thread reports
// through its messages only.
console.log = console.info = console.debug = () => {}

const port = parentPort!
const data = workerData as CohortWorkerData
const post = (message: FromWorker) => port.postMessage(message)

try {
  const model = await openNodeModel(data.modelId, { threads: data.threads })
  const decoder = createViewerDecoder()
  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      decoder.close()
      void model.release().then(() => port.close())
      return
    }
    runCohortSeries(message.entry, { model, decoder, out: data.out, truth: data.truth, force: data.force })
      .then((record) => post({ type: 'done', record }))
      .catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
  })
  post({ type: 'ready' })
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) })
}
