/** `describe cnp/NAME`, `anp/NAME`, `banp/default`: a cluster policy resolved against the cluster, in words. */
import { actionWord, formatClusterRef } from '../../model/cluster-policy.js'
import type { Direction } from '../../model/policy.js'
import type { ClusterPolicyView, ClusterRuleView, ClusterPeerView } from '../../analysis/describe-cluster-policy.js'
import { clusterPeerText, clusterPortText } from '../../report/tier-words.js'
import { selectorText } from '../../report/words.js'
import { podsText } from './describe-text.js'

export function renderClusterPoliciesText(views: readonly ClusterPolicyView[]): string {
  return views.map(renderClusterPolicyText).join('\n')
}

export function renderClusterPolicyText(v: ClusterPolicyView): string {
  const p = v.policy
  const s = p.subject
  const subject = s.kind === 'namespaces' ? `namespaces ${selectorText(s.selector)}` : `pods ${selectorText(s.podSelector)} in namespaces ${selectorText(s.namespaceSelector)}`
  const lines = [
    field('Name', formatClusterRef(p)),
    field('Kind', p.kind),
    field('Tier', `${p.tier}${p.priority === null ? '' : `, priority ${p.priority}`} (evaluated ${ordinal(v.place.position)} of ${v.place.of} in the ${p.tier} tier)`),
    field('Subject', `${subject} → ${v.subject.pods.length === 0 ? 'selects no pod now' : `selects ${podsText(v.subject)}`}`),
  ]
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = v[dir]
    if (rules.length === 0) lines.push(field(cap(dir), `no rules: this policy does not affect ${dir} (cluster policies never isolate)`))
    else {
      lines.push(`${cap(dir)} rules (in order; the first whose peer and port match decides):`)
      for (const r of rules) lines.push(...ruleLines(p.kind, r, dir))
    }
  }
  return lines.join('\n') + '\n'
}

function ruleLines(kind: ClusterPolicyView['policy']['kind'], r: ClusterRuleView, dir: Direction): string[] {
  const f = dir === 'ingress' ? 'from: ' : 'to:   '
  const lines = [`  [${r.index}]${r.name !== undefined ? ` ${JSON.stringify(r.name)}` : ''} ${actionWord(kind, r.action)}`]
  for (const pv of r.peers) lines.push(`      ${f} ${clusterPeerText(pv.peer)} → ${peerResult(pv)}`)
  lines.push(`      ports: ${r.ports === 'any' ? 'all (no ports list)' : r.ports.map(clusterPortText).join('; ')}`)
  return lines
}

function peerResult(pv: ClusterPeerView): string {
  switch (pv.peer.kind) {
    case 'nodes':
      return pv.nodes.length === 0 ? 'no Node now' : `the addresses of ${pv.nodes.length === 1 ? 'Node' : 'Nodes'} ${pv.nodes.join(', ')}`
    case 'domainNames':
      return 'addresses as the names resolve (netpol check --resolve)'
    case 'networks':
      return pv.pods.pods.length === 0 ? 'no pod address inside' : `includes the addresses of ${podsText(pv.pods)}`
    default:
      return pv.pods.pods.length === 0 ? 'no pod now' : podsText(pv.pods)
  }
}

const field = (label: string, text: string) => `${label}:`.padEnd(15) + text
const cap = (d: Direction) => (d === 'ingress' ? 'Ingress' : 'Egress')
const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`

