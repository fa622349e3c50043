import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { cluster, ipPeer, namedPort, namespace, nsPeer, pod, podsPeer, policy, port, rule, sel } from '../../test/builders.js'
import { clusters, PORTS } from '../../test/arbitraries.js'
import type { Cluster } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { NetworkPolicy, PolicyRef } from '../model/policy.js'
import { indexCluster } from '../engine/cluster-index.js'
import { podEndpoint } from '../engine/endpoint.js'
import { evaluateFlow } from '../engine/evaluate.js'
import type { SideVerdict, Verdict } from '../engine/verdict.js'
import { Bitset } from '../engine/bitset.js'
import { diffClusters, explainFlip, findFlips, groupFlips, jointClasses, policyFingerprint, policyStatuses, type Cause, type ClusterDiff, type PolicyStatus } from './diff.js'

const nss = [namespace('web', { team: 'web' }), namespace('api', { team: 'api' }), namespace('db', { team: 'data' })]
const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }]
const pods = [
  pod('web/fe-1', { app: 'fe' }, { ips: ['10.0.1.1'], ports: http }),
  pod('web/fe-2', { app: 'fe' }, { ips: ['10.0.1.2'], ports: http }),
  pod('api/orders', { app: 'orders' }, { ips: ['10.0.2.1'], ports: http }),
  pod('db/pg', { app: 'pg' }, { ips: ['10.0.3.1'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
]
const denyApi = policy('api', 'deny')
const allowFe = policy('api', 'allow-fe', { ingress: [rule([podsPeer(sel({ app: 'fe' }), sel({ team: 'web' }))], [namedPort('http')])] })
const feEgress = policy('web', 'egress', { podSelector: sel({ app: 'fe' }), ingress: null, egress: [rule([nsPeer(sel({ team: 'api' }))])] })

const make = (policies: NetworkPolicy[], ps = pods): Cluster => cluster({ namespaces: nss, pods: ps, policies })
const summary = (d: ClusterDiff) =>
  d.changes.map((c) => `${c.change} ${d.classes[c.from]!.pods.join('+')} → ${d.classes[c.to]!.pods.join('+')} ${c.ports.map((p) => `${p.port}/${p.protocol}`).join(',')}`)
const causes = (d: ClusterDiff) => d.changes.map((c) => c.causes.map((x) => `${x.side} ${x.code} ${'hit' in x ? `${x.hit.policy.namespace}/${x.hit.policy.name}[${x.hit.rule}] ${x.status}` : 'step' in x ? `${x.step.policy.name}[${x.step.rule}] ${x.step.action} ${x.status}` : x.policies.map((p) => `${p.policy.name} ${p.status}`).join(',')}`))

describe('diffClusters: what flips and who is responsible', () => {
  test.each([
    {
      name: 'an added default deny isolates the destination',
      before: [],
      after: [denyApi],
      // api/orders serves 8080 only: 5432 to it is counted, not reported (1 + 2 pod pairs)
      want: ['denied db/pg → api/orders 8080/TCP', 'denied web/fe-1+web/fe-2 → api/orders 8080/TCP'],
      why: [['ingress newly-isolated deny added'], ['ingress newly-isolated deny added']],
      unserved: { allowed: 0, denied: 3 },
    },
    {
      name: 'an added allow rule names itself',
      before: [denyApi],
      after: [denyApi, allowFe],
      want: ['allowed web/fe-1+web/fe-2 → api/orders 8080/TCP'],
      why: [['ingress allowed-by api/allow-fe[0] added']],
      unserved: { allowed: 0, denied: 0 },
    },
    {
      name: 'removing one of two isolating policies changes nothing',
      before: [denyApi, allowFe],
      after: [allowFe],
      want: [],
      why: [],
      unserved: { allowed: 0, denied: 0 },
    },
    {
      name: 'removing every isolating policy lifts isolation',
      before: [denyApi, allowFe],
      after: [],
      // 5432 is no port of api/orders: pg → orders on 5432 and fe → orders on 5432 are counted apart
      want: ['allowed db/pg → api/orders 8080/TCP'],
      why: [['ingress isolation-lifted deny removed,allow-fe removed']],
      unserved: { allowed: 3, denied: 0 },
    },
    {
      name: 'an edited rule that stops matching is named as the lost allow',
      before: [denyApi, allowFe],
      after: [denyApi, policy('api', 'allow-fe', { ingress: [rule([podsPeer(sel({ app: 'fe' }), sel({ team: 'nobody' }))], [namedPort('http')])] })],
      want: ['denied web/fe-1+web/fe-2 → api/orders 8080/TCP'],
      why: [['ingress allow-lost api/allow-fe[0] changed']],
      unserved: { allowed: 0, denied: 0 },
    },
    {
      name: 'egress isolation: both pods of one class towards each other, and the ports the rule does not cover',
      before: [],
      after: [policy('web', 'egress', { podSelector: sel({ app: 'fe' }), ingress: null, egress: [rule([nsPeer(sel({ team: 'api' }))], [port(8080)])] })],
      // reported: the port each destination serves; counted apart: 5432 to orders and to fe, 8080 to pg (2 pod pairs each)
      want: ['denied web/fe-1+web/fe-2 → db/pg 5432/TCP', 'denied web/fe-1+web/fe-2 → web/fe-1+web/fe-2 8080/TCP'],
      why: [['egress newly-isolated egress added'], ['egress newly-isolated egress added']],
      unserved: { allowed: 0, denied: 6 },
    },
    {
      name: 'an unchanged policy set changes nothing',
      before: [denyApi, allowFe, feEgress],
      after: [feEgress, allowFe, denyApi],
      want: [],
      why: [],
      unserved: { allowed: 0, denied: 0 },
    },
  ])('$name', ({ before, after, want, why, unserved }) => {
    const d = diffClusters(make(before), make(after))
    expect(summary(d)).toEqual(want)
    expect(causes(d)).toEqual(why)
    expect(d.unserved).toEqual(unserved)
  })

  test('ports given explicitly are reported on every destination', () => {
    const d = diffClusters(make([]), make([denyApi]), { ports: [{ port: 5432, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }] })
    expect(summary(d)).toEqual(['denied db/pg → api/orders 5432/TCP,8080/TCP', 'denied web/fe-1+web/fe-2 → api/orders 5432/TCP,8080/TCP'])
    expect(d.unserved).toEqual({ allowed: 0, denied: 0 })
  })

  test('a port a policy names for the destination is reported though no container declares it', () => {
    const deny9090 = policy('api', 'metrics', { ingress: [rule([nsPeer(sel({ team: 'web' }))], [port(9090)])] })
    const d = diffClusters(make([]), make([denyApi, deny9090]))
    expect(summary(d)).toEqual(['denied db/pg → api/orders 8080/TCP,9090/TCP', 'denied web/fe-1+web/fe-2 → api/orders 8080/TCP'])
    expect(d.unserved).toEqual({ allowed: 0, denied: 3 })
  })

  test('relabeled pods: the unchanged policy is named with status unchanged, and labelsBefore is kept', () => {
    const relabeled = pods.map((p) => (p.name === 'fe-2' ? { ...p, labels: { app: 'legacy' } } : p))
    const d = diffClusters(make([denyApi, allowFe]), make([denyApi, allowFe], relabeled))
    expect(summary(d)).toEqual(['denied web/fe-2 → api/orders 8080/TCP'])
    expect(causes(d)).toEqual([['ingress allow-lost api/allow-fe[0] unchanged']])
    expect(d.classes.find((c) => c.pods[0] === 'web/fe-2')).toMatchObject({ labels: { app: 'legacy' }, labelsBefore: { app: 'fe' } })
    expect(d.pods.relabeled).toEqual(['web/fe-2'])
  })

  test('pods on one side only are listed, not compared', () => {
    const d = diffClusters(make([]), make([denyApi], [...pods.slice(1), pod('api/new', { app: 'orders' }, { ips: ['10.0.2.9'] })]))
    expect(d.pods).toEqual({ added: ['api/new'], removed: ['web/fe-1'], relabeled: [] })
    expect(d.classes.flatMap((c) => c.pods)).not.toContain('web/fe-1')
    expect(d.classes.flatMap((c) => c.pods)).not.toContain('api/new')
  })

  test('the policies that select each end are listed per direction', () => {
    const d = diffClusters(make([denyApi]), make([denyApi, allowFe, feEgress]))
    const c = d.changes.find((x) => x.change === 'allowed')!
    expect(c.policies).toEqual({ source: [{ policy: { namespace: 'web', name: 'egress' }, status: 'added' }], destination: [{ policy: { namespace: 'api', name: 'allow-fe' }, status: 'added' }] })
  })
})

describe('policyStatuses', () => {
  test.each([
    { name: 'same content, other source', a: policy('a', 'p', { source: { file: 'x', doc: 0 } }), b: policy('a', 'p', { source: { file: 'y', doc: 3 } }), want: 'unchanged' },
    { name: 'a selector value', a: policy('a', 'p', { podSelector: sel({ app: 'x' }) }), b: policy('a', 'p', { podSelector: sel({ app: 'y' }) }), want: 'changed' },
    { name: 'matchLabels vs the same matchExpressions', a: policy('a', 'p', { podSelector: sel({ app: 'x' }) }), b: policy('a', 'p', { podSelector: sel({}, [{ key: 'app', operator: 'In', values: ['x'] }]) }), want: 'unchanged' },
    { name: 'policyTypes gains Egress', a: policy('a', 'p'), b: policy('a', 'p', { egress: [] }), want: 'changed' },
    { name: 'an except entry', a: policy('a', 'p', { ingress: [rule([ipPeer('10.0.0.0/8')])] }), b: policy('a', 'p', { ingress: [rule([ipPeer('10.0.0.0/8', ['10.1.0.0/16'])])] }), want: 'changed' },
    { name: 'ignored rules only', a: policy('a', 'p'), b: policy('a', 'p', { ignored: { egress: [rule()] } }), want: 'unchanged' },
  ])('$name → $want', ({ a, b, want }) => {
    expect(policyFingerprint(a) === policyFingerprint(b)).toBe(want === 'unchanged')
    expect(policyStatuses([a], [b]).get('a/p')).toBe(want)
  })
  test('added and removed, sorted by name', () => {
    expect([...policyStatuses([policy('b', 'gone'), policy('a', 'same')], [policy('a', 'same'), policy('a', 'new')])]).toEqual([
      ['a/new', 'added'],
      ['a/same', 'unchanged'],
      ['b/gone', 'removed'],
    ])
  })
})

const ref = (name: string): PolicyRef => ({ namespace: 'ns', name })
const hit = (name: string, direction: 'ingress' | 'egress' = 'ingress') => ({ policy: ref(name), direction, rule: 0, peer: 0 as const, port: 'any' as const })
const open: SideVerdict = { kind: 'not-isolated' }
const allowedBy = (...names: string[]): SideVerdict => ({ kind: 'allowed', isolatedBy: names.map(ref), allowedBy: names.map((n) => hit(n)) })
const deniedBy = (...names: string[]): SideVerdict => ({ kind: 'denied', isolatedBy: names.map(ref), misses: [] })
const v = (egress: SideVerdict, ingress: SideVerdict): Verdict => ({ allowed: egress.kind !== 'denied' && ingress.kind !== 'denied', egress, ingress, notes: [] })
const statusOf = (ref: PolicyRef): PolicyStatus => (ref.name.startsWith('new') ? 'added' : ref.name.startsWith('old') ? 'removed' : ref.name.startsWith('edit') ? 'changed' : 'unchanged')

describe('explainFlip: only the sides that decided the flip are explained', () => {
  test.each<{ name: string; was: Verdict; now: Verdict; want: Cause[] }>([
    { name: 'ingress now allowed by an added rule', was: v(open, deniedBy('deny')), now: v(open, allowedBy('new-allow')), want: [{ code: 'allowed-by', side: 'ingress', hit: hit('new-allow'), status: 'added' }] },
    { name: 'ingress isolation lifted', was: v(open, deniedBy('old-deny')), now: v(open, open), want: [{ code: 'isolation-lifted', side: 'ingress', policies: [{ policy: ref('old-deny'), status: 'removed' }] }] },
    {
      name: 'both sides denied before: both explained',
      was: v(deniedBy('old-eg'), deniedBy('deny')),
      now: v(open, allowedBy('edit-allow')),
      want: [
        { code: 'isolation-lifted', side: 'egress', policies: [{ policy: ref('old-eg'), status: 'removed' }] },
        { code: 'allowed-by', side: 'ingress', hit: hit('edit-allow'), status: 'changed' },
      ],
    },
    { name: 'an unchanged policy now allows: labels moved', was: v(open, deniedBy('x')), now: v(open, allowedBy('x')), want: [{ code: 'allowed-by', side: 'ingress', hit: hit('x'), status: 'unchanged' }] },
    { name: 'newly isolated on egress', was: v(open, open), now: v(deniedBy('new-eg'), open), want: [{ code: 'newly-isolated', side: 'egress', policies: [{ policy: ref('new-eg'), status: 'added' }] }] },
    { name: 'lost allow on ingress; the egress side still allows and is not mentioned', was: v(allowedBy('a'), allowedBy('edit-in')), now: v(allowedBy('a'), deniedBy('edit-in')), want: [{ code: 'allow-lost', side: 'ingress', hit: hit('edit-in'), status: 'changed' }] },
    { name: 'no flip, no cause', was: v(open, open), now: v(open, allowedBy('new')), want: [] },
  ])('$name', ({ was, now, want }) => expect(explainFlip(was, now, statusOf)).toEqual(want))
})

describe('joint classes, flips and grouping', () => {
  test('a pod is in the joint class of its class before and after', () => {
    const j = jointClasses(Int32Array.from([0, 0, 1, 1]), Int32Array.from([0, 1, 1, 1]))
    expect(j.members).toEqual([[0], [1], [2, 3]])
    expect([...j.before]).toEqual([0, 0, 1])
    expect([...j.after]).toEqual([0, 1, 1])
  })

  test.each([
    {
      name: 'flips compare each side through its own class of each pod; a one-pod class is skipped against itself',
      // pods: 0 → joint 0 (0,0); 1 → joint 1 (1,0); 2 → joint 2 (1,1)
      before: [0, 1, 1], after: [0, 0, 1], old: [[0, 1], []], now: [[0, 1], [1]],
      want: [{ from: 1, to: 0, port: 0, allowed: true }, { from: 1, to: 2, port: 0, allowed: true }],
    },
    {
      name: 'a class of two pods is compared with itself',
      before: [0, 1, 1], after: [0, 1, 1], old: [[0, 1], []], now: [[0, 1], [1]],
      want: [{ from: 1, to: 1, port: 0, allowed: true }],
    },
  ])('$name', ({ before, after, old, now, want }) => {
    const j = jointClasses(Int32Array.from(before), Int32Array.from(after))
    const rows = (list: number[][]) => [list.map((on) => {
      const b = new Bitset(2)
      for (const i of on) b.add(i)
      return b
    })]
    expect(findFlips(j, rows(old), rows(now))).toEqual(want)
  })

  test('flips of one pair are split by their causes; pod pairs exclude a pod with itself', () => {
    const flips = [0, 1, 2].map((port) => ({ from: 0, to: 0, port, allowed: true }))
    const explain = (_a: number, _b: number, port: number): Cause[] => (port === 1 ? [{ code: 'isolation-lifted', side: 'ingress', policies: [] }] : [])
    expect(groupFlips(flips, explain, () => 3)).toEqual([
      { change: 'allowed', from: 0, to: 0, ports: [0, 2], podPairs: 6, causes: [] },
      { change: 'allowed', from: 0, to: 0, ports: [1], podPairs: 6, causes: [{ code: 'isolation-lifted', side: 'ingress', policies: [] }] },
    ])
  })
})

describe('diffClusters agrees with evaluateFlow on every pod pair', () => {
  /** after: some of the pods, the other cluster's namespace labels, a mix of both clusters' policies */
  const pairs = fc.tuple(clusters, clusters, fc.array(fc.nat(3), { minLength: 14, maxLength: 14 }), fc.constantFrom<Family>(4, 6)).map(([a, b, dice, family]) => {
    const pods = a.pods.filter((_, i) => dice[i] !== 0)
    const mixed = new Map<string, NetworkPolicy>()
    a.policies.forEach((p, i) => dice[7 + i]! > 1 && mixed.set(`${p.namespace}/${p.name}`, p))
    b.policies.forEach((p, i) => {
      const name = i % 2 ? p.name : `q${i}`
      mixed.set(`${p.namespace}/${name}`, { ...p, name })
    })
    return { before: a, after: { ...b, pods, policies: [...mixed.values()] } as Cluster, family }
  })

  test('the same flips, and causes equal to explainFlip on the very pods', () => {
    let flipped = 0
    fc.assert(
      fc.property(pairs, ({ before, after, family }) => {
        const d = diffClusters(before, after, { ports: PORTS, family })
        const statuses = policyStatuses(before.policies, after.policies)
        const status = (r: PolicyRef) => statuses.get(`${r.namespace}/${r.name}`) ?? 'unchanged'
        const got = new Map<string, Cause[]>()
        for (const c of d.changes) {
          for (const a of d.classes[c.from]!.pods) for (const b of d.classes[c.to]!.pods) if (a !== b) for (const p of c.ports) got.set(`${a} ${b} ${p.port}/${p.protocol} ${c.change}`, [...c.causes])
        }
        const want = new Map<string, Cause[]>()
        const oi = indexCluster(before)
        const ni = indexCluster(after)
        const byId = new Map(after.pods.map((p) => [`${p.namespace}/${p.name}`, p]))
        const common = before.pods.filter((p) => byId.has(`${p.namespace}/${p.name}`))
        for (const a of common) {
          for (const b of common) {
            if (a === b) continue
            const a1 = byId.get(`${a.namespace}/${a.name}`)!
            const b1 = byId.get(`${b.namespace}/${b.name}`)!
            for (const { port, protocol } of PORTS) {
              const was = evaluateFlow(oi, { from: podEndpoint(a, family), to: podEndpoint(b, family), port, protocol })
              const now = evaluateFlow(ni, { from: podEndpoint(a1, family), to: podEndpoint(b1, family), port, protocol })
              if (was.allowed !== now.allowed) want.set(`${a.namespace}/${a.name} ${b.namespace}/${b.name} ${port}/${protocol} ${now.allowed ? 'allowed' : 'denied'}`, explainFlip(was, now, status))
            }
          }
        }
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort())
        if (want.size > 0) flipped++
        for (const [k, causes] of want) expect(got.get(k), k).toEqual(causes)
      }),
      { numRuns: 400 },
    )
    // the generator must produce real changes, not only identical sides
    expect(flipped).toBeGreaterThan(60)
  })
})

describe('diff: a template of several replicas and itself', () => {
  const tpl = (replicas: number) => pod('api/orders', { app: 'orders' }, { ports: http, template: { kind: 'Deployment', name: 'orders', replicas } })
  test.each([
    { name: '3 replicas: a default deny cuts one replica from another', replicas: 3, want: ['denied api/orders → api/orders 5432/TCP,8080/TCP'], pairs: [1] },
    { name: '1 replica: a pod may always reach itself, nothing flips', replicas: 1, want: [], pairs: [] },
  ])('$name', ({ replicas, want, pairs }) => {
    const ps = [tpl(replicas)]
    const d = diffClusters(make([], ps), make([denyApi], ps), { ports: [{ port: 5432, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }] })
    expect(summary(d)).toEqual(want)
    expect(d.changes.map((c) => c.podPairs)).toEqual(pairs)
    expect(causes(d)).toEqual(want.map(() => ['ingress newly-isolated deny added']))
  })

  test('pairs within a class count the template with itself', () => {
    // two templates with the same labels (one class): one of 3 replicas, one of 1
    const ps = [tpl(3), pod('api/orders-b', { app: 'orders' }, { ports: http, template: { kind: 'StatefulSet', name: 'orders-b', replicas: 1 } })]
    const d = diffClusters(make([], ps), make([denyApi], ps), { ports: [{ port: 8080, protocol: 'TCP' }] })
    // 2 ordered pairs between the two, and the 3-replica template's replicas among themselves
    expect(d.changes.map((c) => c.podPairs)).toEqual([3])
  })
})
