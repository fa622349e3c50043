import { describe, expect, test } from 'vitest'
import type { ClusterPolicy, ClusterRule } from '../model/cluster-policy.js'
import { cluster, namespace, pod, policy, sel } from '../../test/builders.js'
import { causeText, diffSides } from '../cli/render/diff-text.js'
import { diffReport } from '../report/diff-report.js'
import { diffClusters } from './diff.js'

const nss = [namespace('a'), namespace('b')]
const pods = [pod('a/web', { app: 'web' }, { ips: ['10.0.0.1'] }), pod('b/client', { app: 'client' }, { ips: ['10.0.1.1'] })]
const fromB = (action: ClusterRule['action'], name?: string): ClusterRule => ({
  action,
  peers: [{ kind: 'namespaces', selector: sel({ 'kubernetes.io/metadata.name': 'b' }) }],
  ports: 'any',
  ...(name !== undefined ? { name } : {}),
})
const toA = { kind: 'namespaces' as const, selector: sel({ 'kubernetes.io/metadata.name': 'a' }) }
const cnp = (name: string, ingress: ClusterRule[], tier: 'Admin' | 'Baseline' = 'Admin'): ClusterPolicy => ({ kind: 'ClusterNetworkPolicy', tier, priority: 10, name, subject: toA, ingress, egress: [] })
const anp = (name: string, ingress: ClusterRule[]): ClusterPolicy => ({ kind: 'AdminNetworkPolicy', tier: 'Admin', priority: 5, name, subject: toA, ingress, egress: [] })
const port = { ports: [{ port: 80, protocol: 'TCP' as const }] }

function explain(before: ReturnType<typeof cluster>, after: ReturnType<typeof cluster>) {
  const d = diffClusters(before, after, port)
  expect(d).toEqual(diffClusters(before, after, { ...port, full: true }))
  const sides = diffSides(before, after)
  return { d, lines: d.changes.map((c) => `${c.change} ${d.classes[c.from]!.pods} → ${d.classes[c.to]!.pods}: ${c.causes.map((x) => causeText(x, sides)).join(' | ')}`) }
}

describe('diff names the cluster policy and tier that flip a connection', () => {
  test('an added Admin Deny, in text and JSON', () => {
    const before = cluster({ namespaces: nss, pods })
    const after = cluster({ namespaces: nss, pods, clusterPolicies: [cnp('deny-b', [fromB('Deny', 'no-b')])] })
    const { d, lines } = explain(before, after)
    expect(lines).toEqual(['denied b/client → a/web: ingress of the destination: [Admin] cnp/deny-b priority 10 ingress[0] "no-b" Deny (added)'])
    const json = diffReport(d)
    expect(json.clusterPolicies).toEqual([{ policy: 'cnp/deny-b', kind: 'ClusterNetworkPolicy', status: 'added' }])
    expect(json.changes[0]!.causes).toEqual([
      { code: 'tier-decides', side: 'ingress', tier: 'Admin', policy: 'cnp/deny-b', kind: 'ClusterNetworkPolicy', status: 'added', priority: 10, direction: 'ingress', rule: 0, ruleName: 'no-b', action: 'Deny' },
    ])
  })

  test('a removed AdminNetworkPolicy Deny lets the NetworkPolicy answer through again', () => {
    const with_ = cluster({ namespaces: nss, pods, clusterPolicies: [anp('x', [fromB('Deny')])] })
    const without = cluster({ namespaces: nss, pods })
    expect(explain(with_, without).lines).toEqual(['allowed b/client → a/web: ingress of the destination: no longer [Admin] anp/x priority 5 ingress[0] Deny (removed)'])
  })

  test('an Admin Accept changed to Pass hands the side to the isolating NetworkPolicy, which denies', () => {
    const deny = policy('a', 'deny-all', { podSelector: sel(), ingress: [] })
    const before = cluster({ namespaces: nss, pods, policies: [deny], clusterPolicies: [anp('x', [fromB('Accept')])] })
    const after = cluster({ namespaces: nss, pods, policies: [deny], clusterPolicies: [anp('x', [fromB('Pass')])] })
    expect(explain(before, after).lines).toEqual([
      'denied b/client → a/web: ingress of the destination: no longer [Admin] anp/x priority 5 ingress[0] Allow (changed) | ingress of the destination: [Admin] anp/x priority 5 ingress[0] Pass (changed)',
    ])
  })

  test('a Baseline Deny counts only where no NetworkPolicy isolates', () => {
    const banp: ClusterPolicy = { kind: 'BaselineAdminNetworkPolicy', tier: 'Baseline', priority: null, name: 'default', subject: toA, ingress: [fromB('Deny')], egress: [] }
    const before = cluster({ namespaces: nss, pods })
    const after = cluster({ namespaces: nss, pods, clusterPolicies: [banp] })
    expect(explain(before, after).lines).toEqual(['denied b/client → a/web: ingress of the destination: [Baseline] banp/default ingress[0] Deny (added)'])
    const open = policy('a', 'allow-all', { podSelector: sel(), ingress: [{ peers: 'any', ports: 'any' }] })
    const isolated = (cps: ClusterPolicy[]) => cluster({ namespaces: nss, pods, policies: [open], clusterPolicies: cps })
    expect(explain(isolated([]), isolated([banp])).d.changes).toEqual([])
  })
})
