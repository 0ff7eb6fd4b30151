import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RunProgress } from './inference-protocol'
import { throttled } from './progress-throttle'

test('per-image progress is thinned to one message per interval, keeping every new stage and the end of each', () => {
  let clock = 0
  const sent: RunProgress[] = []
  const progress = throttled(
    (message) => sent.push(message),
    100,
    () => clock,
  )
  progress({ stage: 'loading-model', done: 0, total: 1 })
  for (let done = 0; done <= 275; done++) {
    progress({ stage: 'inference', done, total: 275 })
    clock += 10
  }
  assert.deepEqual(sent[0], { stage: 'loading-model', done: 0, total: 1 })
  assert.deepEqual(sent[1], { stage: 'inference', done: 0, total: 275 })
  assert.deepEqual(sent.at(-1), { stage: 'inference', done: 275, total: 275 })
  // 2.76 s of images at one message per 100 ms, plus the first stage and the end.
  assert.ok(sent.length >= 28 && sent.length <= 31, `${sent.length} messages`)
})
