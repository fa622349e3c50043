import type { Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { ipBlockContains } from '../model/ip-block.js'
import { selectorMatches } from '../model/label-selector.js'
import type { NetworkPolicy, Peer, Rule } from '../model/policy.js'
import type { PortSpec, Protocol } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { matchPort, matchPorts } from '../engine/match-port.js'
import { isolatingPolicies } from '../engine/select.js'
import { Bitset } from './bitset.js'
import { computeIdentities, type Identities } from './identities.js'

export interface PortProtocol {
  readonly port: number
  readonly protocol: Protocol
}

/** Class-level answers for one port: `allowed(s, d)` for source class s and destination class d. */
export interface ClassMatrix extends PortProtocol {
  /** per source class, the destination classes it may open connections to */
  readonly rows: readonly Bitset[]
}

/**
 * The reachability of every ordered pod pair, for each port. Computed per class pair (see identities.ts);
 * `allowed(i, j)` expands it to pods, including "a pod may always reach itself".
 */
export interface Reachability {
  readonly pods: readonly Pod[]
  readonly identities: Identities
  readonly results: readonly ClassMatrix[]
}

export function podAllowed(r: Reachability, m: ClassMatrix, from: number, to: number): boolean {
  if (from === to) return true
  return m.rows[r.identities.classOf[from]!]!.has(r.identities.classOf[to]!)
}

/**
 * Decide reachability for `pods` (pairs among them only: a verdict depends only on its two ends, the
 * policies and the namespaces, never on other pods). Uses the engine's own matching functions on one
 * representative per class, so it cannot read the spec differently from `evaluateFlow`.
 */
export function computeReachability(index: ClusterIndex, pods: readonly Pod[], ports: readonly PortProtocol[], family: Family): Reachability {
  const ids = computeIdentities(pods, index.cluster.policies, family)
  const n = ids.classes.length
  const peers = new PeerClassCache(index, ids)
  const ingressBy = ids.classes.map((c) => isolatingPolicies(index, c.rep.pod, 'ingress'))
  const egressBy = ids.classes.map((c) => isolatingPolicies(index, c.rep.pod, 'egress'))
  const results: ClassMatrix[] = []
  for (const { port, protocol } of ports) {
    const named = new Map<string, Bitset>()
    const portClasses = (rule: Rule): Bitset | 'all' => destinationsForPorts(rule.ports, port, protocol, ids, named)
    // ingress: per destination class, the source classes its policies allow
    const inAllowed: (Bitset | null)[] = ingressBy.map((policies, d) => {
      if (policies.length === 0) return null
      const allowed = new Bitset(n)
      for (const p of policies) {
        for (const rule of p.ingress!) {
          if (!matchPorts(rule.ports, port, protocol, ids.classes[d]!.rep.pod).ok) continue
          allowed.orWith(peers.forRule(rule, p))
        }
      }
      return allowed
    })
    // egress: per source class, the destination classes its policies allow (named ports resolve per destination)
    const rows = egressBy.map((policies, s) => {
      let out: Bitset
      if (policies.length === 0) out = Bitset.full(n)
      else {
        out = new Bitset(n)
        for (const p of policies) {
          for (const rule of p.egress!) {
            const dests = portClasses(rule)
            if (dests === 'all') out.orWith(peers.forRule(rule, p))
            else out.orAnd(peers.forRule(rule, p), dests)
          }
        }
      }
      const row = new Bitset(n)
      for (let d = 0; d < n; d++) {
        if (!out.has(d)) continue
        const inA = inAllowed[d]!
        if (inA === null || inA.has(s)) row.add(d)
      }
      return row
    })
    results.push({ port, protocol, rows })
  }
  return { pods, identities: ids, results }
}

/** The destination classes on which some entry of `ports` matches port/protocol ('all' when it does not depend on the destination). */
function destinationsForPorts(ports: 'any' | readonly PortSpec[], port: number, protocol: Protocol, ids: Identities, cache: Map<string, Bitset>): Bitset | 'all' | Bitset {
  if (ports === 'any') return 'all'
  let acc: Bitset | null = null
  for (let i = 0; i < ports.length; i++) {
    const spec = ports[i]!
    if (spec.port.kind !== 'named') {
      if (matchPort(spec, i, port, protocol, null).ok) return 'all'
      continue
    }
    const key = `${spec.port.name}/${spec.protocol}`
    let bits = cache.get(key)
    if (bits === undefined) {
      bits = new Bitset(ids.classes.length)
      for (const c of ids.classes) if (matchPort(spec, i, port, protocol, c.rep.pod).ok) bits.add(c.index)
      cache.set(key, bits)
    }
    if (acc === null) acc = new Bitset(ids.classes.length)
    acc.orWith(bits)
  }
  return acc ?? new Bitset(ids.classes.length)
}

/** Class sets of peers, computed once per distinct peer (selectors interned by their canonical key). */
class PeerClassCache {
  private readonly byKey = new Map<string, Bitset>()
  private readonly nsBySelector = new Map<string, string[]>()
  private readonly ruleCache = new WeakMap<Rule, Bitset>()
  private readonly all: Bitset
  constructor(private readonly index: ClusterIndex, private readonly ids: Identities) {
    this.all = Bitset.full(ids.classes.length)
  }

  /** "If this field is empty or missing, this rule matches all sources" — several peers are ORed. */
  forRule(rule: Rule, policy: NetworkPolicy): Bitset {
    if (rule.peers === 'any') return this.all
    let bits = this.ruleCache.get(rule)
    if (bits === undefined) {
      bits = new Bitset(this.ids.classes.length)
      for (const peer of rule.peers) bits.orWith(this.forPeer(peer, policy.namespace))
      this.ruleCache.set(rule, bits)
    }
    return bits
  }

  private forPeer(peer: Peer, policyNamespace: string): Bitset {
    const key =
      peer.kind === 'ipBlock'
        ? `ip\n${peer.block.key}`
        : peer.namespaces.kind === 'own'
          ? `own\n${policyNamespace}\n${peer.podSelector.key}`
          : `ns\n${peer.namespaces.selector.key}\n${peer.podSelector.key}`
    let bits = this.byKey.get(key)
    if (bits !== undefined) return bits
    bits = new Bitset(this.ids.classes.length)
    const { classes, byNamespace } = this.ids
    if (peer.kind === 'ipBlock') {
      for (const c of classes) if (c.rep.ip !== null && ipBlockContains(peer.block, c.rep.ip)) bits.add(c.index)
    } else {
      const namespaces = peer.namespaces.kind === 'own' ? [policyNamespace] : this.namespacesMatching(peer.namespaces.selector)
      for (const ns of namespaces) {
        for (const ci of byNamespace.get(ns) ?? []) if (selectorMatches(peer.podSelector, classes[ci]!.rep.pod.labels)) bits.add(ci)
      }
    }
    this.byKey.set(key, bits)
    return bits
  }

  private namespacesMatching(selector: { key: string } & Parameters<typeof selectorMatches>[0]): string[] {
    let list = this.nsBySelector.get(selector.key)
    if (list === undefined) {
      list = [...this.ids.byNamespace.keys()].filter((ns) => selectorMatches(selector, this.index.namespaceLabels(ns)))
      this.nsBySelector.set(selector.key, list)
    }
    return list
  }
}
