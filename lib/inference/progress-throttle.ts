import type { RunProgress } from './inference-protocol'

/**
 * Progress at most every `intervalMs` (a 2D model reports each image, and each message
 * re-renders the panel), but always on a new stage and at the end of one.
 */
export function throttled(send: (progress: RunProgress) => void, intervalMs = 100, clock: () => number = () => performance.now()) {
  let last = -Infinity
  let stage: RunProgress['stage'] | null = null
  return (progress: RunProgress) => {
    const now = clock()
    if (progress.stage === stage && progress.done < progress.total && now - last < intervalMs) return
    stage = progress.stage
    last = now
    send(progress)
  }
}
