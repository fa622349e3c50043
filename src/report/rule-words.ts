/**
 * A rule's peers and ports in words, as `netpol check` prints them ("pods app=web in namespaces team=a",
 * "5432/TCP"): the check text (src/cli/render/verdict-text.ts) and the check JSON (`peerText`, `portText` in
 * check-report.ts) say them alike.
 */
import { formatSelector } from '../model/label-selector.js'
import { formatPortSpec } from '../model/port.js'
import { formatRef, type Direction, type NetworkPolicy, type Peer } from '../model/policy.js'
import type { PolicyRef } from '../model/policy.js'

/** A peer in words: "pods app=web in namespaces team=a". */
export function peerText(peer: Peer | undefined): string {
  if (peer === undefined) return ''
  if (peer.kind === 'ipBlock') {
    const ex = peer.block.except.map((e) => e.text)
    return `ipBlock ${peer.block.cidr.text}${ex.length ? ` except ${ex.join(', ')}` : ''}`
  }
  const pods = peer.written.podSelector ? `pods ${formatSelector(peer.podSelector)}` : 'all pods'
  if (peer.namespaces.kind === 'own') return `${pods} in the policy's namespace`
  return `${pods} in namespaces ${formatSelector(peer.namespaces.selector)}`
}

/** The words of one rule's peers and port entries, found by policy, direction and rule index. */
export interface RuleWords {
  /** peer i in words, or undefined when the rule or the peer is not there */
  peer(policy: PolicyRef, dir: Direction, rule: number, i: number): string | undefined
  /** port entry i in words ("5432/TCP", "8000-8080/TCP", "http/TCP") */
  port(policy: PolicyRef, dir: Direction, rule: number, i: number): string | undefined
}

export function ruleWords(policies: readonly NetworkPolicy[]): RuleWords {
  const byRef = new Map(policies.map((p) => [formatRef(p), p]))
  const ruleOf = (policy: PolicyRef, dir: Direction, rule: number) => byRef.get(formatRef(policy))?.[dir]?.[rule]
  return {
    peer(policy, dir, rule, i) {
      const r = ruleOf(policy, dir, rule)
      const p = r && r.peers !== 'any' ? r.peers[i] : undefined
      return p && peerText(p)
    },
    port(policy, dir, rule, i) {
      const r = ruleOf(policy, dir, rule)
      const spec = r && r.ports !== 'any' ? r.ports[i] : undefined
      return spec && formatPortSpec(spec)
    },
  }
}
