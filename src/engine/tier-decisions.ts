/**
 * What one cluster policy tier decides between two classes, as port sets: the one place the matrix and the
 * dataplane compiler ask. Pure; decided on one member per class through the PeerCache.
 *
 * For a subject (a selector class), a direction, a tier and the other end (a pod class, or an address class
 * outside the pods): the tier's policies whose subject selects the subject, in `Cluster.clusterPolicies` order;
 * in each, the rules of the direction in written order; per port, the first rule whose peer matches the other end
 * and whose port entries match the port decides ("a rule that appears at the top ... would take the highest
 * precedence"): Accept, Deny, or Pass ("skips all further ClusterNetworkPolicy rules in the current tier"). A port
 * that no rule matches, or that a Pass took, is decided by no one here: it passes on to the next tier.
 */
import type { ClusterAction, ClusterPolicy, ClusterPort, ClusterRule, Tier } from '../model/cluster-policy.js'
import type { Pod } from '../model/cluster.js'
import { PROTOCOLS, type Protocol } from '../model/port.js'
import type { Direction } from '../model/policy.js'
import { Bitset } from './bitset.js'
import { namedPortsKey } from './identities.js'
import type { PeerCache, PeerSets } from './peer-cache.js'

/** Ports from..to (inclusive) of one protocol. */
export interface PortInterval {
  readonly protocol: Protocol
  readonly from: number
  readonly to: number
}

/** Port intervals sorted by protocol (PROTOCOLS order) then `from`; disjoint, adjacent ones merged. */
export type PortSet = readonly PortInterval[]

/** The highest port; port 0 is a port like any other to the dataplane. */
export const MAX_PORT = 65535

/** Every port of every protocol: what `ports` absent matches ("protocol-specific attributes will not be used"). */
export const ALL_PORTS: PortSet = PROTOCOLS.map((protocol) => ({ protocol, from: 0, to: MAX_PORT }))

/**
 * The other end of the side: its selector class (null for an address outside the pods, and for a hostNetwork pod,
 * which is never a namespaces/pods peer) and its address class (null when it has no address of the family: a
 * workload template matches no `networks` or `nodes` peer).
 */
export interface TierEnd {
  readonly sel: number | null
  readonly addr: number | null
}

/** A rule of a cluster policy. */
export interface TierRuleRef {
  readonly policy: ClusterPolicy
  readonly direction: Direction
  /** index into the policy's rules of `direction` */
  readonly rule: number
}

/** Ports on which one rule matched first, and what it did. */
export interface TierPiece {
  readonly ports: PortInterval
  readonly action: ClusterAction
  readonly by: TierRuleRef
}

/**
 * What a tier decides for one side: `accept` and `deny` are disjoint; every other port passes on (a Pass rule took
 * it, or no rule matched it). `pieces`: every interval some rule matched first, Pass included, in port order.
 */
export interface TierDecision {
  readonly accept: PortSet
  readonly deny: PortSet
  readonly pieces: readonly TierPiece[]
}

export const NO_DECISION: TierDecision = Object.freeze({ accept: [], deny: [], pieces: [] })

/**
 * Many other ends at once, for deciding one port against all of them (the matrix): end i is the pair
 * (sel[i], addr[i]) of a selector class and an address class, -1 for none (see TierEnd).
 */
export interface TierEnds {
  readonly size: number
  readonly sel: Int32Array
  readonly addr: Int32Array
}

/** What a tier decides on one port against every end of a TierEnds: the ends accepted, and those denied. */
export interface PortBits {
  readonly accept: Bitset
  readonly deny: Bitset
}

/** One rule as the walk reads it: its policy, index, and what its peers admit (classes of the PeerCache). */
export interface TierRule {
  readonly ref: TierRuleRef
  readonly rule: ClusterRule
  readonly peers: PeerSets
}

/**
 * Tier decisions over the classes of one PeerCache (Identities for the matrix, the dataplane's classes for the
 * ruleset). Every answer is computed once per subject's policies and remembered.
 */
export class TierDecisions {
  private readonly subjects = new Map<Tier, { lists: readonly (readonly ClusterPolicy[])[]; ids: Int32Array }>()
  private readonly walks = new Map<string, readonly TierRule[]>()
  private readonly walkKeys = new Map<readonly TierRule[], string>()
  private readonly endSets = new WeakMap<TierEnds, { rules: WeakMap<ClusterRule, Bitset>; named: Map<string, Bitset>; ports: Map<string, PortBits | null> }>()

  /**
   * `policies`: the cluster policies in evaluation order (`Cluster.clusterPolicies`), by default those of the
   * PeerCache's cluster; another cluster's may be given when the PeerCache's answers hold for it too (the same
   * classes, namespace labels and Nodes).
   */
  constructor(readonly peers: PeerCache, readonly policies: readonly ClusterPolicy[] = peers.index.cluster.clusterPolicies) {}

  /** Are there cluster policies at all? When not, nothing here is ever asked and nothing costs. */
  get any(): boolean {
    return this.policies.length > 0
  }

  /** The policies of `tier` whose subject selects selector class `sel`, in evaluation order ([] for a hostNetwork pod). */
  policiesOf(sel: number, tier: Tier): readonly ClusterPolicy[] {
    return this.subjectLists(tier).lists[sel]!
  }

  /**
   * Per selector class, the tier's policies that select it, and an id equal for classes with the same list: built
   * once per tier from each policy's subject classes (O(policies · their subjects), not classes × policies).
   */
  private subjectLists(tier: Tier): { lists: readonly (readonly ClusterPolicy[])[]; ids: Int32Array } {
    let known = this.subjects.get(tier)
    if (known === undefined) {
      const n = this.peers.space.selectorSize
      const lists: ClusterPolicy[][] = Array.from({ length: n }, () => [])
      const keys: string[] = new Array<string>(n).fill('')
      this.policies.forEach((p, i) => {
        if (p.tier !== tier) return
        this.peers.forSubject(p.subject).forEach((c) => {
          lists[c]!.push(p)
          keys[c] += `${i},`
        })
      })
      const byKey = new Map<string, number>()
      const ids = Int32Array.from(keys, (k) => {
        let id = byKey.get(k)
        if (id === undefined) byKey.set(k, (id = byKey.size))
        return id
      })
      // classes with equal lists share one array
      const shared = new Map<number, ClusterPolicy[]>()
      for (let c = 0; c < n; c++) {
        const first = shared.get(ids[c]!)
        if (first === undefined) shared.set(ids[c]!, lists[c]!)
        else lists[c] = first
      }
      this.subjects.set(tier, (known = { lists, ids }))
    }
    return known
  }

  /** The rules of `direction` of the tier's policies that select `sel`, in evaluation order. */
  rulesOf(sel: number, direction: Direction, tier: Tier): readonly TierRule[] {
    const { lists, ids } = this.subjectLists(tier)
    const key = `${direction} ${tier} ${ids[sel]}`
    let rules = this.walks.get(key)
    if (rules === undefined) {
      const out: TierRule[] = []
      for (const policy of lists[sel]!) {
        policy[direction].forEach((rule, i) => out.push({ ref: { policy, direction, rule: i }, rule, peers: this.peers.forClusterRule(rule) }))
      }
      this.walks.set(key, (rules = out))
      this.walkKeys.set(rules, key)
    }
    return rules
  }

  /**
   * The same walk as `decide` on one port, against every end of `ends` at once: first match per end. Null when
   * no rule of the tier selects `sel` for `direction`. Remembered per list of rules (subjects with the same
   * policies share it) and, when some rule names a port on an ingress subject, per the subject's named ports.
   */
  onPort(sel: number, direction: Direction, tier: Tier, port: number, protocol: Protocol, ends: TierEnds): PortBits | null {
    const rules = this.rulesOf(sel, direction, tier)
    if (rules.length === 0) return null
    let cache = this.endSets.get(ends)
    if (cache === undefined) this.endSets.set(ends, (cache = { rules: new WeakMap(), named: new Map(), ports: new Map() }))
    const subject = this.peers.space.selectorRep(sel).pod
    const namedHere = direction === 'ingress' && rules.some((r) => r.rule.ports !== 'any' && r.rule.ports.some((p) => p.kind === 'named'))
    const key = `${this.walkKeys.get(rules)}|${port}/${protocol}${namedHere ? `|${namedPortsKey(subject)}` : ''}`
    const known = cache.ports.get(key)
    if (known !== undefined) return known
    const accept = new Bitset(ends.size)
    const deny = new Bitset(ends.size)
    const open = Bitset.full(ends.size)
    const hit = new Bitset(ends.size)
    for (const r of rules) {
      const where = this.portEnds(r.rule, direction, port, protocol, subject, ends, cache.named)
      if (where === 'none') continue
      const peers = this.ruleEnds(r, ends, cache.rules)
      const h = hit.words
      const o = open.words
      const pw = peers.words
      let any = 0
      for (let w = 0; w < h.length; w++) {
        const v = pw[w]! & o[w]! & (where === 'all' ? 0xffffffff : where.words[w]!)
        h[w] = v
        any |= v
      }
      if (any === 0) continue
      if (r.rule.action !== 'Pass') (r.rule.action === 'Accept' ? accept : deny).orWith(hit)
      for (let w = 0; w < o.length; w++) o[w]! &= ~h[w]!
      if (open.isEmpty()) break
    }
    const out = { accept, deny }
    cache.ports.set(key, out)
    return out
  }

  /** The ends a rule's peers admit. */
  private ruleEnds(r: TierRule, ends: TierEnds, cache: WeakMap<ClusterRule, Bitset>): Bitset {
    let bits = cache.get(r.rule)
    if (bits === undefined) {
      bits = new Bitset(ends.size)
      for (let i = 0; i < ends.size; i++) if (admits(r.peers, { sel: nullable(ends.sel[i]!), addr: nullable(ends.addr[i]!) })) bits.add(i)
      cache.set(r.rule, bits)
    }
    return bits
  }

  /**
   * Where a rule's port entries match `port`/`protocol`: on every end, on none, or (a named port of an egress
   * rule, which resolves on the other end) on some ends.
   */
  private portEnds(rule: ClusterRule, direction: Direction, port: number, protocol: Protocol, subject: Pod, ends: TierEnds, named: Map<string, Bitset>): 'all' | 'none' | Bitset {
    if (rule.ports === 'any') return 'all'
    let some: Bitset | null = null
    for (const p of rule.ports) {
      if (p.kind === 'range') {
        if (p.protocol === protocol && p.from <= port && port <= p.to) return 'all'
        continue
      }
      if (direction === 'ingress') {
        if (subject.ports.some((cp) => cp.name === p.name && cp.protocol === protocol && cp.port === port)) return 'all'
        continue
      }
      const key = `${p.name}|${port}/${protocol}`
      let bits = named.get(key)
      if (bits === undefined) {
        bits = new Bitset(ends.size)
        const bySel = new Map<number, boolean>()
        for (let i = 0; i < ends.size; i++) {
          const s = ends.sel[i]!
          if (s < 0) continue
          let ok = bySel.get(s)
          if (ok === undefined) bySel.set(s, (ok = this.peers.space.selectorRep(s).pod.ports.some((cp) => cp.name === p.name && cp.protocol === protocol && cp.port === port)))
          if (ok) bits.add(i)
        }
        named.set(key, bits)
      }
      if (some === null) some = Bitset.copy(bits)
      else some.orWith(bits)
    }
    return some ?? 'none'
  }

  /**
   * What `tier` decides for subject `sel`'s side `direction` against `other`, per port. Named ports resolve on the
   * destination: for ingress the subject, for egress the other end (none when it is not a pod).
   */
  decide(sel: number, direction: Direction, tier: Tier, other: TierEnd): TierDecision {
    const rules = this.rulesOf(sel, direction, tier)
    if (rules.length === 0) return NO_DECISION
    const dest = direction === 'ingress' ? this.peers.space.selectorRep(sel).pod : other.sel === null ? null : this.peers.space.selectorRep(other.sel).pod
    let open: PortInterval[] = [...ALL_PORTS]
    const pieces: TierPiece[] = []
    for (const r of rules) {
      if (!admits(r.peers, other)) continue
      const ports = r.rule.ports === 'any' ? ALL_PORTS : rulePorts(r.rule.ports, dest)
      const hit = intersect(open, ports)
      if (hit.length === 0) continue
      for (const p of hit) pieces.push({ ports: p, action: r.rule.action, by: r.ref })
      open = subtract(open, hit)
      if (open.length === 0) break
    }
    if (pieces.length === 0) return NO_DECISION
    pieces.sort((a, b) => comparePorts(a.ports, b.ports))
    return {
      accept: merge(pieces.filter((p) => p.action === 'Accept').map((p) => p.ports)),
      deny: merge(pieces.filter((p) => p.action === 'Deny').map((p) => p.ports)),
      pieces,
    }
  }
}

const nullable = (i: number): number | null => (i < 0 ? null : i)

/** Does some peer of a rule admit the other end (by its selector class, or by its address)? */
export function admits(sets: PeerSets, other: TierEnd): boolean {
  return (other.sel !== null && sets.sel.has(other.sel)) || (other.addr !== null && sets.addr.has(other.addr))
}

/**
 * The ports a rule's entries match on destination `dest` (null: not a pod). A range matches its protocol, from ≤
 * port ≤ to; a named port "matches traffic on a named port" of the destination: each of its container ports of
 * that name, with its own number and protocol.
 */
export function rulePorts(ports: readonly ClusterPort[], dest: Pod | null): PortSet {
  const out: PortInterval[] = []
  for (const p of ports) {
    if (p.kind === 'range') out.push({ protocol: p.protocol, from: p.from, to: p.to })
    else for (const cp of dest?.ports ?? []) if (cp.name === p.name) out.push({ protocol: cp.protocol, from: cp.port, to: cp.port })
  }
  return merge(out)
}

/** Is `port`/`protocol` in the set? */
export function portSetHas(set: PortSet, port: number, protocol: Protocol): boolean {
  for (const r of set) if (r.protocol === protocol && r.from <= port && port <= r.to) return true
  return false
}

const protoRank = (p: Protocol): number => PROTOCOLS.indexOf(p)
const comparePorts = (a: PortInterval, b: PortInterval): number => protoRank(a.protocol) - protoRank(b.protocol) || a.from - b.from

/** Sorted, overlapping and adjacent intervals merged. */
export function merge(list: readonly PortInterval[]): PortInterval[] {
  const sorted = [...list].sort(comparePorts)
  const out: PortInterval[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && last.protocol === r.protocol && r.from <= last.to + 1) {
      if (r.to > last.to) out[out.length - 1] = { protocol: r.protocol, from: last.from, to: r.to }
    } else out.push(r)
  }
  return out
}

/** a ∩ b of two port sets. */
export function intersect(a: PortSet, b: PortSet): PortInterval[] {
  const out: PortInterval[] = []
  for (const x of a) {
    for (const y of b) {
      if (x.protocol !== y.protocol) continue
      const from = Math.max(x.from, y.from)
      const to = Math.min(x.to, y.to)
      if (from <= to) out.push({ protocol: x.protocol, from, to })
    }
  }
  return merge(out)
}

/** a \ b of two port sets. */
export function subtract(a: PortSet, b: PortSet): PortInterval[] {
  let out: PortInterval[] = [...a]
  for (const y of b) {
    const next: PortInterval[] = []
    for (const x of out) {
      if (x.protocol !== y.protocol || y.to < x.from || y.from > x.to) {
        next.push(x)
        continue
      }
      if (x.from < y.from) next.push({ protocol: x.protocol, from: x.from, to: y.from - 1 })
      if (y.to < x.to) next.push({ protocol: x.protocol, from: y.to + 1, to: x.to })
    }
    out = next
  }
  return out
}
