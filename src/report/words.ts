/**
 * Words for policy parts that both the JSON contracts (as their `text` fields) and the text renderers print, so
 * the two never disagree.
 */
import { formatRequirement, type LabelSelector } from '../model/label-selector.js'
import type { Peer } from '../model/policy.js'
import type { PortSpec } from '../model/port.js'
import type { PortView } from '../analysis/describe.js'
import type { Labels } from '../model/labels.js'

/** A peer in plain words: "pods app=frontend in namespaces team=web", "0.0.0.0/0 except 169.254.169.254/32". */
export function peerWords(peer: Peer): string {
  if (peer.kind === 'ipBlock') {
    const ex = peer.block.except.map((e) => e.text)
    return `${peer.block.cidr.text}${ex.length > 0 ? ` except ${ex.join(', ')}` : ''}`
  }
  const pods = peer.podSelector.requirements.length === 0 ? 'all pods' : `pods ${selectorText(peer.podSelector)}`
  if (peer.namespaces.kind === 'own') return `${pods} in the policy's namespace`
  const ns = peer.namespaces.selector
  return ns.requirements.length === 0 ? `${pods} in every namespace` : `${pods} in namespaces ${selectorText(ns)}`
}

/** "5432/TCP", "8000-8999/TCP", "all UDP ports", "named port http/TCP → 8080 on 2 pods, unresolved on 1 pod". */
export function portWords(pv: PortView): string {
  const s: PortSpec = pv.spec
  switch (s.port.kind) {
    case 'all':
      return `all ${s.protocol} ports`
    case 'range':
      return s.port.from === s.port.to ? `${s.port.from}/${s.protocol}` : `${s.port.from}-${s.port.to}/${s.protocol}`
    case 'named': {
      const named = pv.named!
      const parts = named.resolved.map((g) => `${g.ports.join(' and ')} on ${count(g.pods.length, 'pod')}`)
      if (named.unresolved.length > 0) parts.push(`unresolved on ${count(named.unresolved.length, 'pod')}`)
      return `named port ${s.port.name}/${s.protocol} → ${parts.length === 0 ? 'no destination pod' : parts.join(', ')}`
    }
  }
}

/** A selector without braces; the empty selector reads "all". */
export function selectorText(sel: LabelSelector): string {
  return sel.requirements.length === 0 ? '{} (all)' : sel.requirements.map(formatRequirement).join(', ')
}

export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`

/** Labels that tell pods of one workload apart but say nothing about policy: left out of class names. */
export const NOISY_LABELS: ReadonlySet<string> = new Set(['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index'])

/** `{app=web, tier=frontend}`, without {@link NOISY_LABELS}; `{}` when nothing is left. */
export function readableLabels(labels: Labels): string {
  const keys = Object.keys(labels).filter((k) => !NOISY_LABELS.has(k)).sort()
  return keys.length === 0 ? '{}' : `{${keys.map((k) => `${k}=${labels[k]}`).join(', ')}}`
}
