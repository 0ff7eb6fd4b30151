// The stages of one model run in the viewer, from the page's User Timing marks
// (lib/workspace/run-marks.ts) and the worker's own timings: where the time between the
// Run click and the labelmap on screen goes.
import type { Page } from '@playwright/test'
import { runMark } from '../../lib/workspace/run-marks'
import type { RunTimings, SessionWarmup } from '../../lib/inference/inference-protocol'

export interface RunStage {
  stage: string
  ms: number
}

/**
 * Waits for the run's last mark (the labelmap drawn, or the result for a classifier), then
 * reads every mark since the click; `warmup`, what preparing the session took before the
 * click, is listed first and is not part of the click's time.
 */
export async function readRunStages(page: Page, timings: RunTimings, segmentation: boolean, warmup: SessionWarmup | null = null): Promise<RunStage[]> {
  const last = segmentation ? runMark.labelmapShown : runMark.resultReceived
  await page.waitForFunction(
    ({ click, last }) => {
      const started = performance.getEntriesByName(click).at(-1)?.startTime ?? Infinity
      return performance.getEntriesByName(last).some((entry) => entry.startTime >= started)
    },
    { click: runMark.click, last },
    { timeout: 300_000 },
  )
  const at = await page.evaluate((names) => {
    const started = performance.getEntriesByName(names.click).at(-1)!.startTime
    const times: Record<string, number> = {}
    for (const [key, name] of Object.entries(names)) {
      const entry = performance.getEntriesByName(name).find((candidate) => candidate.startTime >= started)
      if (entry) times[key] = entry.startTime
    }
    return times
  }, runMark)
  const span = (from: keyof typeof runMark, to: keyof typeof runMark) => (at[to] ?? Number.NaN) - (at[from] ?? Number.NaN)
  const workerStages = timings.loadModelMs + timings.createSessionMs + timings.preprocessingMs + timings.inferenceMs + timings.postprocessingMs
  return [
    ...(warmup ? [{ stage: 'session prepared before the click', ms: warmup.loadModelMs + warmup.createSessionMs }] : []),
    { stage: 'pixels out of the cache', ms: span('click', 'pixelsRead') },
    { stage: 'posting the request', ms: span('pixelsRead', 'posted') },
    { stage: 'transfer to the worker', ms: span('posted', 'workerReceived') },
    { stage: 'model load + session', ms: timings.loadModelMs + timings.createSessionMs },
    { stage: 'pre-processing', ms: timings.preprocessingMs },
    { stage: 'inference passes', ms: timings.inferenceMs },
    { stage: 'post-processing', ms: timings.postprocessingMs },
    { stage: 'worker, other', ms: span('workerReceived', 'workerReplied') - workerStages },
    { stage: 'transfer back', ms: span('workerReplied', 'resultReceived') },
    ...(segmentation
      ? [
          { stage: 'labelmap document', ms: span('resultReceived', 'labelmapBuilt') },
          { stage: 'labelmap drawn', ms: span('labelmapBuilt', 'labelmapShown') },
          { stage: 'click to labelmap', ms: span('click', 'labelmapShown') },
        ]
      : [{ stage: 'click to result', ms: span('click', 'resultReceived') }]),
  ]
}
