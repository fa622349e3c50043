import { describe, expect, test } from 'vitest'
import { cluster, ipPeer, namedPort, namespace, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import type { Cluster } from '../model/cluster.js'
import type { GraphOptions } from './graph-report.js'
import { graphReport, parseGraphOptions } from './graph-report.js'
import { graphChange } from './graph-change.js'
import type { GraphReport } from './graph-types.js'

const rs = (name: string) => [{ kind: 'ReplicaSet' as const, name: `${name}-7d9` }, { kind: 'Deployment' as const, name }]

// shop: web (a Deployment of two pods) → api (a template of 3 replicas, named port http, replicas talk to each
// other) → db; api → 203.0.113.0/24:443. ops/probe is not isolated.
const shop: Cluster = cluster({
  namespaces: [namespace('shop', { team: 'a' }), namespace('ops')],
  pods: [
    pod('shop/web-7d9-a', { app: 'web', 'pod-template-hash': '7d9' }, { ips: ['10.0.1.1'], workloads: rs('web') }),
    pod('shop/web-7d9-b', { app: 'web', 'pod-template-hash': '7d9' }, { ips: ['10.0.1.2'], workloads: rs('web') }),
    pod('shop/api', { app: 'api' }, { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], template: { kind: 'StatefulSet', name: 'api', replicas: 3 } }),
    pod('shop/db', { app: 'db' }, { ips: ['10.0.2.1'], ports: [{ port: 5432, protocol: 'TCP' }] }),
    pod('ops/probe', { app: 'probe' }, { ips: ['10.0.3.1'] }),
  ],
  policies: [
    policy('shop', 'deny-all', { ingress: [], egress: [] }),
    policy('shop', 'api', { podSelector: sel({ app: 'api' }), ingress: [rule([podsPeer(sel({ app: 'web' })), podsPeer(sel({ app: 'api' }))], [namedPort('http')])], egress: [rule([podsPeer(sel({ app: 'db' }))], [port(5432)]), rule([ipPeer('203.0.113.0/24')], [port(443)]), rule([podsPeer(sel({ app: 'api' }))], [namedPort('http')])] }),
    policy('shop', 'web', { podSelector: sel({ app: 'web' }), egress: [rule([podsPeer(sel({ app: 'api' }))], [port(8080)])] }),
    policy('shop', 'db', { podSelector: sel({ app: 'db' }), ingress: [rule([podsPeer(sel({ app: 'api' }))], [port(5432)])] }),
  ],
})

const edges = (g: GraphReport) => g.edges.map((e) => `${e.from} -> ${e.to}${e.all ? '' : ' (some)'}${e.ports ? ` [${e.ports.join(' ')}]` : ''}${e.change ? ` ${e.change}` : ''}`).sort()
const opts = (o: Partial<GraphOptions>): GraphOptions => ({ port: 'any', level: 'auto', ...o })

describe('graphReport on a small shop', () => {
  test.each([
    {
      name: 'workloads on 8080: web reaches the replicas, and the replicas each other (a self edge)',
      o: opts({ port: { port: 8080, protocol: 'TCP' }, level: 'workload' }),
      want: ['cidr:203.0.113.0/24 -> ops/probe', 'ops/probe -> cidr:203.0.113.0/24', 'ops/probe -> world', 'shop/deploy/web -> shop/sts/api', 'shop/sts/api -> shop/sts/api', 'world -> ops/probe'],
    },
    {
      // with "any", a port counts toward a pod it serves or a policy names for it (the probe: none), and toward
      // an address when a policy names it
      name: 'the api reaches db on 5432 and the ipBlock on 443; the unisolated probe reaches addresses on the ports policies name',
      o: opts({ port: 'any', level: 'workload' }),
      want: [
        'ops/probe -> cidr:203.0.113.0/24 [443/TCP 5432/TCP 8080/TCP]',
        'ops/probe -> world [443/TCP 5432/TCP 8080/TCP]',
        'shop/deploy/web -> shop/sts/api [8080/TCP]',
        'shop/sts/api -> cidr:203.0.113.0/24 [443/TCP]',
        'shop/sts/api -> shop/db [5432/TCP]',
        'shop/sts/api -> shop/sts/api [8080/TCP]',
      ],
    },
    {
      name: 'namespaces: shop reaches itself only in part',
      o: opts({ port: { port: 5432, protocol: 'TCP' }, level: 'namespace' }),
      want: ['cidr:203.0.113.0/24 -> ops', 'ops -> cidr:203.0.113.0/24', 'ops -> world', 'shop -> shop (some)', 'world -> ops'],
    },
  ])('$name', ({ o, want }) => expect(edges(graphReport(shop, o))).toEqual(want))

  test('nodes say what they hold: workload labels without the hash, isolation per direction, selecting policies', () => {
    const g = graphReport(shop, opts({ level: 'workload', port: { port: 8080, protocol: 'TCP' } }))
    const web = g.nodes.find((n) => n.id === 'shop/deploy/web')!
    expect(web).toMatchObject({ kind: 'workload', namespace: 'shop', label: 'deploy/web', pods: ['shop/web-7d9-a', 'shop/web-7d9-b'], isolated: { ingress: true, egress: true }, selectedBy: ['shop/deny-all', 'shop/web'] })
    expect(web.labels).toEqual({ app: 'web', 'pod-template-hash': '7d9' })
    expect(g.nodes.find((n) => n.id === 'ops/probe')).toMatchObject({ kind: 'pod', isolated: { ingress: false, egress: false }, selectedBy: [] })
    expect(g.groups.map((x) => x.id)).toEqual(['group:ops', 'group:shop'])
    expect(g.totals).toEqual({ nodes: 6, edges: 6, pods: 5 })
  })

  test('class nodes are the matrix classes, with readable labels and stable ids', () => {
    const g = graphReport(shop, opts({ level: 'class', port: { port: 8080, protocol: 'TCP' } }))
    expect(g.nodes.filter((n) => n.kind === 'class').map((n) => n.label)).toEqual(['app=probe (1 pod)', 'app=api (3 pods)', 'app=db (1 pod)', 'app=web (2 pods)'])
    expect(g.nodes.find((n) => n.label === 'app=web (2 pods)')!.id).toMatch(/^shop\/class\/[0-9a-z]+$/)
    expect(graphReport(shop, opts({ level: 'class' })).nodes.map((n) => n.id)).toEqual(graphReport(shop, opts({ level: 'class' })).nodes.map((n) => n.id))
  })

  test('filters show the nodes with matching pods and the edges among them; totals count everything', () => {
    const g = graphReport(shop, opts({ level: 'workload', port: { port: 8080, protocol: 'TCP' }, labels: ['app=api'] }))
    expect(g.nodes.map((n) => n.id)).toEqual(['shop/sts/api'])
    expect(edges(g)).toEqual(['shop/sts/api -> shop/sts/api'])
    expect(g.totals).toEqual({ nodes: 6, edges: 6, pods: 5 })
    expect(graphReport(shop, opts({ level: 'pod', namespaces: ['ops'] })).nodes.map((n) => n.id)).toEqual(['ops/probe', 'cidr:203.0.113.0/24', 'world'])
  })

  test('maxEdges lists that many edges and counts the rest', () => {
    const all = graphReport(shop, opts({ level: 'workload' }))
    const some = graphReport(shop, opts({ level: 'workload', maxEdges: 2 }))
    expect(some.edges).toHaveLength(2)
    expect(some.omittedEdges).toBe(all.edges.length - 2)
    expect(all.omittedEdges).toBeUndefined()
    expect(some.totals).toEqual(all.totals)
  })

  test('auto is the workload level for a small cluster', () => expect(graphReport(shop, opts({})).level).toBe('workload'))
})

describe('graphChange', () => {
  test('marks edges opened, closed and same, and per port what an edge gains and loses', () => {
    const after: Cluster = { ...shop, policies: [...shop.policies.filter((p) => p.name !== 'db'), policy('shop', 'db', { podSelector: sel({ app: 'db' }), ingress: [rule([podsPeer(sel({ app: 'web' }))], [port(5432)])] })] }
    const g = graphChange(shop, after, opts({ level: 'workload' }))
    // db now admits web instead of api: api → db closes; web → db stays denied by web's own egress policy
    expect(edges(g).filter((e) => e.includes('shop/db'))).toEqual(['shop/sts/api -> shop/db [5432/TCP] closed'])
    expect(g.edges.find((e) => e.id === 'shop/deploy/web->shop/sts/api')!.change).toBe('same')
    expect(g.edges.some((e) => e.change === 'opened')).toBe(false)
  })

  test('at class level, a policy that adds an ipBlock leaves the ids of classes it does not split alone', () => {
    const after: Cluster = { ...shop, policies: [...shop.policies, policy('ops', 'out', { podSelector: sel({ app: 'probe' }), ingress: null, egress: [rule([ipPeer('10.0.0.0/8')])] })] }
    const g = graphChange(shop, after, opts({ level: 'class', port: { port: 8080, protocol: 'TCP' } }))
    expect(g.nodes.filter((n) => n.kind === 'class')).toHaveLength(4)
    // the probe now reaches only 10.0.0.0/8; nothing between pods changes, so no class edge opens or closes
    const between = g.edges.filter((e) => e.from.includes('/class/') && e.to.includes('/class/'))
    expect(between.map((e) => e.change)).toEqual(['same', 'same'])
    expect(g.edges.filter((e) => e.change === 'closed').map((e) => e.to)).toEqual(['cidr:203.0.113.0/24', 'world'])
    // 10.0.0.0/8 is a new external node: its edges with the probe are new
    expect(g.edges.filter((e) => e.change === 'opened').map((e) => `${e.from}->${e.to}`.replace(/class\/\w+/, 'class'))).toEqual(['ops/class->cidr:10.0.0.0/8', 'cidr:10.0.0.0/8->ops/class'])
  })

  test('two graphs: ports gained and lost on an edge that stays', () => {
    const base = { level: 'workload' as const, port: 'any', groups: [], nodes: [], totals: { nodes: 2, edges: 1, pods: 2 } }
    const e = (ports: string[]) => ({ id: 'a->b', from: 'a', to: 'b', all: true, ports })
    const g = graphChange({ ...base, edges: [e(['80/TCP', '443/TCP'])] }, { ...base, edges: [e(['443/TCP', '8080/TCP'])] })
    expect(g.edges).toEqual([{ ...e(['443/TCP', '8080/TCP']), change: 'same', portsOpened: ['8080/TCP'], portsClosed: ['80/TCP'] }])
  })
})

test.each([
  { q: { port: 'any' }, ok: true },
  { q: { port: '8080' }, ok: true },
  { q: { port: 'http' }, field: 'port' },
  { q: { level: 'cluster' }, field: 'level' },
])('parseGraphOptions $q', ({ q, field }) => {
  const r = parseGraphOptions(q)
  expect(r.ok ? undefined : r.error.field).toBe(field)
})
