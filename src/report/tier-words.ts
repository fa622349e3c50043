/**
 * The tier chain in words, as `netpol check` prints it and `-o json` carries it (`chain`, `text` fields):
 * a step `[Admin] cnp/deny-db priority 10 ingress[0] "block" Deny`, a Pass `[Admin] Pass (anp/x priority 5
 * egress[0])`, steps joined with ` → `.
 */
import { actionWord, formatClusterRef, type ClusterPeer, type ClusterPolicy, type ClusterPort } from '../model/cluster-policy.js'
import { formatRef } from '../model/policy.js'
import type { LabelSelector } from '../model/label-selector.js'
import type { BelowAdmin, ClusterStep, SideVerdict } from '../engine/verdict.js'
import { selectorText } from './words.js'

/** `cnp/x priority 5 egress[0] "name"` (no priority for the BaselineAdminNetworkPolicy). */
function stepWhere(s: ClusterStep): string {
  const prio = s.priority === null ? '' : ` priority ${s.priority}`
  return `${formatClusterRef(s.policy)}${prio} ${s.direction}[${s.rule}]${s.name !== undefined ? ` ${JSON.stringify(s.name)}` : ''}`
}

/** One step: `[Admin] cnp/x priority 10 ingress[0] Deny`, or for a Pass `[Admin] Pass (cnp/x priority 10 ingress[0])`. */
export function stepText(s: ClusterStep): string {
  const action = actionWord(s.policy.kind, s.action)
  return s.action === 'Pass' ? `[${s.tier}] Pass (${stepWhere(s)})` : `[${s.tier}] ${stepWhere(s)} ${action}`
}

function belowSteps(v: BelowAdmin): string[] {
  switch (v.kind) {
    case 'not-isolated':
      return ['[NetworkPolicy] not isolated', ...(v.unmatched && v.unmatched.length > 0 ? [`[Baseline] no rule matched (${v.unmatched.map(formatClusterRef).join(', ')})`] : []), '[default] allowed']
    case 'allowed':
      return [`[NetworkPolicy] allowed by ${[...new Set(v.allowedBy.map((h) => `${formatRef(h.policy)} ${h.direction}[${h.rule}]`))].join(', ')}`]
    case 'denied':
      return [`[NetworkPolicy] denied: isolated by ${v.isolatedBy.map(formatRef).join(', ')}, no rule allows`]
    case 'baseline':
      return ['[NetworkPolicy] not isolated', stepText(v.step), ...(v.step.action === 'Pass' ? ['[default] allowed'] : [])]
  }
}

/**
 * The chain of a side decided with cluster policies in play, or null for a side no cluster policy rule touched
 * (its words are the NetworkPolicy ones, unchanged). A dns side reads `depends on DNS: if NAME resolves to the
 * address: CHAIN; otherwise: CHAIN`.
 */
export function chainText(v: SideVerdict, address?: string): string | null {
  switch (v.kind) {
    case 'admin':
      return stepText(v.step)
    case 'admin-pass':
      return [stepText(v.pass), ...belowSteps(v.then)].join(' → ')
    case 'baseline':
      return belowSteps(v).join(' → ')
    case 'dns': {
      const at = address ?? 'the address'
      const either = (s: SideVerdict) => chainText(s, address) ?? belowSteps(s as BelowAdmin).join(' → ')
      return `depends on DNS: if ${v.names.join(' or ')} resolves to ${at}: ${either(v.ifResolved)}; otherwise: ${either(v.otherwise)}`
    }
    default:
      return null
  }
}

/** A cluster peer in words: "pods app=web in namespaces team=a", "nodes role=infra", "networks 10.0.0.0/8". */
export function clusterPeerText(p: ClusterPeer | undefined): string {
  if (p === undefined) return ''
  switch (p.kind) {
    case 'namespaces':
      return namespacesText(p.selector)
    case 'pods':
      return `${p.podSelector.requirements.length === 0 ? 'all pods' : `pods ${selectorText(p.podSelector)}`} in ${namespacesText(p.namespaceSelector)}`
    case 'nodes':
      return `nodes ${selectorText(p.selector)}`
    case 'networks':
      return `networks ${p.cidrs.map((c) => c.text).join(', ')}`
    case 'domainNames':
      return `domainNames ${p.names.join(', ')}`
  }
}

const namespacesText = (sel: LabelSelector) => (sel.requirements.length === 0 ? 'all namespaces' : `namespaces ${selectorText(sel)}`)

/** A cluster port entry in words: "5432/TCP", "8000-9000/TCP", "named port http". */
export function clusterPortText(p: ClusterPort | undefined): string {
  if (p === undefined) return ''
  if (p.kind === 'named') return `named port ${p.name}`
  return p.from === p.to ? `${p.from}/${p.protocol}` : `${p.from}-${p.to}/${p.protocol}`
}

/** The peer and port words of a step, found in the cluster's policies. */
export function stepParts(s: ClusterStep, policies: readonly ClusterPolicy[]): { peerText: string; portText?: string } {
  const policy = policies.find((p) => p.kind === s.policy.kind && p.name === s.policy.name)
  const rule = policy?.[s.direction][s.rule]
  const peerText = clusterPeerText(rule?.peers[s.peer])
  if (s.port === 'any' || rule === undefined || rule.ports === 'any') return { peerText }
  const portText = clusterPortText(rule.ports[s.port]) + (s.resolvedPort !== undefined ? ` → ${s.resolvedPort}` : '')
  return { peerText, portText }
}
