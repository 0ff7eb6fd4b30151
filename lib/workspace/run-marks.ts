import type { WorkerClock } from '../inference/inference-protocol'

// User Timing marks of one model run over a series, from the Run click to the labelmap on
// screen, so `npm run bench` (and the browser's profiler) can tell each stage's share: the
// pixels read out of the viewer's cache, the hand-over to the worker and back, the worker's
// own stages (its RunTimings) and the labelmap document built and drawn. The viewer sets
// the last mark itself when it has drawn a labelmap (`parallax:labelmap-shown`).

export const runMark = {
  click: 'parallax:model-run:click',
  pixelsRead: 'parallax:model-run:pixels-read',
  posted: 'parallax:model-run:posted',
  workerReceived: 'parallax:model-run:worker-received',
  workerReplied: 'parallax:model-run:worker-replied',
  resultReceived: 'parallax:model-run:result-received',
  labelmapBuilt: 'parallax:model-run:labelmap-built',
  labelmapShown: 'parallax:labelmap-shown',
} as const

/** An explanation, from its click to the heat map drawn (the viewer sets the last mark itself when it has drawn one). */
export const explainMark = {
  click: 'parallax:explain:click',
  heatmapShown: 'parallax:heatmap-shown',
} as const

/** The worker's clock as marks on the page's timeline (both count from the epoch through their own timeOrigin). */
export function markWorkerClock(clock: WorkerClock): void {
  performance.mark(runMark.workerReceived, { startTime: clock.receivedAt - performance.timeOrigin })
  performance.mark(runMark.workerReplied, { startTime: clock.repliedAt - performance.timeOrigin })
}
