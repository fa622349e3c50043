import { describe, expect, test } from 'vitest'
import { cluster, ip, ipPeer, namedPort, namespace, nsPeer, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { indexCluster } from './cluster-index.js'
import { podEndpoint } from './endpoint.js'
import { evaluateFlow } from './evaluate.js'
import type { Endpoint, Verdict } from './verdict.js'

const web = pod('front/web', { app: 'web' }, { ips: ['10.0.1.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })
const api = pod('back/api', { app: 'api' }, { ips: ['10.0.2.1'], hostIPs: ['192.168.0.10'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] })
const db = pod('back/db', { app: 'db' }, { ips: ['10.0.2.2'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })
const tpl = pod('back/worker', { app: 'worker' }, { template: { kind: 'Deployment', name: 'worker' } })
const nss = [namespace('front', { team: 'web' }), namespace('back', { team: 'core' })]

function verdict(policies: Parameters<typeof cluster>[0]['policies'], from: Endpoint | string, to: Endpoint | string, p = 80, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP'): Verdict {
  const c = cluster({ namespaces: nss, pods: [web, api, db, tpl], policies })
  const end = (e: Endpoint | string): Endpoint => {
    if (typeof e !== 'string') return e
    const found = c.pods.find((x) => `${x.namespace}/${x.name}` === e)
    return found ? podEndpoint(found, 4) : { kind: 'ip', ip: ip(e) }
  }
  return evaluateFlow(indexCluster(c), { from: end(from), to: end(to), port: p, protocol })
}

describe('sides and their reasons', () => {
  test.each([
    { name: 'no policies: both sides not isolated', policies: [], from: 'front/web', to: 'back/api', want: ['not-isolated', 'not-isolated', true] },
    { name: 'deny-all ingress isolates the destination', policies: [policy('back', 'deny')], from: 'front/web', to: 'back/api', want: ['not-isolated', 'denied', false] },
    { name: 'a pod reaches itself under deny-all', policies: [policy('back', 'deny', { egress: [] })], from: 'back/api', to: 'back/api', want: ['self', 'self', true] },
    { name: 'the pod’s own node is always allowed in', policies: [policy('back', 'deny')], from: '192.168.0.10', to: 'back/api', want: ['not-a-pod', 'from-node', true] },
    { name: 'another node is not', policies: [policy('back', 'deny')], from: '192.168.0.11', to: 'back/api', want: ['not-a-pod', 'denied', false] },
    { name: 'egress-only policy (policyTypes Egress) leaves ingress open', policies: [policy('back', 'eg', { ingress: null, egress: [] })], from: 'front/web', to: 'back/api', want: ['not-isolated', 'not-isolated', true] },
    { name: 'egress deny on the source denies even if the destination is open', policies: [policy('front', 'eg', { ingress: null, egress: [] })], from: 'front/web', to: 'back/api', want: ['denied', 'not-isolated', false] },
    { name: 'external destination: only the source side counts', policies: [policy('front', 'eg', { ingress: null, egress: [rule([ipPeer('0.0.0.0/0', ['169.254.169.254/32'])])] })], from: 'front/web', to: '8.8.8.8', want: ['allowed', 'not-a-pod', true] },
  ])('$name', ({ policies, from, to, want }) => {
    const v = verdict(policies, from, to)
    expect([v.egress.kind, v.ingress.kind, v.allowed]).toEqual(want)
  })
})

describe('why a rule missed', () => {
  test('namespace labels: the failing requirement is named', () => {
    const v = verdict([policy('back', 'from-api-ns', { ingress: [rule([nsPeer(sel({ team: 'api' }))])] })], 'front/web', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'namespace-labels', namespace: 'front', failed: [{ key: 'team', values: ['api'] }] }] } }] }] })
  })
  test('podSelector alone never reaches into another namespace', () => {
    const v = verdict([policy('back', 'p', { ingress: [rule([podsPeer(sel({ app: 'web' }))])] })], 'front/web', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'other-namespace', podNamespace: 'front', policyNamespace: 'back' }] } }] }] })
  })
  test('except carves a hole and says so', () => {
    const v = verdict([policy('back', 'p', { ingress: [rule([ipPeer('10.0.0.0/16', ['10.0.1.0/24'])])] })], 'front/web', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'ip-excepted', ip: '10.0.1.1', except: '10.0.1.0/24' }] } }] }] })
  })
  test('an IPv4-mapped except leaves out the IPv4 address it maps, and says which range that is', () => {
    const v = verdict([policy('back', 'p', { ingress: [rule([ipPeer('10.0.0.0/16', ['::ffff:10.0.1.0/120'])])] })], 'front/web', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'ip-excepted', ip: '10.0.1.1', except: '::ffff:10.0.1.0/120 (IPv4 10.0.1.0/24)' }] } }] }] })
  })
  test('a template has no address: ipBlock cannot match it', () => {
    const v = verdict([policy('back', 'p', { podSelector: sel({ app: 'db' }), ingress: [rule([ipPeer('0.0.0.0/0')])] })], 'back/worker', 'back/db')
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'no-ip' }] } }] }] })
    expect(v.notes).toContainEqual({ code: 'no-ip', pod: 'back/worker' })
  })
  test('a selector peer never matches an external address', () => {
    const v = verdict([policy('back', 'p', { ingress: [rule([nsPeer(sel())])] })], '203.0.113.7', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'not-a-pod' }] } }] }] })
  })
  test.each([
    { name: 'wrong protocol', ports: [port(80, 'UDP')], p: 80, code: 'protocol' },
    { name: 'outside the endPort range', ports: [port(8000, 'TCP', 8999)], p: 9090, code: 'number' },
    { name: 'named port the pod lacks', ports: [namedPort('grpc')], p: 9090, code: 'named-undefined' },
    { name: 'named port with another number', ports: [namedPort('http')], p: 80, code: 'named-other-number' },
  ])('ports: $name', ({ ports, p, code }) => {
    const v = verdict([policy('back', 'p', { ingress: [rule('any', ports)] })], 'front/web', 'back/api', p)
    expect(v.ingress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ peers: { ok: true }, ports: { ok: false, misses: [{ code }] } }] }] })
  })
  test('a named egress port resolves on the destination pod, and never on an external address', () => {
    const eg = policy('front', 'eg', { ingress: null, egress: [rule('any', [namedPort('http')])] })
    expect(verdict([eg], 'front/web', 'back/api', 9090).egress).toMatchObject({ kind: 'allowed', allowedBy: [{ rule: 0, port: 0, resolvedPort: 9090 }] })
    expect(verdict([eg], 'front/web', 'back/api', 8080).allowed).toBe(false)
    expect(verdict([eg], 'front/web', '8.8.8.8', 8080).egress).toMatchObject({ kind: 'denied', misses: [{ rules: [{ ports: { ok: false, misses: [{ code: 'named-not-a-pod' }] } }] }] })
  })
  test('a policy without rules for the direction is reported as only isolating', () => {
    const v = verdict([policy('back', 'deny'), policy('back', 'other', { podSelector: sel({ app: 'api' }), ingress: [rule([podsPeer(sel({ app: 'db' }))])] })], 'front/web', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'denied', isolatedBy: [{ name: 'deny' }, { name: 'other' }], misses: [{ policy: { name: 'deny' }, rules: [] }, { policy: { name: 'other' } }] })
  })
  test('every allowing rule is listed, across policies', () => {
    const v = verdict([policy('back', 'a', { ingress: [rule()] }), policy('back', 'b', { ingress: [rule([nsPeer(sel({ team: 'web' }))], [port(80)])] })], 'front/web', 'back/api')
    expect(v.ingress).toMatchObject({ kind: 'allowed', allowedBy: [{ policy: { name: 'a' }, peer: 'any', port: 'any' }, { policy: { name: 'b' }, peer: 0, port: 0 }] })
  })
})

describe('a template of several replicas and itself: one replica to another', () => {
  const web = (replicas?: number | 'per-node') =>
    pod('shop/web', { app: 'web' }, { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], template: { kind: replicas === 'per-node' ? 'DaemonSet' : 'Deployment', name: 'web', ...(replicas === undefined ? {} : { replicas }) } })
  const peers = policy('shop', 'web-peers', { podSelector: sel({ app: 'web' }), ingress: [rule([podsPeer(sel({ app: 'web' }))])] })
  test.each([
    { name: '3 replicas under deny-all: denied, as two real pods would be', replicas: 3, policies: [policy('shop', 'deny')], want: ['not-isolated', 'denied', false], note: true },
    { name: 'a DaemonSet (one per node) under deny-all: denied', replicas: 'per-node' as const, policies: [policy('shop', 'deny')], want: ['not-isolated', 'denied', false], note: true },
    { name: '3 replicas, a rule that admits its own pods: allowed by it', replicas: 3, policies: [policy('shop', 'deny'), peers], want: ['not-isolated', 'allowed', true], note: true },
    { name: '1 replica under deny-all: a pod may always reach itself', replicas: 1, policies: [policy('shop', 'deny')], want: ['self', 'self', true], note: false },
    { name: 'replicas not given means 1', replicas: undefined, policies: [policy('shop', 'deny')], want: ['self', 'self', true], note: false },
  ])('$name', ({ replicas, policies, want, note }) => {
    const t = web(replicas)
    const c = cluster({ pods: [t], policies })
    const e = podEndpoint(c.pods[0]!, 4)
    const v = evaluateFlow(indexCluster(c), { from: e, to: e, port: 8080, protocol: 'TCP' })
    expect([v.egress.kind, v.ingress.kind, v.allowed]).toEqual(want)
    expect(v.notes.some((n) => n.code === 'replicas')).toBe(note)
    if (note) expect(v.notes).toContainEqual({ code: 'replicas', pod: 'shop/web', replicas })
    // one end, one note about its missing address
    expect(v.notes.filter((n) => n.code === 'no-ip')).toEqual([{ code: 'no-ip', pod: 'shop/web' }])
  })
})
