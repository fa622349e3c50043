import { runInNewContext } from 'node:vm'
import { expect, test } from 'vitest'
import { garbageCollector } from './garbage-collector.js'

test('the collector runs; gc is not left exposed to contexts created afterwards', () => {
  const exposedAtStart = typeof (globalThis as { gc?: unknown }).gc === 'function'
  const collect = garbageCollector()
  expect(collect).toBeTypeOf('function')
  expect(() => collect!()).not.toThrow()
  if (!exposedAtStart) expect(runInNewContext('typeof gc')).toBe('undefined')
})
