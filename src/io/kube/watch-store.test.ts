import { describe, expect, test } from 'vitest'
import type { KubeObject } from './kube-object.js'
import { API_RESOURCES } from './resources.js'
import { applyEvent, backoffDelay, diffStores, eventLagMs, readWatchEvent, storeOf } from './watch-store.js'

const pod = (name: string, rv: string, ns = 'a'): KubeObject => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: ns, resourceVersion: rv } })

describe('readWatchEvent', () => {
  test.each([
    { name: 'ADDED fills kind and apiVersion', event: { type: 'ADDED', object: { metadata: { name: 'p', namespace: 'a', resourceVersion: '7' } } },
      want: { step: 'object', type: 'ADDED', resourceVersion: '7', object: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'a', resourceVersion: '7' } } } },
    { name: 'BOOKMARK carries the resourceVersion', event: { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '9' } } },
      want: { step: 'bookmark', resourceVersion: '9' } },
    { name: 'ERROR 410 asks for a relist', event: { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } },
      want: { step: 'expired', message: 'too old resource version: 1 (5)' } },
    { name: 'ERROR 500 is an error', event: { type: 'ERROR', object: { kind: 'Status', code: 500, message: 'etcd down' } },
      want: { step: 'error', status: 500, message: 'etcd down' } },
    { name: 'an object without a name is an error', event: { type: 'MODIFIED', object: { metadata: {} } },
      want: { step: 'error', status: 0, message: 'a MODIFIED event without metadata.name' } },
    { name: 'an unknown type is an error', event: { type: 'SYNC', object: {} },
      want: { step: 'error', status: 0, message: 'unknown watch event type "SYNC"' } },
    { name: 'not an event', event: [1], want: { step: 'error', status: 0, message: 'a line of the watch stream is not a watch event' } },
  ])('$name', ({ event, want }) => expect(readWatchEvent(API_RESOURCES.Pod, event)).toEqual(want))
})

describe('applyEvent', () => {
  test.each([
    { name: 'ADDED of a new object adds it', start: [], type: 'ADDED' as const, obj: pod('p', '2'), change: 'added', keys: ['a/p'] },
    { name: 'ADDED of a known object modifies it (replay)', start: [pod('p', '1')], type: 'ADDED' as const, obj: pod('p', '2'), change: 'modified', keys: ['a/p'] },
    { name: 'MODIFIED of an unknown object adds it', start: [], type: 'MODIFIED' as const, obj: pod('p', '2'), change: 'added', keys: ['a/p'] },
    { name: 'MODIFIED replaces', start: [pod('p', '1'), pod('q', '1')], type: 'MODIFIED' as const, obj: pod('q', '3'), change: 'modified', keys: ['a/p', 'a/q'] },
    { name: 'DELETED removes', start: [pod('p', '1'), pod('q', '1')], type: 'DELETED' as const, obj: pod('p', '4'), change: 'deleted', keys: ['a/q'] },
    { name: 'DELETED of an unknown object changes nothing', start: [pod('q', '1')], type: 'DELETED' as const, obj: pod('p', '4'), change: undefined, keys: ['a/q'] },
  ])('$name', ({ start, type, obj, change, keys }) => {
    const store = storeOf(start)
    expect(applyEvent(store, type, obj)?.type).toBe(change)
    expect([...store.keys()]).toEqual(keys)
  })

  test('a cluster-scoped object is keyed by name', () => {
    const store = storeOf([])
    applyEvent(store, 'ADDED', { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'shop' } })
    expect([...store.keys()]).toEqual(['shop'])
  })
})

describe('diffStores', () => {
  test.each([
    { name: 'no change', before: [pod('p', '1')], after: [pod('p', '1')], want: [] },
    { name: 'added, modified, deleted', before: [pod('p', '1'), pod('q', '1')], after: [pod('p', '2'), pod('r', '1')], want: ['modified a/p', 'added a/r', 'deleted a/q'] },
    { name: 'everything added on the first list', before: [], after: [pod('p', '1'), pod('q', '1')], want: ['added a/p', 'added a/q'] },
    { name: 'everything deleted when the list is empty', before: [pod('p', '1')], after: [], want: ['deleted a/p'] },
  ])('$name', ({ before, after, want }) => {
    expect(diffStores(storeOf(before), storeOf(after)).map((c) => `${c.type} ${c.key}`)).toEqual(want)
  })
})

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 }
  test.each([
    { attempt: 0, random: 0, want: 100 },
    { attempt: 0, random: 1, want: 50 },
    { attempt: 1, random: 0, want: 200 },
    { attempt: 3, random: 0, want: 800 },
    { attempt: 4, random: 0, want: 1000 },
    { attempt: 50, random: 0, want: 1000 },
    { attempt: 50, random: 0.5, want: 750 },
    { attempt: -1, random: 0, want: 100 },
  ])('attempt $attempt, random $random → $want ms', ({ attempt, random, want }) => expect(backoffDelay(attempt, random, policy)).toBe(want))

  test('never above the cap, never below half of it once capped', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(i % 30, Math.random(), policy)
      expect(d).toBeLessThanOrEqual(1000)
      if (i % 30 >= 4) expect(d).toBeGreaterThanOrEqual(500)
    }
  })
})

describe('eventLagMs', () => {
  const now = Date.parse('2026-01-01T00:00:10Z')
  test.each([
    { name: 'creation time', meta: { creationTimestamp: '2026-01-01T00:00:07Z' }, want: 3000 },
    { name: 'the latest managedFields time', meta: { creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{ time: '2026-01-01T00:00:08Z' }, { time: '2026-01-01T00:00:02Z' }] }, want: 2000 },
    { name: 'deletion time', meta: { creationTimestamp: '2026-01-01T00:00:00Z', deletionTimestamp: '2026-01-01T00:00:09Z' }, want: 1000 },
    { name: 'nothing to tell', meta: {}, want: undefined },
    { name: 'a clock ahead is no negative lag', meta: { creationTimestamp: '2026-01-01T00:00:20Z' }, want: 0 },
  ])('$name', ({ meta, want }) => expect(eventLagMs({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', ...meta } }, now)).toBe(want))
})
