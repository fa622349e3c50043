import { describe, expect, test } from 'vitest'
import type { Cluster, Pod, Service } from '../model/cluster.js'
import { cluster, ip, namespace, pod } from '../../test/builders.js'
import { generatePolicies, type GenerateOptions, type GeneratedPolicy } from './generate-policies.js'
import type { ObservedConnection, ObservedEnd } from './observed.js'
import { verifyGenerated } from './verify-generated.js'

const P = (p: Pod): ObservedEnd => ({ kind: 'pod', pod: p })
const X = (text: string): ObservedEnd => ({ kind: 'external', ip: ip(text) })
const conn = (from: ObservedEnd, to: ObservedEnd, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP', more: Partial<ObservedConnection> = {}): ObservedConnection => ({ from, to, port, protocol, verdict: 'allowed', count: 1, ...more })

const deploy = (name: string) => ({ workloads: [{ kind: 'ReplicaSet' as const, name: `${name}-5f6d` }, { kind: 'Deployment' as const, name }] })
const web1 = pod('shop/web-5f6d-a', { 'app.kubernetes.io/name': 'web', app: 'frontend', 'pod-template-hash': '5f6d' }, { ips: ['10.1.0.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ...deploy('web') })
const web2 = pod('shop/web-5f6d-b', { 'app.kubernetes.io/name': 'web', app: 'frontend', 'pod-template-hash': '5f6d' }, { ips: ['10.1.0.2'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], ...deploy('web') })
const api = pod('shop/api-7c8-a', { app: 'api', tier: 'backend', 'pod-template-hash': '7c8' }, { ips: ['10.1.0.3'], ...deploy('api') })
const apiCanary = pod('shop/api-canary-x', { app: 'api', tier: 'canary', 'pod-template-hash': '9a1' }, { ips: ['10.1.0.4'], ...deploy('api-canary') })
const db = pod('data/db-0', { app: 'db', 'controller-revision-hash': 'db-6b', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' }, { ips: ['10.1.1.5'], workloads: [{ kind: 'StatefulSet', name: 'db' }] })
const dns = pod('kube-system/coredns-1', { 'k8s-app': 'kube-dns', 'pod-template-hash': 'c0' }, { ips: ['10.1.2.2'], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'dns-tcp', port: 5353, protocol: 'TCP' }], ...deploy('coredns') })
const hostNet = pod('kube-system/node-exporter-a', { app: 'node-exporter' }, { ips: ['192.168.0.11'], hostNetwork: true, workloads: [{ kind: 'DaemonSet', name: 'node-exporter' }] })
const v6 = pod('shop/web6-a', { app: 'web6' }, { ips: ['fd00::6'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })

const kubeDns: Service = { namespace: 'kube-system', name: 'kube-dns', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }] }
const webLb: Service = { namespace: 'shop', name: 'web', selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], type: 'LoadBalancer' }

function world(pods: Pod[], services: Service[] = []): Cluster {
  return { ...cluster({ namespaces: ['shop', 'data', 'kube-system'].map((n) => namespace(n)), pods }), services }
}

const find = (ps: readonly GeneratedPolicy[], ref: string) => ps.find((p) => `${p.namespace}/${p.name}` === ref)
const names = (ps: readonly GeneratedPolicy[]) => ps.map((p) => `${p.namespace}/${p.name}`)

function gen(c: Cluster, conns: ObservedConnection[], opts: GenerateOptions = {}) {
  const r = generatePolicies(c, conns, opts)
  // every case: the output allows what it was made for (the built-in verification)
  expect(verifyGenerated(c, r.policies, r.allowed).failures).toEqual([])
  return r
}

describe('selection by stable labels', () => {
  test.each([
    { name: 'app.kubernetes.io/name first, never pod-template-hash', pods: [web1, web2, api], of: 'shop/web-ingress', want: { 'app.kubernetes.io/name': 'web' } },
    { name: 'app when there is no name label', pods: [web1, api], of: 'shop/api-egress', want: { app: 'api' } },
    { name: 'narrowed with a further stable label when app alone selects another workload', pods: [web1, api, apiCanary], of: 'shop/api-egress', want: { app: 'api', tier: 'backend' } },
    { name: 'a StatefulSet: never controller-revision-hash, pod-name or pod-index', pods: [db, api], of: 'data/db-ingress', want: { app: 'db' } },
  ])('$name', ({ pods, of, want }) => {
    const c = world(pods)
    const from = pods.find((p) => p.name.startsWith('api'))!
    const to = pods.find((p) => p !== from && !p.name.startsWith('api'))!
    const r = gen(c, [conn(P(from), P(to), 8080)])
    const p = find(r.policies, of)!
    expect(p.manifest.spec.podSelector).toEqual({ matchLabels: want })
  })

  test('when no stable label set tells a workload apart, the most specific is used and a note says so', () => {
    const twin = pod('shop/api-twin-1', { app: 'api', tier: 'backend' }, { ips: ['10.1.0.9'], ...deploy('api-twin') })
    const r = gen(world([api, twin, web1]), [conn(P(web1), P(api), 8080)])
    expect(find(r.policies, 'shop/api-ingress')!.manifest.spec.podSelector).toEqual({ matchLabels: { app: 'api', tier: 'backend' } })
    expect(r.notes.join('\n')).toMatch(/shop\/api \(Deployment\): no stable label set tells its pods apart from api-twin-1/)
  })
})

describe('policies, names and the baseline', () => {
  test('one policy per workload and direction, named for what it protects; a default-deny baseline per namespace', () => {
    const r = gen(world([web1, web2, api, db]), [conn(P(web1), P(api), 8080), conn(P(web2), P(api), 8080), conn(P(api), P(db), 5432)])
    expect(names(r.policies)).toEqual(['data/default-deny', 'data/db-ingress', 'shop/default-deny', 'shop/api-egress', 'shop/api-ingress', 'shop/web-egress'])
    expect(find(r.policies, 'shop/default-deny')!.manifest.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] })
    expect(find(r.policies, 'shop/api-ingress')!.manifest.spec.policyTypes).toEqual(['Ingress'])
    expect(find(r.policies, 'shop/api-egress')!.manifest.spec.policyTypes).toEqual(['Egress'])
    // a peer in another namespace is named by the namespace's name label
    expect(find(r.policies, 'data/db-ingress')!.manifest.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ])
  })

  test('pods without a workload are grouped by their name label, and the policy named for it as a valid name', () => {
    const a = pod('shop/a-1', { app: 'My_Api' }, { ips: ['10.1.0.31'] })
    const b = pod('shop/a-2', { app: 'My_Api' }, { ips: ['10.1.0.32'] })
    const r = gen(world([a, b, web1]), [conn(P(web1), P(a), 80), conn(P(web1), P(b), 81)])
    expect(names(r.policies)).toContain('shop/my-api-ingress')
    expect(find(r.policies, 'shop/my-api-ingress')!.manifest.spec.ingress![0]!.ports).toEqual([{ protocol: 'TCP', port: 80, endPort: 81 }])
  })

  test('--no-baseline: no default-deny', () => {
    const r = gen(world([web1, api]), [conn(P(web1), P(api), 8080)], { baseline: false })
    expect(names(r.policies)).toEqual(['shop/api-ingress', 'shop/web-egress'])
  })

  test('each rule says which observed flows justify it', () => {
    const t = Date.parse('2026-12-01T10:00:00Z')
    const r = gen(world([web1, api]), [conn(P(web1), P(api), 8080, 'TCP', { count: 7, firstSeen: t, lastSeen: t + 60_000 })])
    expect(find(r.policies, 'shop/api-ingress')!.ruleComments.ingress).toEqual(['from shop/web (Deployment): observed\n  TCP/8080: 7 connections, first 2026-12-01T10:00:00Z, last 2026-12-01T10:01:00Z'])
  })
})

describe('DNS', () => {
  test("egress to the pods the DNS Service's spec.selector selects, on the ports they serve, UDP and TCP as observed; no ingress policy on the DNS servers", () => {
    const r = gen(world([api, dns], [kubeDns]), [conn(P(api), P(dns), 5353, 'UDP'), conn(P(api), P(dns), 5353, 'TCP')])
    expect(find(r.policies, 'shop/api-egress')!.manifest.spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'TCP', port: 5353 }, { protocol: 'UDP', port: 5353 }] },
    ])
    expect(names(r.policies).filter((n) => n.startsWith('kube-system/'))).toEqual([])
  })

  test('when the DNS namespace gets a baseline, the DNS servers still answer every pod on the ports their Service serves', () => {
    const r = gen(world([api, dns], [kubeDns]), [conn(P(api), P(dns), 5353, 'UDP'), conn(P(dns), X('8.8.8.8'), 53, 'UDP')])
    expect(names(r.policies).filter((n) => n.startsWith('kube-system/'))).toEqual(['kube-system/default-deny', 'kube-system/coredns-egress', 'kube-system/coredns-ingress'])
    expect(find(r.policies, 'kube-system/coredns-ingress')!.manifest.spec.ingress).toEqual([{ from: [{ namespaceSelector: {}, podSelector: {} }], ports: [{ protocol: 'TCP', port: 5353 }, { protocol: 'UDP', port: 5353 }] }])
  })
})

describe('ports', () => {
  test.each([
    { name: 'contiguous ports become one endPort range', ports: [8081, 8080, 8082, 9000], want: [{ protocol: 'TCP', port: 8080, endPort: 8082 }, { protocol: 'TCP', port: 9000 }] },
    { name: 'a gap keeps ports apart', ports: [80, 82], want: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 82 }] },
    { name: 'one port stays one port', ports: [443], want: [{ protocol: 'TCP', port: 443 }] },
  ])('$name', ({ ports, want }) => {
    const r = gen(world([web1, api]), ports.map((p) => conn(P(web1), P(api), p)))
    expect(find(r.policies, 'shop/api-ingress')!.manifest.spec.ingress![0]!.ports).toEqual(want)
  })

  test('a named container port is written as the number observed', () => {
    const r = gen(world([web1, api]), [conn(P(api), P(web1), 8080)])
    expect(find(r.policies, 'shop/web-ingress')!.manifest.spec.ingress![0]!.ports).toEqual([{ protocol: 'TCP', port: 8080 }])
  })
})

describe('external addresses', () => {
  const out = [conn(P(api), X('203.0.113.7'), 443), conn(P(api), X('203.0.113.9'), 443), conn(P(api), X('10.1.0.200'), 443)]
  test('each address alone as /32 by default', () => {
    const r = gen(world([api, web1]), out)
    expect(find(r.policies, 'shop/api-egress')!.manifest.spec.egress!.map((e) => e.to)).toEqual([[{ ipBlock: { cidr: '10.1.0.200/32' } }], [{ ipBlock: { cidr: '203.0.113.7/32' } }], [{ ipBlock: { cidr: '203.0.113.9/32' } }]])
  })
  test('--merge-cidrs /24 merges the addresses of one /24 that saw the same ports', () => {
    const r = gen(world([api, web1]), [...out, conn(P(api), X('203.0.113.20'), 80)], { mergeCidrs: 24 })
    expect(find(r.policies, 'shop/api-egress')!.manifest.spec.egress!.map((e) => e.to)).toEqual([[{ ipBlock: { cidr: '10.1.0.200/32' } }], [{ ipBlock: { cidr: '203.0.113.0/24' } }], [{ ipBlock: { cidr: '203.0.113.20/32' } }]])
  })
  test('--merge-cidrs /16: the pod ranges inside are excepted; a pod /24 that holds an observed address is excepted pod by pod', () => {
    const pod2 = pod('shop/other-1', { app: 'other' }, { ips: ['10.1.7.1'] })
    const r = gen(world([api, web1, pod2]), [...out, conn(P(api), X('10.1.0.201'), 443)], { mergeCidrs: 16 })
    expect(find(r.policies, 'shop/api-egress')!.manifest.spec.egress!.map((e) => e.to)).toEqual([
      [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.0.1/32', '10.1.0.3/32', '10.1.7.0/24'] } }],
      [{ ipBlock: { cidr: '203.0.0.0/16' } }],
    ])
  })
  test('IPv6 as /128', () => {
    const r = gen(world([v6]), [conn(P(v6), X('2001:db8::1'), 443)])
    expect(find(r.policies, 'shop/web6-egress')!.manifest.spec.egress![0]!.to).toEqual([{ ipBlock: { cidr: '2001:db8::1/128' } }])
  })
})

describe('Internet-facing workloads', () => {
  test('a workload behind a LoadBalancer gets a from-anywhere rule on the port its Service serves, observed or not', () => {
    const r = gen(world([web1, api], [webLb]), [conn(P(web1), P(api), 8080), conn(X('198.51.100.1'), P(web1), 8080)])
    const p = find(r.policies, 'shop/web-ingress')!
    expect(p.manifest.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 8080 }] }])
    expect(p.ruleComments.ingress[0]).toMatch(/^from anywhere: served to the Internet by shop\/web \(LoadBalancer\)/)
    expect(p.ruleComments.ingress[0]).toMatch(/observed from outside on TCP\/8080: 1 connection/)
  })
  test('both families in use: 0.0.0.0/0 and ::/0', () => {
    const dual = pod('shop/web-5f6d-c', web1.labels, { ips: ['10.1.0.7', 'fd00::7'], ports: [...web1.ports], ...deploy('web') })
    const r = gen(world([dual, api], [webLb]), [conn(P(api), P(dual), 8080)])
    expect(find(r.policies, 'shop/web-ingress')!.manifest.spec.ingress![0]!.from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }])
  })
})

describe('what gets no rule', () => {
  test.each([
    { name: 'a denied observation is reported, never allowed', c: conn(P(web1), P(api), 8080, 'TCP', { verdict: 'denied' }), why: 'denied' },
    { name: 'from a node', c: conn({ kind: 'node', ip: ip('192.168.0.11') }, P(api), 8080), why: 'node' },
    { name: 'from a host-network pod', c: conn(P(hostNet), P(api), 9100), why: 'host-network' },
    { name: 'to a host-network pod', c: conn(P(api), P(hostNet), 9100), why: 'host-network' },
    { name: 'an unresolved end', c: conn({ kind: 'unresolved', why: 'no pod has 10.9.9.9' }, P(api), 8080), why: 'unresolved' },
    { name: 'a pod to itself', c: conn(P(api), P(api), 8080), why: 'self' },
  ])('$name', ({ c, why }) => {
    const r = gen(world([web1, api, hostNet]), [c])
    expect(r.policies).toEqual([])
    expect(r.allowed).toEqual([])
    expect(r.skipped.map((s) => s.why)).toEqual([why])
  })
})
