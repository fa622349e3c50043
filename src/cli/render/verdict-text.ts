import type { Cluster } from '../../model/cluster.js'
import { formatLabels } from '../../model/labels.js'
import { formatRequirement } from '../../model/label-selector.js'
import { formatPortSpec } from '../../model/port.js'
import { formatRef, type Direction, type NetworkPolicy, type PolicyRef } from '../../model/policy.js'
import { dependsOnDns, type PeerMiss, type PortMiss, type RuleHit, type SideVerdict } from '../../engine/verdict.js'
import type { CheckedFlow } from '../../report/check-report.js'
import { peerText } from '../../report/rule-words.js'
import { formatClusterRef, type ClusterPolicy } from '../../model/cluster-policy.js'
import { tierSideLines } from './tier-text.js'

export type { CheckedFlow }
export { peerText }

export interface Style {
  ok(s: string): string
  bad(s: string): string
  dim(s: string): string
  bold(s: string): string
}
export const plain: Style = { ok: (s) => s, bad: (s) => s, dim: (s) => s, bold: (s) => s }

export function renderCheckText(cluster: Cluster, flows: readonly CheckedFlow[], st: Style = plain): string {
  const policies = new Map(cluster.policies.map((p) => [`${p.namespace}/${p.name}`, p]))
  return flows.map((f) => renderOne(policies, cluster.clusterPolicies, f, st)).join('\n')
}

function renderOne(policies: ReadonlyMap<string, NetworkPolicy>, clusterPolicies: readonly ClusterPolicy[], f: CheckedFlow, st: Style): string {
  const head = dependsOnDns(f.verdict) ? st.bold('DEPENDS ON DNS') : f.verdict.allowed ? st.ok(st.bold('ALLOWED')) : st.bad(st.bold('DENIED'))
  const addrs = f.fromIp !== null || f.toIp !== null ? st.dim(`  (${f.fromIp ?? 'no address'} → ${f.toIp ?? 'no address'})`) : ''
  const lines = [`${head}  ${f.from} → ${f.to}  port ${f.port}/${f.protocol}${f.via ? `  ${f.via}` : ''}${addrs}`, '']
  for (const n of f.verdict.notes) if (n.code === 'replicas') lines.push(`  ${replicasText(n.pod, n.replicas)}`, '')
  lines.push(...side('egress', `egress of ${f.from}`, f.verdict.egress, policies, st, clusterPolicies, f.toIp ?? undefined))
  lines.push(...side('ingress', `ingress to ${f.to}`, f.verdict.ingress, policies, st, clusterPolicies, f.fromIp ?? undefined))
  for (const n of f.verdict.notes) {
    if (n.code === 'host-network') lines.push(`  note: ${n.pod} uses hostNetwork: NetworkPolicy enforcement for such pods is undefined in Kubernetes and netpol's agent does not enforce the policies that select them (it filters other pods' egress to them as traffic to the node)`)
    if (n.code === 'no-ip') lines.push(`  note: ${n.pod} has no known address of this family (no status.podIP, or a workload template): ipBlock peers never match it`)
  }
  return lines.join('\n') + '\n'
}

/** "shop/web stands for 3 replicas; this is one replica to another" */
export function replicasText(pod: string, replicas: number | 'per-node'): string {
  const what = replicas === 'per-node' ? 'one replica per node (a DaemonSet)' : `${replicas} replicas`
  return `${pod} stands for ${what}; this is one replica to another, decided as for two different pods`
}

export function side(dir: Direction, title: string, v: SideVerdict, policies: ReadonlyMap<string, NetworkPolicy>, st: Style, clusterPolicies: readonly ClusterPolicy[] = [], address?: string): string[] {
  switch (v.kind) {
    case 'admin':
    case 'admin-pass':
    case 'baseline':
    case 'dns':
      return tierSideLines(title, v, clusterPolicies, st, (np) => side(dir, title, np, policies, st).slice(1), address)
    case 'not-a-pod':
      return [`  ${title}: ${st.ok('allowed')} — not a pod, no policy applies to this side`]
    case 'not-isolated': {
      const asked = v.unmatched && v.unmatched.length > 0 ? `, and no rule of the cluster policies that select it (${v.unmatched.map(formatClusterRef).join(', ')}) matches` : ''
      return [`  ${title}: ${st.ok('allowed')} — not isolated: no NetworkPolicy selects the pod with policyType ${cap(dir)}${asked}`]
    }
    case 'self':
      return [`  ${title}: ${st.ok('allowed')} — a pod may always connect to itself`]
    case 'from-node':
      return [`  ${title}: ${st.ok('allowed')} — traffic from the pod's own node is always allowed`]
    case 'allowed':
      return [
        `  ${title}: ${st.ok('allowed')}`,
        `    isolated by ${v.isolatedBy.map(formatRef).join(', ')}`,
        ...v.allowedBy.map((h) => `    allowed by ${hitText(h, policies)}`),
      ]
    case 'denied': {
      const out = [`  ${title}: ${st.bad('denied')}`, `    isolated by ${v.isolatedBy.map(formatRef).join(', ')}; no rule allows this connection:`]
      for (const m of v.misses) {
        const policy = policies.get(formatRef(m.policy))
        if (m.rules.length === 0) {
          out.push(`    ${formatRef(m.policy)}: has no ${dir} rules (it only isolates)`)
          continue
        }
        for (const r of m.rules) {
          out.push(`    ${formatRef(m.policy)} ${dir}[${r.rule}]:`)
          const rule = policy?.[dir]?.[r.rule]
          const field = dir === 'ingress' ? 'from' : 'to'
          if (r.peers.ok) out.push(`      ✓ ${r.peers.peer === 'any' ? `${field}: no list, all peers match` : `${field}[${r.peers.peer}] matches`}`)
          else {
            // one heading per peer, then every reason it failed
            const byPeer = new Map<number, PeerMiss[]>()
            for (const pm of r.peers.misses) byPeer.set(pm.peer, [...(byPeer.get(pm.peer) ?? []), pm])
            for (const [i, ms] of byPeer) {
              out.push(`      ${field}[${i}] ${peerText(rule && rule.peers !== 'any' ? rule.peers[i] : undefined)}:`)
              for (const pm of ms) out.push(`        ✗ ${peerMissText(pm)}`)
            }
          }
          if (r.ports.ok) out.push(`      ✓ ${r.ports.port === 'any' ? 'ports: no list, all ports match' : `ports[${r.ports.port}] matches`}`)
          else for (const pm of r.ports.misses) out.push(`      ports[${pm.port}] ${rule && rule.ports !== 'any' && rule.ports[pm.port] ? formatPortSpec(rule.ports[pm.port]!) : ''}: ✗ ${portMissText(pm)}`)
        }
      }
      return out
    }
  }
}

const cap = (d: Direction) => (d === 'ingress' ? 'Ingress' : 'Egress')

function hitText(h: RuleHit, policies: ReadonlyMap<string, NetworkPolicy>): string {
  const rule = policies.get(formatRef(h.policy))?.[h.direction]?.[h.rule]
  const field = h.direction === 'ingress' ? 'from' : 'to'
  const peer = h.peer === 'any' ? `any ${field === 'from' ? 'source' : 'destination'} (no ${field} list)` : `${field}[${h.peer}] ${peerText(rule && rule.peers !== 'any' ? rule.peers[h.peer] : undefined)}`
  const spec = h.port !== 'any' && rule && rule.ports !== 'any' ? rule.ports[h.port] : undefined
  const port = h.port === 'any' ? 'any port (no ports list)' : `ports[${h.port}] ${spec ? formatPortSpec(spec) : ''}${h.resolvedPort !== undefined && spec?.port.kind === 'named' ? ` → ${h.resolvedPort}` : ''}`
  return `${formatRef(h.policy)} ${h.direction}[${h.rule}]: ${peer}, ${port}`
}


export function peerMissText(m: PeerMiss): string {
  switch (m.code) {
    case 'not-a-pod':
      return `${m.ip} is not a pod; pod and namespace selectors only match pods`
    case 'other-namespace':
      return `the pod is in namespace ${m.podNamespace}; a podSelector without namespaceSelector only selects pods in ${m.policyNamespace}`
    case 'namespace-labels':
      return `namespace ${m.namespace} has labels ${formatLabels(m.labels)}; namespaceSelector wants ${m.failed.map(formatRequirement).join(', ')}`
    case 'pod-labels':
      return `pod ${m.pod} has labels ${formatLabels(m.labels)}; podSelector wants ${m.failed.map(formatRequirement).join(', ')}`
    case 'no-ip':
      return `${m.pod || 'the endpoint'} has no known IP address, so ipBlock ${m.cidr} cannot match it`
    case 'ip-outside':
      return `${m.ip} is outside ${m.cidr}`
    case 'ip-excepted':
      return `${m.ip} is in ${m.cidr} but excluded by except ${m.except}`
  }
}

export function portMissText(m: PortMiss): string {
  switch (m.code) {
    case 'protocol':
      return `protocol is ${m.want}, the connection is ${m.got}`
    case 'number':
      return m.from === m.to ? `port ${m.from} ≠ ${m.got}` : `${m.got} is outside ${m.from}-${m.to}`
    case 'named-not-a-pod':
      return `named port "${m.name}" only resolves on a destination pod`
    case 'named-undefined':
      return `${m.pod} defines no ${m.protocol} container port named "${m.name}"`
    case 'named-other-number':
      return `"${m.name}" is port ${m.resolved.join(', ')} on ${m.pod}, not ${m.got}`
  }
}

export type { PolicyRef }
