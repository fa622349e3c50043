import type { NetworkPolicy, Peer, Rule } from '../../model/policy.js'
import type { PortSpec } from '../../model/port.js'
import type { Check } from './check.js'
import { msg, policyObject, ref, type Draft } from './finding.js'

function peerKey(p: Peer): string {
  if (p.kind === 'ipBlock') return `ip:${p.block.key}`
  return p.namespaces.kind === 'own' ? `pods:${p.podSelector.key}` : `ns:${p.namespaces.selector.key}|pods:${p.podSelector.key}`
}

function portKey(p: PortSpec): string {
  const v = p.port
  return `${p.protocol}:${v.kind === 'all' ? '*' : v.kind === 'named' ? v.name : `${v.from}-${v.to}`}`
}

function ruleKey(r: Rule): string {
  const peers = r.peers === 'any' ? '*' : [...new Set(r.peers.map(peerKey))].sort().join(';')
  const ports = r.ports === 'any' ? '*' : [...new Set(r.ports.map(portKey))].sort().join(';')
  return `${peers}=>${ports}`
}

const rulesKey = (rules: readonly Rule[] | null) => (rules === null ? '-' : `[${rules.map(ruleKey).join(' , ')}]`)

/**
 * A key equal for two policies of one namespace exactly when their specs are the same, up to the order and
 * repetition of entries inside each peer and port list (which never changes what a rule matches).
 */
export function policySpecKey(p: NetworkPolicy): string {
  return `${p.namespace}\n${p.podSelector.key}\n${rulesKey(p.ingress)}\n${rulesKey(p.egress)}`
}

/** Policies whose spec repeats an earlier policy of the same namespace, each with the first one (found once per list). */
export function duplicatePolicies(policies: readonly NetworkPolicy[]): ReadonlyMap<NetworkPolicy, NetworkPolicy> {
  let dups = found.get(policies)
  if (dups === undefined) found.set(policies, (dups = findDuplicates(policies)))
  return dups
}
const found = new WeakMap<readonly NetworkPolicy[], ReadonlyMap<NetworkPolicy, NetworkPolicy>>()

function findDuplicates(policies: readonly NetworkPolicy[]): Map<NetworkPolicy, NetworkPolicy> {
  const first = new Map<string, NetworkPolicy>()
  const dups = new Map<NetworkPolicy, NetworkPolicy>()
  for (const p of policies) {
    const key = policySpecKey(p)
    const f = first.get(key)
    if (f === undefined) first.set(key, p)
    else dups.set(p, f)
  }
  return dups
}

export const duplicatePolicy: Check = {
  id: 'NP011',
  slug: 'duplicate-policy',
  severity: 'warning',
  title: 'two policies of a namespace have the same spec',
  description:
    'A copy under another name changes nothing while both exist, but invites drift: an edit to one leaves the ' +
    'other allowing the old traffic. Keep one.',
  run(ctx) {
    const out: Draft[] = []
    for (const [dup, orig] of duplicatePolicies(ctx.cluster.policies)) {
      out.push({
        object: policyObject(dup),
        path: ['spec'],
        message: msg`same spec as ${ref(`${orig.namespace}/${orig.name}`)}: while both exist this policy changes nothing, and tightening only one of them has no effect`,
        fix: { text: msg`delete one of the two policies` },
        related: [{ object: policyObject(orig), path: ['spec'] }],
      })
    }
    return out
  },
}
