// One fuzz worker thread: takes mutants one at a time and runs each through what a drop
// does in the browser: ingestFiles (parse, validate, group), the decoder rewrite of the
// ingest worker, then the viewer's decode path (decode-node.ts) for the first and last
// frame of every accepted image, and the viewer's check of the decoded image. It reports
// what happened; the campaign (campaign.ts) watches the clock and the thread itself, so a
// hang, an uncaught exception or running out of memory is seen from outside.
import { parentPort, workerData } from 'node:worker_threads'
import { decodedImageProblem } from '../../lib/dicom/decoded-image'
import { ingestFiles } from '../../lib/dicom/ingest'
import { normaliseForDecoder } from '../../lib/dicom/normalise-for-decoder'
import { DEFAULT_MAX_INFLATED_BYTES } from '../../lib/dicom/parse-instance'
import type { DicomInstance } from '../../lib/dicom/types'
import { decodeLikeViewer } from './decode-node'

export interface MutantRequest {
  id: number
  name: string
  bytes: ArrayBuffer
}

export interface MutantOutcome {
  accepted: number
  rejected: number
  /** Frames that decoded to what their header says. */
  decoded: number
  /** Frames whose load rejected (the viewer lists the image as not decodable). */
  decodeRejected: number
  /** Frames that decoded to something else, refused by the viewer's check (decoded-image.ts). */
  guarded: number
  /** Throws the browser would not catch (see decode-node.ts). */
  uncaught: string[]
  /** What the decoder said, for the frames it refused (the first few). */
  decodeMessages: string[]
  /** ingestFiles threw: it promises a rejection for every bad file instead. */
  contractViolation: string | null
  warnings: number
  firstReason: string | null
  ms: number
  /** Heap and ArrayBuffer memory the mutant left allocated or garbage (not yet collected). */
  growthBytes: number
}

export type WorkerMessage = { type: 'ready' } | { type: 'result'; id: number; outcome: MutantOutcome }

const { wasmBasePath } = workerData as { wasmBasePath: string }

const memory = () => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

async function run(request: MutantRequest): Promise<MutantOutcome> {
  const start = performance.now()
  const before = memory()
  const bytes = new Uint8Array(request.bytes)
  const outcome: MutantOutcome = {
    accepted: 0,
    rejected: 0,
    decoded: 0,
    decodeRejected: 0,
    guarded: 0,
    uncaught: [],
    decodeMessages: [],
    contractViolation: null,
    warnings: 0,
    firstReason: null,
    ms: 0,
    growthBytes: 0,
  }
  let instances: DicomInstance[] = []
  try {
    const { result } = ingestFiles([{ name: request.name, bytes }])
    // SEG objects are accepted apart from the series (the viewer reads them as masks), and still go through the decoder here.
    instances = [...result.patients.flatMap((patient) => patient.studies.flatMap((study) => study.series.flatMap((series) => series.instances))), ...result.segmentations]
    outcome.accepted = instances.length
    outcome.rejected = result.rejected.length
    outcome.firstReason = result.rejected[0]?.reason ?? null
  } catch (error) {
    outcome.contractViolation = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  }
  for (const instance of instances) {
    outcome.warnings += instance.warnings.length
    if (!instance.hasPixelData) continue
    const decoderBytes = forDecoder(bytes, instance)
    const frames = instance.numberOfFrames > 1 ? [0, instance.numberOfFrames - 1] : [0]
    for (const frame of await decodeLikeViewer(decoderBytes, instance, frames, wasmBasePath)) {
      if (frame.kind === 'rejected') {
        outcome.decodeRejected += 1
        if (outcome.decodeMessages.length < 3) outcome.decodeMessages.push(`${frame.stage}: ${frame.message}`)
      } else if (frame.kind === 'uncaught') outcome.uncaught.push(frame.message)
      else {
        const problem = decodedImageProblem(instance, frame)
        if (problem) {
          outcome.guarded += 1
          if (outcome.decodeMessages.length < 3) outcome.decodeMessages.push(`guard: ${problem}`)
        } else outcome.decoded += 1
      }
    }
  }
  outcome.ms = performance.now() - start
  outcome.growthBytes = Math.max(0, memory() - before)
  return outcome
}

/** As ingest.worker.ts does: the lossless rewrite when one is needed, else the file's own bytes. */
function forDecoder(bytes: Uint8Array, instance: DicomInstance): Uint8Array {
  try {
    return normaliseForDecoder(bytes, instance, DEFAULT_MAX_INFLATED_BYTES) ?? bytes
  } catch {
    return bytes
  }
}

parentPort!.on('message', (request: MutantRequest) => {
  void run(request).then((outcome) => parentPort!.postMessage({ type: 'result', id: request.id, outcome } satisfies WorkerMessage))
})
parentPort!.postMessage({ type: 'ready' } satisfies WorkerMessage)
