import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createEmitter } from './emitter'

test('delivers each event to its own listeners, in subscription order', () => {
  const emitter = createEmitter<{ a: number; b: string }>()
  const seen: string[] = []
  emitter.on('a', (n) => seen.push(`first ${n}`))
  emitter.on('a', (n) => seen.push(`second ${n}`))
  emitter.on('b', (s) => seen.push(`b ${s}`))
  emitter.emit('a', 1)
  emitter.emit('b', 'x')
  assert.deepEqual(seen, ['first 1', 'second 1', 'b x'])
})

test('unsubscribing during delivery neither skips nor repeats the others', () => {
  const emitter = createEmitter<{ a: number }>()
  const seen: number[] = []
  const off = emitter.on('a', () => {
    seen.push(1)
    off()
  })
  emitter.on('a', () => seen.push(2))
  emitter.emit('a', 0)
  emitter.emit('a', 0)
  assert.deepEqual(seen, [1, 2, 2])
})

test('clear drops every listener', () => {
  const emitter = createEmitter<{ a: number }>()
  let calls = 0
  emitter.on('a', () => (calls += 1))
  emitter.clear()
  emitter.emit('a', 0)
  assert.equal(calls, 0)
})
