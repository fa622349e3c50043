/**
 * The agent loop fed by the live cluster: the FAKE API server of the tests (real TLS sockets, the API's wire
 * format) → watchers → the loop → FakeNft. What the kernel holds is FakeNft's dump.
 */
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { FakeApiServer, writeFakeKubeconfig, type Obj } from '../../test/fake-apiserver/index.js'
import { scratchDir } from '../../test/scratch-dir.js'
import { FakeNft } from '../dataplane/fake-nft.js'
import type { NftRunner } from '../dataplane/nft-runner.js'
import { createKubeClient, type KubeClient } from '../io/kube/kube-client.js'
import { loadKubeConfig } from '../io/kube/kube-config.js'
import { formatKubeError } from '../io/kube/kube-error.js'
import { formatIssue } from '../cli/render/format-issue.js'
import { followCluster, podsOfNode, type ClusterInput } from './cluster-input.js'
import { AgentLoop, type AgentEvent } from './loop.js'

let fake: FakeApiServer
let client: KubeClient
const dir = scratchDir('netpol-agent-cluster-')
const FAST = { initialMs: 40, maxMs: 200, factor: 2, jitter: 0.5 }

beforeAll(async () => {
  fake = await FakeApiServer.start({ historyLimit: 100_000 })
})
afterAll(() => fake.close())
beforeEach(() => {
  const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir.path(), 'config'), fake, { context: 'kind-a' }), env: {} })
  if (!cfg.ok) throw new Error(formatKubeError(cfg.error))
  client = createKubeClient(cfg.value)
  fake.apply(
    { kind: 'Namespace', metadata: { name: 'db', labels: { team: 'data' } } },
    { kind: 'Namespace', metadata: { name: 'web' } },
    podObj('db', 'pg', 'n1', '10.244.1.5', { app: 'pg' }),
    podObj('web', 'front', 'n2', '10.244.2.7', { app: 'front' }),
    { kind: 'NetworkPolicy', metadata: { namespace: 'db', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
  )
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r()))
  await fake.restart()
  fake.allowAll()
  for (const kind of ['Pod', 'Namespace', 'NetworkPolicy', 'Service']) for (const o of fake.all(kind)) fake.remove(kind, o.metadata.namespace, o.metadata.name)
})

function podObj(ns: string, name: string, node: string, ip: string | undefined, labels: Record<string, string> = {}): Obj {
  return {
    kind: 'Pod',
    metadata: { namespace: ns, name, labels },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 5432 }] }] },
    status: ip === undefined ? { phase: 'Pending', hostIP: '192.168.0.1' } : { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '192.168.0.1' },
  }
}

const running: (() => Promise<void>)[] = []

/** The agent of node `node` on a FakeNft, following the fake; every table state after each transaction is kept. */
async function startAgent(node = 'n1') {
  const nft = new FakeNft()
  const states: string[] = []
  const events: AgentEvent[] = []
  const runner: NftRunner = {
    run: async (tx) => {
      const r = await nft.run(tx)
      states.push(nft.dump())
      return r
    },
    check: (tx) => nft.check(tx),
    objects: (t) => nft.objects(t),
  }
  let loop: AgentLoop | null = null
  const input: ClusterInput = followCluster(client, { formatIssue, onChange: () => loop?.trigger() }, { backoff: FAST })
  loop = new AgentLoop({ table: 'netpol', mode: 'enforce', managed: podsOfNode(node), debounceMs: 20, graceMs: 5, backoff: { initialMs: 20, maxMs: 100 } }, {
    load: () => input.load(),
    runner,
    report: (e) => events.push(e),
  })
  await input.synced()
  while (fake.openWatches() < 11) await sleep(5)
  loop.start()
  await loop.idle()
  const l = loop
  running.push(async () => {
    await l.stop()
    await input.stop()
  })
  return { nft, states, events, loop: l, input, settle: () => settle(l) }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Waits for the debounce to fire and the loop to be idle again. */
async function settle(loop: AgentLoop): Promise<void> {
  await sleep(60)
  await loop.idle()
}
/** The generation suffix of a name is its last part: `in4_HASH_gGEN`. */
const noGeneration = (text: string): string => text.replace(/_g[0-9a-z]+(?=[\s,;}]|$)/gm, '_G')
/** Every element of every set and map but the writer token, as `set: element`: what a packet meets. */
const elements = (dump: string): string[] =>
  [...noGeneration(dump).matchAll(/(?:set|map) (\w+) \{[^}]*?elements = \{([^}]*)\}/g)]
    .filter((m) => !m[1]!.startsWith('writer'))
    .flatMap((m) => m[2]!.split(',').map((e) => `${m[1]}: ${e.trim()}`))
/** A dump without generation names and the writer token: equal for equal rules. */
const normalized = (dump: string): string => noGeneration(dump).replace(/(set writer(?:_G)? \{[^}]*?elements = \{)[^}]*\}/s, '$1 TOKEN }')

const ingressMap = (nft: FakeNft) => nft.dump().match(/map in4_g\w+ \{[^}]*\}/s)?.[0] ?? ''

describe('the agent following the cluster', () => {
  test('the first sync applies only once every kind is listed; this node is n1', async () => {
    const a = await startAgent()
    expect(a.loop.ready).toBe(true)
    expect(a.events.filter((e) => e.kind === 'applied')).toHaveLength(1)
    expect(ingressMap(a.nft)).toContain('10.244.1.5 : jump')
    // the pod of n2 is not filtered here, though it is known as a peer
    expect(ingressMap(a.nft)).not.toContain('10.244.2.7')
  })

  test('events of every kind that the rules depend on change the table; the others trigger a sync that changes nothing', async () => {
    const a = await startAgent()
    // NetworkPolicy ADDED: pg admits the namespaces labelled team=data
    fake.apply({ kind: 'NetworkPolicy', metadata: { namespace: 'db', name: 'allow' }, spec: { podSelector: { matchLabels: { app: 'pg' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } } }] }] } })
    await a.settle()
    const afterPolicy = a.nft.dump()
    expect(afterPolicy).not.toContain('10.244.2.7')
    // Namespace MODIFIED: web gets the label, its pod becomes a peer of pg
    fake.apply({ kind: 'Namespace', metadata: { name: 'web', labels: { team: 'web' } } })
    await a.settle()
    expect(a.nft.dump()).toContain('10.244.2.7')
    // Pod ADDED with its address: another pod of web, another peer
    fake.apply(podObj('web', 'front2', 'n2', '10.244.2.8'))
    await a.settle()
    expect(a.nft.dump()).toContain('10.244.2.8')
    // Pod DELETED
    fake.remove('Pod', 'web', 'front2')
    await a.settle()
    expect(a.nft.dump()).not.toContain('10.244.2.8')
    // NetworkPolicy MODIFIED, then DELETED
    fake.apply({ kind: 'NetworkPolicy', metadata: { namespace: 'db', name: 'allow' }, spec: { podSelector: { matchLabels: { app: 'none' } }, ingress: [{}] } })
    await a.settle()
    expect(a.nft.dump()).not.toContain('10.244.2.7')
    fake.remove('NetworkPolicy', 'db', 'deny')
    fake.remove('NetworkPolicy', 'db', 'allow')
    await a.settle()
    expect(ingressMap(a.nft)).not.toContain('10.244.1.5')
    // a Service changes no rule: a sync, no transaction
    const applied = a.events.filter((e) => e.kind === 'applied').length
    fake.apply({ kind: 'Service', metadata: { namespace: 'db', name: 'pg' }, spec: { selector: { app: 'pg' }, ports: [{ port: 5432 }] } })
    await a.settle()
    expect(a.events.at(-1)?.kind).toBe('unchanged')
    expect(a.events.filter((e) => e.kind === 'applied')).toHaveLength(applied)
  })

  test('a watch that ends resumes from its resourceVersion: later events still arrive, nothing is listed again', async () => {
    const a = await startAgent()
    fake.endWatches()
    while (fake.openWatches() < 11) await sleep(5)
    fake.remove('NetworkPolicy', 'db', 'deny')
    await a.settle()
    expect(ingressMap(a.nft)).not.toContain('10.244.1.5')
    const stats = a.input.stats()
    expect(stats.NetworkPolicy).toMatchObject({ relists: 0 })
    expect(stats.NetworkPolicy!.watchRestarts).toBeGreaterThanOrEqual(1)
  })

  test('410 Gone: the kinds are listed again and the table goes from before to after with no state emptier than both', async () => {
    const a = await startAgent()
    const before = elements(a.nft.dump())
    a.states.length = 0
    // changes no watch delivers: made while the watches are cut, then the history is compacted, so the watch
    // from the last resourceVersion is told 410 and the kinds are listed again
    await fake.stop()
    fake.apply(podObj('db', 'pg2', 'n1', '10.244.1.6', { app: 'pg' }))
    fake.remove('Pod', 'web', 'front')
    fake.compact()
    await fake.restart()
    while (a.input.stats().Pod!.relists < 1) await sleep(5)
    await a.settle()
    const after = elements(a.nft.dump())
    expect(after.some((l) => /^in4_G: 10\.244\.1\.6 : jump/.test(l))).toBe(true)
    const both = before.filter((l) => after.includes(l))
    expect(both.length).toBeGreaterThan(0)
    expect(a.states.length).toBeGreaterThan(0)
    expect(after.some((l) => l.includes('10.244.2.7'))).toBe(false)
    for (const s of a.states) expect(both.filter((l) => !elements(s).includes(l))).toEqual([])
  })

  test('API down: the rules stay, the loop stays ready and syncs nothing; back up, the changes made meanwhile arrive', async () => {
    const a = await startAgent()
    const held = a.nft.dump()
    const transactions = a.states.length
    const errors: string[] = []
    await fake.stop()
    // the outage (30 s in production; the backoff is shortened here, so this covers many retries)
    const outage = Number(process.env.NETPOL_TEST_OUTAGE_MS ?? 1500)
    const t0 = Date.now()
    while (Date.now() - t0 < outage) {
      await sleep(100)
      expect(a.loop.ready).toBe(true)
      expect(a.nft.dump()).toBe(held)
    }
    for (const [kind, s] of Object.entries(a.input.stats())) if (s!.errors > 0) errors.push(kind)
    expect(errors.length).toBeGreaterThan(0)
    expect(a.states).toHaveLength(transactions)
    fake.remove('NetworkPolicy', 'db', 'deny')
    await fake.restart()
    for (let i = 0; i < 200 && ingressMap(a.nft).includes('10.244.1.5'); i++) await sleep(20)
    expect(ingressMap(a.nft)).not.toContain('10.244.1.5')
  }, 60_000)

  test('a pod that moves to another node (deleted, made again there) leaves the managed set', async () => {
    const a = await startAgent()
    expect(ingressMap(a.nft)).toContain('10.244.1.5')
    fake.remove('Pod', 'db', 'pg')
    fake.apply(podObj('db', 'pg', 'n2', '10.244.2.9', { app: 'pg' }))
    await a.settle()
    expect(ingressMap(a.nft)).not.toContain('10.244.1.5')
    expect(ingressMap(a.nft)).not.toContain('10.244.2.9')
    // and one that comes to this node joins it
    fake.apply(podObj('db', 'pg3', 'n1', '10.244.1.9', { app: 'pg' }))
    await a.settle()
    expect(ingressMap(a.nft)).toContain('10.244.1.9')
  })

  test('a new pod is filtered once the event that gives its address is applied', async () => {
    const a = await startAgent()
    fake.apply(podObj('db', 'new', 'n1', undefined))
    await a.settle()
    expect(a.events.some((e) => e.kind === 'notes' && e.notes.some((n) => n.code === 'managed-without-address'))).toBe(true)
    fake.apply(podObj('db', 'new', 'n1', '10.244.1.77'))
    await a.settle()
    expect(ingressMap(a.nft)).toContain('10.244.1.77')
  })

  test('100 pod changes a second converge to the table a fresh sync gives', async () => {
    const a = await startAgent()
    const seconds = Number(process.env.NETPOL_TEST_CHURN_SECONDS ?? 5)
    const start = Date.now()
    let n = 0
    for (let tick = 0; Date.now() - start < seconds * 1000; tick++) {
      // 10 changes every 100 ms: pods come, get addresses, change labels, go, on this node and others
      for (let j = 0; j < 10; j++, n++) {
        const i = n % 150
        const node = i % 3 === 0 ? 'n2' : 'n1'
        const ip = `10.244.${node === 'n1' ? 1 : 2}.${10 + (i % 200)}`
        if (n % 7 === 6) fake.remove('Pod', 'db', `p${i}`)
        else fake.apply(podObj('db', `p${i}`, node, n % 5 === 0 ? undefined : ip, { app: n % 2 === 0 ? 'pg' : 'client' }))
      }
      await sleep(Math.max(0, start + (tick + 1) * 100 - Date.now()))
    }
    expect(n).toBeGreaterThanOrEqual(seconds * 90)
    // every event sent has arrived, then the debounce and the syncs are over
    while (a.input.stats().Pod!.resourceVersion !== String(fake.resourceVersion)) await sleep(10)
    await a.settle()
    const fresh = await startAgent()
    expect(elements(a.nft.dump())).toEqual(elements(fresh.nft.dump()))
    expect(normalized(a.nft.dump())).toBe(normalized(fresh.nft.dump()))
    expect(a.input.stats().Pod!.objects).toBe(fake.all('Pod').length)
  }, 120_000)
})
