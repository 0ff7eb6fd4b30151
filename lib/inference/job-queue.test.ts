import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InferenceCancelled, JobQueue, type Job } from './job-queue'

// The worker's queue: one job at a time in arrival order; a cancel drops a waiting job at
// once and stops a running one at its next checkpoint, even when the job never yields to
// the event loop on its own (the cancel message is a task of its own).

const deferred = () => {
  let resolve!: () => void
  const promise = new Promise<void>((done) => (resolve = done))
  return { promise, resolve }
}

describe('job queue', { timeout: 5000 }, () => {
  it('runs jobs one at a time, in the order they came', async () => {
    const queue = new JobQueue()
    const events: string[] = []
    const first = deferred()
    const done = deferred()
    queue.enqueue(
      1,
      async () => {
        events.push('1 start')
        await first.promise
        events.push('1 end')
      },
      () => events.push('1 dropped'),
    )
    queue.enqueue(
      2,
      async () => {
        events.push('2 start')
        done.resolve()
      },
      () => events.push('2 dropped'),
    )
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(events, ['1 start'])
    first.resolve()
    await done.promise
    assert.deepEqual(events, ['1 start', '1 end', '2 start'])
  })

  it('drops a waiting job when it is cancelled, and runs the next', async () => {
    const queue = new JobQueue()
    const events: string[] = []
    const first = deferred()
    const done = deferred()
    queue.enqueue(
      1,
      () => first.promise,
      () => events.push('1 dropped'),
    )
    queue.enqueue(
      2,
      async () => void events.push('2 ran'),
      () => events.push('2 dropped'),
    )
    queue.enqueue(
      3,
      async () => done.resolve(),
      () => events.push('3 dropped'),
    )
    queue.cancel(2)
    assert.deepEqual(events, ['2 dropped'])
    first.resolve()
    await done.promise
    assert.deepEqual(events, ['2 dropped'])
  })

  it('stops a running job at its next checkpoint, even one that only awaits microtasks', async () => {
    const queue = new JobQueue()
    let steps = 0
    const outcome = new Promise<unknown>((resolve) => {
      queue.enqueue(
        7,
        async (job: Job) => {
          try {
            for (; steps < 10_000; steps++) {
              await job.checkpoint()
              await Promise.resolve()
            }
            resolve('finished')
          } catch (error) {
            resolve(error)
          }
        },
        () => resolve('dropped'),
      )
    })
    // The cancel arrives as its own task, like a message from the page.
    setTimeout(() => queue.cancel(7), 0)
    const result = await outcome
    assert.ok(result instanceof InferenceCancelled, `the job was not stopped: ${String(result)}`)
    assert.ok(steps < 10_000)
  })

  it('a cancel concerns only its own job, and a finished job has nothing to cancel', async () => {
    const queue = new JobQueue()
    const checkpoints: string[] = []
    const done = deferred()
    queue.enqueue(
      1,
      async (job) => {
        await job.checkpoint()
        checkpoints.push('1 passed')
      },
      () => checkpoints.push('1 dropped'),
    )
    queue.cancel(99)
    queue.enqueue(
      2,
      async (job) => {
        queue.cancel(1)
        await job.checkpoint()
        checkpoints.push('2 passed')
        done.resolve()
      },
      () => checkpoints.push('2 dropped'),
    )
    await done.promise
    assert.deepEqual(checkpoints, ['1 passed', '2 passed'])
  })

  it('keeps going after a job that rejects', async () => {
    const queue = new JobQueue()
    const done = deferred()
    const logged = console.error
    console.error = () => {}
    try {
      queue.enqueue(
        1,
        async () => {
          throw new Error('no reply')
        },
        () => {},
      )
      queue.enqueue(
        2,
        async () => done.resolve(),
        () => {},
      )
      await done.promise
    } finally {
      console.error = logged
    }
  })
})
