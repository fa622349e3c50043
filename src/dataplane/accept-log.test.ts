/**
 * The accepted-connection log (logAccepted) on real packets: two pods behind a routing node in scratch network
 * namespaces, the compiled table in the node, ulogd2 reading its nflog group. Needs root; skipped elsewhere.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cluster, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { HeldConnection, sleep } from '../../test/lab-traffic.js'
import { hostSupports } from '../../test/requirements.js'
import { parseUlogdLine, startUlogd, type UlogdCollector } from '../agent/flow-log.js'
import type { Pod } from '../model/cluster.js'
import { acceptLogRules } from './accept-log.js'
import { compilePolicies, type CompiledRuleset } from './compile-policies.js'
import { ExecNftRunner } from './nft-runner.js'
import { twoPods } from '../../test/two-pods.js'
import { diffTables, fullReplace } from './nft-transaction.js'
import { inGeneration } from './table-generations.js'

test('the log rules match new connections of managed pods only, and accept', () => {
  const { forward, toNode } = acceptLogRules({ group: 5, rate: 10, prefix: 'netpol' })
  for (const r of [...forward, ...toNode]) {
    expect(r.exprs[0]).toEqual({ op: 'ct-state', states: ['new'] })
    expect(r.exprs.at(-2)).toEqual({ op: 'limit', perSecond: 10, burst: 20 })
    expect(r.end).toEqual({ kind: 'accept' })
  }
  expect(forward.map((r) => (r.exprs.at(-1) as { prefix: string }).prefix)).toEqual(['netpol accept ingress', 'netpol accept egress', 'netpol accept ingress', 'netpol accept egress'])
})

test('a new pod is one element more in managed4, in the incremental diff and under a generation\'s names', () => {
  const db = namespace('db')
  const one = [pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'] })]
  const compile = (pods: Pod[], previous?: CompiledRuleset) =>
    compilePolicies(cluster({ namespaces: [db], pods, policies: [] }), { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 7, logAccepted: true, ...(previous ? { previous } : {}) })
  const before = compile(one)
  const after = compile([...one, pod('db/client', {}, { ips: ['10.244.0.7'] })], before)
  const tx = diffTables(before.table, after.table)
  expect(tx.kind).toBe('incremental')
  expect(tx.ops.filter((o) => o.op === 'add-elements').map((o) => (o as { set: { name: string } }).set.name)).toEqual(['managed4'])
  const g = inGeneration(after.table, 'g7')
  const forward = g.chains.find((c) => c.name === 'pods_forward')!
  expect(forward.rules.flatMap((r) => r.exprs.flatMap((e) => (e.op === 'in-set' ? [e.set] : [])))).toContain('managed4_g7')
  expect(g.sets.map((x) => x.name)).toContain('managed6_g7')
})

const root = hostSupports('the accepted-connection log in scratch namespaces (accept-log.test.ts)', ['ip', 'nft', 'ulogd', 'ulogd-json', 'python3'])

describe.runIf(root)('accepted connections on real packets, through ulogd2', () => {
  const pods2 = twoPods('nal')
  const { node, b, probe } = pods2
  const runner = new ExecNftRunner({ netns: node })
  const lines: string[] = []
  let ulogd: UlogdCollector | undefined

  beforeAll(async () => {
    await pods2.up()
    ulogd = await startUlogd({ group: 7, netns: node, onLine: (l) => lines.push(l) })
    await sleep(300)
  }, 30_000)
  afterAll(async () => {
    await ulogd?.stop()
    pods2.down()
  })

  const db = namespace('db')
  const pods = [pod('db/pg', { app: 'pg' }, { ips: ['10.244.0.5'] }), pod('db/client', { app: 'client' }, { ips: ['10.244.0.7'] })]
  // pg isolated for ingress and open to the client on 5432; the client not isolated at all
  const c = cluster({ namespaces: [db], pods, policies: [policy('db', 'pg', { podSelector: sel({ app: 'pg' }), ingress: [rule([podsPeer(sel({ app: 'client' }))], [port(5432)])] })] })
  const apply = async (managed: (p: Pod) => boolean) => {
    const compiled = compilePolicies(c, { managed, mode: 'enforce', table: 'netpol', logGroup: 7, logAccepted: true })
    const r = await runner.run(fullReplace(compiled.table))
    expect(r).toMatchObject({ ok: true })
  }
  const logged = async () => {
    await sleep(500)
    const out = lines.splice(0).map(parseUlogdLine).filter((p) => p !== null)
    return out.map((p) => `${p.verdict} ${p.direction} ${p.src.text} -> ${p.dst.text} ${p.protocol}/${p.port}`)
  }

  test('one line per accepted connection, none for its established packets, a drop line for a denied one', async () => {
    await apply(() => true)
    lines.splice(0)
    const held = new HeldConnection(b, '10.244.0.5', 5432)
    expect(await held.opened).toBe('connected')
    for (let i = 0; i < 5; i++) expect(await held.echo()).toBe('echo')
    held.close()
    expect(probe(b, '10.244.0.5', 5433)).toBe('TIMEOUT')
    // both ends managed: logged once, as the ingress of the destination
    expect(await logged()).toEqual(['allowed ingress 10.244.0.7 -> 10.244.0.5 TCP/5432', 'denied ingress 10.244.0.7 -> 10.244.0.5 TCP/5433'])
  })

  test('only the source managed: the line is its egress; a connection of no managed pod is not logged', async () => {
    await apply((p) => p.name === 'client')
    lines.splice(0)
    expect(probe(b, '10.244.0.5', 5433)).toBe('OK')
    expect(await logged()).toEqual(['allowed egress 10.244.0.7 -> 10.244.0.5 TCP/5433'])
    await apply(() => false)
    lines.splice(0)
    expect(probe(b, '10.244.0.5', 5433)).toBe('OK')
    expect(await logged()).toEqual([])
  })
})
