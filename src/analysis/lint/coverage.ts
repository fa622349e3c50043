import type { Cidr } from '../../model/ip.js'
import type { IpBlock } from '../../model/ip-block.js'
import type { LabelSelector, Requirement } from '../../model/label-selector.js'
import type { Peer } from '../../model/policy.js'
import type { PortSpec } from '../../model/port.js'
import { PROTOCOLS } from '../../model/port.js'
import { NAME_LABEL } from './namespace-name-label.js'

/**
 * Coverage provable from the text alone, for every cluster. Each function is sufficient, not necessary: a
 * `false` means "not provable this way", and the caller may still decide on the input's pods.
 */

/** Does requirement `q` hold for every label set that satisfies all of `reqs`? */
export function requirementImplied(q: Requirement, reqs: readonly Requirement[]): boolean {
  for (const r of reqs) {
    if (r.key !== q.key) continue
    switch (q.operator) {
      case 'In':
        if (r.operator === 'In' && r.values.every((v) => q.values.includes(v))) return true
        break
      case 'NotIn':
        if (r.operator === 'In' && r.values.every((v) => !q.values.includes(v))) return true
        if (r.operator === 'NotIn' && q.values.every((v) => r.values.includes(v))) return true
        if (r.operator === 'DoesNotExist') return true
        break
      case 'Exists':
        if (r.operator === 'In' || r.operator === 'Exists') return true
        break
      case 'DoesNotExist':
        if (r.operator === 'DoesNotExist') return true
        break
    }
  }
  return false
}

/** Does `outer` match every object `inner` matches? ("The requirements are ANDed".) */
export function selectorImplies(inner: LabelSelector, outer: LabelSelector): boolean {
  return outer.requirements.every((q) => requirementImplied(q, inner.requirements))
}

/**
 * Does a namespaceSelector match namespace `ns` whatever its other labels? Only requirements on
 * kubernetes.io/metadata.name, which the API server sets to the name and never lets change, are known.
 */
export function selectsNamespaceByName(sel: LabelSelector, ns: string): boolean {
  return sel.requirements.every((q) => requirementImplied(q, [{ key: NAME_LABEL, operator: 'In', values: [ns] }]))
}

const inside = (a: Cidr, b: Cidr) => a.family === b.family && a.first >= b.first && a.last <= b.last
const disjoint = (a: Cidr, b: Cidr) => a.family !== b.family || a.last < b.first || b.last < a.first

/** Does block `b` contain every address block `a` contains? */
export function blockCovers(b: IpBlock, a: IpBlock): boolean {
  if (!inside(a.cidr, b.cidr)) return false
  // every hole of b inside a's range must already be a hole of a
  return b.except.every((e) => disjoint(e, a.cidr) || a.except.some((x) => inside(e, x)))
}

/** Does peer `b` admit everything peer `a` admits, for any pods and namespace labels? Both in one policy namespace. */
export function peerCovers(b: Peer, a: Peer, policyNamespace: string): boolean {
  if (a.kind === 'ipBlock' || b.kind === 'ipBlock') return a.kind === 'ipBlock' && b.kind === 'ipBlock' && blockCovers(b.block, a.block)
  if (!selectorImplies(a.podSelector, b.podSelector)) return false
  if (b.namespaces.kind === 'own') return a.namespaces.kind === 'own'
  if (a.namespaces.kind === 'own') return selectsNamespaceByName(b.namespaces.selector, policyNamespace)
  return selectorImplies(a.namespaces.selector, b.namespaces.selector)
}

export function peersCover(b: 'any' | readonly Peer[], a: 'any' | readonly Peer[], policyNamespace: string): boolean {
  if (b === 'any') return true
  if (a === 'any') return false
  return a.every((pa) => b.some((pb) => peerCovers(pb, pa, policyNamespace)))
}

/** Does port entry `b` match every connection entry `a` matches? */
export function portCovers(b: PortSpec, a: PortSpec): boolean {
  if (a.protocol !== b.protocol) return false
  if (b.port.kind === 'all') return true
  if (a.port.kind === 'range' && b.port.kind === 'range') return b.port.from <= a.port.from && a.port.to <= b.port.to
  return a.port.kind === 'named' && b.port.kind === 'named' && a.port.name === b.port.name
}

export function portsCover(b: 'any' | readonly PortSpec[], a: 'any' | readonly PortSpec[]): boolean {
  if (b === 'any') return true
  if (a === 'any') return PROTOCOLS.every((p) => b.some((s) => s.protocol === p && s.port.kind === 'all'))
  return a.every((sa) => b.some((sb) => portCovers(sb, sa)))
}
