import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig, type Obj } from '../../../test/fake-apiserver/index.js'
import { scratchDir } from '../../../test/scratch-dir.js'
import { createKubeClient, type KubeClient } from './kube-client.js'
import { loadKubeConfig } from './kube-config.js'
import { formatKubeError, type KubeError } from './kube-error.js'
import type { KindName } from './resources.js'
import type { Change, Store } from './watch-store.js'
import { watchKind, type SyncEvent, type Watcher, type WatcherOptions } from './watcher.js'

let fake: FakeApiServer
let client: KubeClient
const dir = scratchDir('netpol-watch-')
const watchers: Watcher[] = []

beforeAll(async () => {
  fake = await FakeApiServer.start({ historyLimit: 1000 })
})
afterAll(() => fake.close())
beforeEach(() => {
  const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'kind-w' }), env: {} })
  if (!cfg.ok) throw new Error(formatKubeError(cfg.error))
  client = createKubeClient(cfg.value)
})
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()))
  await fake.restart()
  fake.allowAll()
  for (const kind of ['Pod', 'Namespace', 'Service']) for (const o of fake.all(kind)) fake.remove(kind, o.metadata.namespace, o.metadata.name)
})

const FAST = { initialMs: 40, maxMs: 300, factor: 2, jitter: 0.5 }

interface Seen {
  readonly syncs: SyncEvent[]
  readonly changes: string[]
  readonly errors: { error: KubeError; retryInMs: number }[]
}

function follow(kind: KindName, opts: WatcherOptions = {}): { w: Watcher; seen: Seen } {
  const seen: Seen = { syncs: [], changes: [], errors: [] }
  const w = watchKind(client, kind, { backoff: FAST, ...opts }, {
    onSync: (s) => seen.syncs.push(s),
    onChange: (c: Change) => seen.changes.push(`${c.type} ${c.key}${c.type !== 'deleted' ? ` ${c.object.metadata.resourceVersion}` : ''}`),
    onError: (error, r) => seen.errors.push({ error, retryInMs: r.retryInMs }),
  })
  watchers.push(w)
  return { w, seen }
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const pod = (name: string, nodeName = 'node-a', labels: Record<string, string> = { app: 'web' }): Obj => ({
  kind: 'Pod', metadata: { namespace: 'shop', name, labels }, spec: { nodeName }, status: { phase: 'Running', podIP: '10.0.0.1' },
})
const names = (s: Store) => [...s.keys()].sort()
const watchRequests = () => fake.requests.filter((r) => r.query.watch === '1')

describe('watcher', () => {
  test('lists in pages, then watches from the list resourceVersion: every event type', async () => {
    fake.apply(pod('a'), pod('b'), pod('c'))
    const { w, seen } = follow('Pod', { limit: 2 })
    await w.synced()
    expect(seen.syncs).toHaveLength(1)
    expect(seen.syncs[0]!.reason).toBe('initial')
    expect(seen.syncs[0]!.changes.map((c) => `${c.type} ${c.key}`)).toEqual(['added shop/a', 'added shop/b', 'added shop/c'])
    expect(names(w.store)).toEqual(['shop/a', 'shop/b', 'shop/c'])
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    const rv = seen.syncs[0]!.resourceVersion
    expect(watchRequests().at(-1)!.query).toMatchObject({ resourceVersion: rv, allowWatchBookmarks: 'true', watch: '1' })
    const [d] = fake.apply(pod('d'))
    const [b2] = fake.apply({ ...pod('b'), metadata: { namespace: 'shop', name: 'b', labels: { app: 'api' } } })
    fake.remove('Pod', 'shop', 'a')
    await until(() => seen.changes.length === 3, 'three events')
    expect(seen.changes).toEqual([`added shop/d ${d!.metadata.resourceVersion}`, `modified shop/b ${b2!.metadata.resourceVersion}`, 'deleted shop/a'])
    expect(names(w.store)).toEqual(['shop/b', 'shop/c', 'shop/d'])
    expect(w.store.get('shop/b')).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { labels: { app: 'api' } } })
    expect(w.stats).toMatchObject({ events: 3, relists: 0, watchRestarts: 0, objects: 3, synced: true, resourceVersion: String(fake.resourceVersion) })
    expect(w.stats.lastEventLagMs).toBeGreaterThanOrEqual(0)
  })

  test('a watch that ends resumes from the last resourceVersion: nothing missed, nothing twice', async () => {
    fake.apply(pod('a'))
    const { w, seen } = follow('Pod')
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    fake.apply(pod('b'))
    await until(() => seen.changes.length === 1, 'the first event')
    const last = w.stats.resourceVersion
    // the stream ends, and changes happen before the watcher is back
    fake.endWatches('Pod')
    fake.apply(pod('c'))
    fake.remove('Pod', 'shop', 'a')
    await until(() => seen.changes.length === 3, 'the events made while no watch was open')
    expect(seen.changes.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['added shop/b', 'added shop/c', 'deleted shop/a'])
    expect(watchRequests().at(-1)!.query.resourceVersion).toBe(last)
    expect(names(w.store)).toEqual(['shop/b', 'shop/c'])
    expect(w.stats).toMatchObject({ watchRestarts: 1, relists: 0, events: 3 })
    expect(seen.syncs).toHaveLength(1)
  })

  test('a bookmark moves the resourceVersion a resumed watch starts from', async () => {
    const { w } = follow('Pod')
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    fake.apply({ kind: 'Service', metadata: { namespace: 'shop', name: 's' }, spec: { ports: [{ port: 80 }] } }) // another kind moves the revision on
    fake.bookmark('Pod')
    const rv = String(fake.resourceVersion)
    await until(() => w.stats.bookmarks === 1, 'the bookmark')
    expect(w.stats.resourceVersion).toBe(rv)
    fake.endWatches('Pod')
    await until(() => w.stats.watchRestarts === 1 && fake.openWatches('Pod') === 1, 'the resumed watch')
    expect(watchRequests().at(-1)!.query.resourceVersion).toBe(rv)
    expect(w.stats.events).toBe(0)
  })

  test('410 Gone: relist, and the store is replaced whole after the list, never emptied', async () => {
    fake.apply(pod('a'), pod('b'))
    const { w, seen } = follow('Pod')
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    const before = w.store
    // the history is lost and the open watch gets ERROR 410; meanwhile b changed, c came and a went
    fake.compact('Pod')
    fake.endWatches('Pod')
    fake.apply({ ...pod('b'), spec: { nodeName: 'node-b' } }, pod('c'))
    fake.remove('Pod', 'shop', 'a')
    fake.compact('Pod', { expireOpenWatches: true })
    await until(() => seen.syncs.length === 2, 'the relist')
    const relist = seen.syncs[1]!
    expect(relist.reason).toBe('relist')
    expect(relist.changes.map((c) => `${c.type} ${c.key}`)).toEqual(['modified shop/b', 'added shop/c', 'deleted shop/a'])
    expect(names(relist.store)).toEqual(['shop/b', 'shop/c'])
    expect(w.store).toBe(relist.store)
    // the old store is untouched: a consumer holding it never saw it emptied or half-built
    expect(names(before)).toEqual(['shop/a', 'shop/b'])
    expect(w.stats.relists).toBe(1)
    // the watch goes on from the relist's resourceVersion
    await until(() => fake.openWatches('Pod') === 1, 'the watch after the relist')
    expect(watchRequests().at(-1)!.query.resourceVersion).toBe(relist.resourceVersion)
    fake.apply(pod('d'))
    await until(() => w.store.has('shop/d'), 'an event after the relist')
  })

  test('API down: backoff with jitter, the store unchanged, then resynced from where it was', async () => {
    fake.apply(pod('a'), pod('b'))
    const randoms = [0.1, 0.9, 0.5]
    let r = 0
    const { w, seen } = follow('Pod', { timeoutSeconds: 60, random: () => randoms[r++ % 3]! })
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    await fake.stop()
    await until(() => seen.errors.length >= 4, 'several failed retries')
    expect(seen.errors.every((e) => e.error.code === 'unreachable')).toBe(true)
    // the open watch is cut first, then connections are refused
    expect(formatKubeError(seen.errors[0]!.error)).toBe(`cluster kind-w: cannot reach the API server ${fake.url}: the connection was closed during the request (ECONNRESET)`)
    expect(formatKubeError(seen.errors[1]!.error)).toMatch(new RegExp(`^cluster kind-w: cannot reach the API server ${fake.url}: connect ECONNREFUSED`))
    // growing delays, each shortened by its jitter, never above the cap
    const delays = seen.errors.map((e) => e.retryInMs)
    // 40·2^n capped at 300, shortened by 0.5·random: 40·0.95, 80·0.55, 160·0.75, 300·0.95
    expect(delays.slice(0, 4)).toEqual([38, 44, 120, 285])
    expect(Math.max(...delays)).toBeLessThanOrEqual(300)
    expect(names(w.store)).toEqual(['shop/a', 'shop/b'])
    // changes while the API is down reach the watcher when it is back
    fake.remove('Pod', 'shop', 'a')
    fake.apply(pod('c'))
    await fake.restart()
    await until(() => w.store.has('shop/c') && !w.store.has('shop/a'), 'the resync')
    expect(w.stats.relists).toBe(0)
    expect(names(w.store)).toEqual(['shop/b', 'shop/c'])
  })

  test('a pod moving to another node leaves a node-selected watch as DELETED', async () => {
    fake.apply(pod('a', 'node-a'), pod('b', 'node-b'))
    const { w, seen } = follow('Pod', { fieldSelector: 'spec.nodeName=node-a' })
    await w.synced()
    expect(names(w.store)).toEqual(['shop/a'])
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    fake.apply(pod('a', 'node-b'))
    fake.apply(pod('b', 'node-a'))
    await until(() => seen.changes.length === 2, 'two events')
    expect(seen.changes.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['deleted shop/a', 'added shop/b'])
    expect(names(w.store)).toEqual(['shop/b'])
  })

  test('RBAC denial is reported and retried; the watcher syncs once access is granted', async () => {
    fake.apply({ kind: 'Namespace', metadata: { name: 'shop' } })
    fake.deny({ resource: 'namespaces' })
    const { w, seen } = follow('Namespace')
    await until(() => seen.errors.length >= 1, 'the denial')
    expect(formatKubeError(seen.errors[0]!.error)).toBe(
      'cluster kind-w: user "system:serviceaccount:netpol:netpol" cannot list namespaces at cluster scope: grant get/list/watch on namespaces; see deploy/20-rbac.yaml',
    )
    expect(w.stats.synced).toBe(false)
    fake.allowAll()
    await w.synced()
    expect(names(w.store)).toEqual(['shop'])
  })

  test.each([
    { name: 'an ERROR event other than 410', line: JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: leader changed', reason: 'InternalError', code: 500 } }),
      want: 'the API server URL answered 500 to watch pods: etcdserver: leader changed' },
    { name: 'a line that is not JSON', line: '{"type":"ADDED","obj', want: 'the API server URL sent a reply that is not Kubernetes JSON: {"type":"ADDED","obj' },
  ])('$name: reported, then the watch resumes from the same resourceVersion (no relist)', async ({ line, want }) => {
    fake.apply(pod('a'))
    const { w, seen } = follow('Pod')
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    const rv = w.stats.resourceVersion
    fake.sendRaw('Pod', line)
    await until(() => seen.errors.length === 1, 'the error')
    expect(formatKubeError(seen.errors[0]!.error)).toBe(`cluster kind-w: ${want.replace('URL', fake.url)}`)
    await until(() => fake.openWatches('Pod') === 1 && w.stats.watchRestarts === 1, 'the resumed watch')
    expect(watchRequests().at(-1)!.query.resourceVersion).toBe(rv)
    fake.apply(pod('b'))
    await until(() => w.store.has('shop/b'), 'an event after the error')
    expect(w.stats).toMatchObject({ relists: 0, errors: 1 })
  })

  test('an event split across chunks is read once whole', async () => {
    const { w, seen } = follow('Pod')
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    const line = JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: { namespace: 'shop', name: 'split', resourceVersion: '999999' } } })
    fake.sendRaw('Pod', line.slice(0, 40), { newline: false })
    await new Promise((r) => setTimeout(r, 30))
    fake.sendRaw('Pod', line.slice(40))
    await until(() => seen.changes.length === 1, 'the event')
    expect(seen.changes).toEqual(['added shop/split 999999'])
    expect(w.stats.resourceVersion).toBe('999999')
  })

  test('API down before the first list: retried until it is back', async () => {
    fake.apply(pod('a'))
    await fake.stop()
    const { w, seen } = follow('Pod')
    await until(() => seen.errors.length >= 2, 'failed lists')
    expect(w.stats.synced).toBe(false)
    await fake.restart()
    await w.synced()
    expect(names(w.store)).toEqual(['shop/a'])
  })

  test('converges on the server state through many changes, ended watches and expired histories', async () => {
    let seed = 7
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const { w } = follow('Pod', { limit: 7 })
    await w.synced()
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 25; i++) {
        const name = `p${Math.floor(rnd() * 30)}`
        if (rnd() < 0.3) fake.remove('Pod', 'shop', name)
        else fake.apply(pod(name, rnd() < 0.5 ? 'node-a' : 'node-b', { app: `v${Math.floor(rnd() * 3)}` }))
      }
      const r = rnd()
      if (r < 0.15) fake.endWatches('Pod')
      else if (r < 0.22) fake.compact('Pod', { expireOpenWatches: true })
      await new Promise((res) => setTimeout(res, rnd() * 15))
    }
    const want = () => fake.all('Pod').map((o) => `${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort()
    const have = () => [...w.store.values()].map((o) => `${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort()
    await until(() => have().join() === want().join(), 'convergence', 10_000)
    expect(have()).toEqual(want())
    expect(w.stats.watchRestarts).toBeGreaterThan(0)
    expect(w.stats.relists).toBeGreaterThan(0)
  })

  test('stop() ends the watch and the loop', async () => {
    const { w } = follow('Pod')
    await w.synced()
    await until(() => fake.openWatches('Pod') === 1, 'the watch')
    await w.stop()
    await until(() => fake.openWatches('Pod') === 0, 'the watch to close')
  })
})
