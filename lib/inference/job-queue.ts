// The inference worker's requests run one at a time, in the order they came: two runs
// interleaved in one ORT session (or one WASM heap) would compete for the same memory and
// neither would finish sooner. A cancel does not queue: a request still waiting is dropped
// at once, a running one stops at its next checkpoint (between images, tiles and forward
// passes), where the job yields to the event loop so that the cancel message is read.

export class InferenceCancelled extends Error {
  constructor() {
    super('Cancelled')
    this.name = 'InferenceCancelled'
  }
}

export interface Job {
  readonly id: number
  /** Lets pending messages (a cancel) in, then throws InferenceCancelled if this job was cancelled. */
  checkpoint(): Promise<void>
}

interface Waiting {
  id: number
  run: (job: Job) => Promise<void>
  dropped: () => void
}

/** A macrotask, not a microtask: only then does the worker's message handler get to run. */
/**
 * A new task, so that a cancel message waiting on the port is read. Not setTimeout(0): timers
 * set from timer callbacks are clamped to 4 ms, which a checkpoint per image of a 275-image
 * series paid every time (over a second); a message on a fresh channel is not clamped.
 */
function nextTask(): Promise<void> {
  return new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel()
    port1.onmessage = () => {
      port1.close()
      resolve()
    }
    port2.postMessage(null)
  })
}

export class JobQueue {
  private readonly waiting: Waiting[] = []
  private readonly cancelled = new Set<number>()
  private running: number | null = null

  constructor(private readonly yieldToEvents: () => Promise<void> = nextTask) {}

  /**
   * Runs `run` after every job enqueued before it. `run` must settle on its own errors
   * (a rejection is logged, not replied); `dropped` is called instead of `run` when the job
   * is cancelled before it starts.
   */
  enqueue(id: number, run: (job: Job) => Promise<void>, dropped: () => void): void {
    this.waiting.push({ id, run, dropped })
    if (this.running === null) void this.drain()
  }

  /** Cancels a waiting or running job; a job that already finished has nothing to cancel. */
  cancel(id: number): void {
    const index = this.waiting.findIndex((entry) => entry.id === id)
    if (index >= 0) this.waiting.splice(index, 1)[0]!.dropped()
    else if (this.running === id) this.cancelled.add(id)
  }

  private async drain() {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      const { id, run } = next
      this.running = id
      const job: Job = {
        id,
        checkpoint: async () => {
          await this.yieldToEvents()
          if (this.cancelled.has(id)) throw new InferenceCancelled()
        },
      }
      try {
        await run(job)
      } catch (error) {
        console.error(`[inference] request ${id} failed without a reply`, error)
      }
      this.cancelled.delete(id)
    }
    this.running = null
  }
}
