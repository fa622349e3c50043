/**
 * The policy tiers on classes, for the lint checks about cluster policies: the engine's classes (computeIdentities
 * with the cluster policies, so that pods alike for every subject, peer, `networks` CIDR and `nodes` peer share a
 * class) and its PeerCache answer who a subject selects and who a peer admits; the other ends of a side are those
 * classes plus the addresses outside the pods, cut by the `networks` CIDRs and the Nodes' addresses; ends alike
 * for every cluster peer form one block. A tier is then walked per group of subjects with the same policies and
 * per block, as the engine walks it per flow: "Rules are evaluated in order ... a rule that appears at the top
 * ... would take the highest precedence", the first rule whose peer and port match decides, and any action ends
 * the walk for those connections. Nothing here loops over pods once per policy.
 */
import type { Cluster, Pod } from '../../model/cluster.js'
import type { ClusterPeer, ClusterPolicy, ClusterRule, Tier } from '../../model/cluster-policy.js'
import { cidrContains, formatIpValue, type Family, type IpAddress } from '../../model/ip.js'
import { selectorMatches, type LabelSelector } from '../../model/label-selector.js'
import type { Direction } from '../../model/policy.js'
import type { Bitset } from '../../engine/bitset.js'
import type { ClusterIndex } from '../../engine/cluster-index.js'
import { computeIdentities, namedPortsKey, type Identities } from '../../engine/identities.js'
import { clusterPeerKey, identitySpace, PeerCache } from '../../engine/peer-cache.js'
import { ALL_PORTS, intersect, rulePorts, subtract, type PortInterval, type PortSet } from '../../engine/tier-decisions.js'

/** A rule of a cluster policy, where it is written. */
export interface ClusterRuleAt {
  readonly policy: ClusterPolicy
  readonly direction: Direction
  readonly index: number
  readonly rule: ClusterRule
  /** `['spec', 'ingress', 0]` */
  readonly path: readonly (string | number)[]
}

export const TIERS: readonly Tier[] = ['Admin', 'Baseline']
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress']

/** `cnp/x ingress 0` as a key: one rule of one policy. */
export const ruleKey = (at: ClusterRuleAt): string => `${at.policy.kind}/${at.policy.name} ${at.direction} ${at.index}`

export function clusterRulesOf(policy: ClusterPolicy, direction: Direction): ClusterRuleAt[] {
  return policy[direction].map((rule, index) => ({ policy, direction, index, rule, path: ['spec', direction, index] }))
}

/** Whether a rule's peers admit an end: no; maybe (a domainNames peer: it depends on DNS); yes. */
export const NO = 0
export const MAYBE = 1
export const YES = 2
export type Admission = typeof NO | typeof MAYBE | typeof YES

/** Ends alike for every cluster peer: a pod standing for its pods, or an address outside the pods. */
export interface EndBlock {
  readonly index: number
  /** a member pod, or null for an address outside the pods */
  readonly pod: Pod | null
  /** the member's address (null: a workload template, which has none) */
  readonly ip: IpAddress | null
}

/** Subjects of one tier and direction with the same policies (and, when some rule names a port on ingress, the same named ports). */
export interface SubjectGroup {
  readonly key: string
  readonly rules: readonly ClusterRuleAt[]
  /** selector classes */
  readonly subjects: readonly number[]
}

/** What one rule did in a walk against one end block. */
export interface WalkStep {
  readonly at: ClusterRuleAt
  readonly admission: Admission
  /** the ports it matches on this destination */
  readonly ports: PortSet
  /** the ports it decided (YES), or may decide (MAYBE), that no earlier rule decided */
  readonly took: PortSet
  /** the earlier rules that decided ports it matches */
  readonly blockedBy: readonly ClusterRuleAt[]
}

export class TierClasses {
  readonly ids: Identities
  readonly peers: PeerCache
  readonly blocks: readonly EndBlock[]
  /** the number of pods each block stands for (0 for an address outside the pods) */
  readonly blockPods: readonly number[]
  private readonly peerIds = new Map<string, number>()
  /** per peer id, its admission of each block */
  private readonly admissions: Uint8Array[] = []
  private readonly ruleAdmissions = new WeakMap<ClusterRule, Uint8Array>()
  private readonly groups = new Map<string, readonly SubjectGroup[]>()
  private readonly walks = new Map<string, readonly WalkStep[]>()
  private readonly rulePortSets = new WeakMap<ClusterRule, PortSet>()
  private readonly alikeBy = new Map<string, Int32Array>()
  private selectorPods: number[][] | null = null

  constructor(readonly index: ClusterIndex, family: Family) {
    const cluster = index.cluster
    this.ids = computeIdentities(cluster.pods, cluster.policies, family, cluster)
    this.peers = new PeerCache(index, identitySpace(this.ids))
    const peerList: ClusterPeer[] = []
    for (const p of cluster.clusterPolicies) {
      for (const r of [...p.ingress, ...p.egress]) {
        for (const peer of r.peers) {
          const k = clusterPeerKey(peer)
          if (!this.peerIds.has(k)) {
            this.peerIds.set(k, peerList.length)
            peerList.push(peer)
          }
        }
      }
    }
    const egressNamed = cluster.clusterPolicies.some((p) => p.egress.some((r) => r.ports !== 'any' && r.ports.some((x) => x.kind === 'named')))
    const ends = [...this.podEnds(egressNamed), ...outsideEnds(cluster)]
    const bits = peerList.map((peer) => (peer.kind === 'namespaces' || peer.kind === 'pods' || peer.kind === 'networks' || peer.kind === 'nodes' ? this.peers.forClusterPeer(peer) : null))
    const nodeSets = peerList.map((peer) => (peer.kind === 'nodes' ? nodeAddresses(cluster, peer.selector) : null))
    const byKey = new Map<string, number>()
    const blocks: EndBlock[] = []
    const counts: number[] = []
    const rows: Uint8Array[] = []
    for (const end of ends) {
      const row = new Uint8Array(peerList.length)
      peerList.forEach((peer, k) => (row[k] = admitsEnd(peer, end, bits[k]!, nodeSets[k]!)))
      const key = `${end.extra}|${row.join('')}`
      let b = byKey.get(key)
      if (b === undefined) {
        b = blocks.length
        byKey.set(key, b)
        blocks.push({ index: b, pod: end.pod, ip: end.ip })
        counts.push(0)
        rows.push(row)
      }
      counts[b]! += end.pods
    }
    this.blocks = blocks
    this.blockPods = counts
    for (let k = 0; k < peerList.length; k++) this.admissions.push(Uint8Array.from(rows, (row) => row[k]!))
  }

  /** Every pod class as an end: its selector class, its address class (none without an address). */
  private podEnds(egressNamed: boolean): RawEnd[] {
    const { classes, selectorOf, addressOf } = this.ids
    return classes.map((c, i) => ({
      pod: c.rep.pod,
      ip: c.rep.ip,
      sel: selectorOf[i]!,
      addr: c.rep.ip === null ? null : addressOf[i]!,
      pods: c.members.length,
      extra: `pod${egressNamed ? ` ${namedPortsKey(c.rep.pod)}` : ''}`,
    }))
  }

  /** How a rule's peers (ORed) admit each block. */
  admission(rule: ClusterRule): Uint8Array {
    let out = this.ruleAdmissions.get(rule)
    if (out === undefined) {
      out = new Uint8Array(this.blocks.length)
      for (const peer of rule.peers) {
        const row = this.admissions[this.peerIds.get(clusterPeerKey(peer))!]!
        for (let b = 0; b < out.length; b++) if (row[b]! > out[b]!) out[b] = row[b]!
      }
      this.ruleAdmissions.set(rule, out)
    }
    return out
  }

  /** The selector classes a policy's subject selects (never a hostNetwork pod). */
  subjects(policy: ClusterPolicy): Bitset {
    return this.peers.forSubject(policy.subject)
  }

  /** A pod of selector class `sel`. */
  subjectPod(sel: number): Pod {
    return this.ids.selectorClasses[sel]!.rep.pod
  }

  /** The pods of some selector classes, in input order (indexes into cluster.pods). */
  podsOf(sels: Iterable<number>): Pod[] {
    if (this.selectorPods === null) {
      const m: number[][] = this.ids.selectorClasses.map(() => [])
      const { classOf, selectorOf } = this.ids
      for (let i = 0; i < classOf.length; i++) m[selectorOf[classOf[i]!]!]!.push(i)
      this.selectorPods = m
    }
    const idx: number[] = []
    for (const s of sels) idx.push(...this.selectorPods[s]!)
    const pods = this.index.cluster.pods
    return idx.sort((a, b) => a - b).map((i) => pods[i]!)
  }

  /**
   * The subjects of `tier` for `direction`, grouped by the rules that apply to them (the rules of the tier's
   * policies that select them, in evaluation order).
   */
  subjectGroups(tier: Tier, direction: Direction): readonly SubjectGroup[] {
    const gk = `${tier} ${direction}`
    let out = this.groups.get(gk)
    if (out !== undefined) return out
    const policies = this.index.cluster.clusterPolicies.filter((p) => p.tier === tier && p[direction].length > 0)
    const lists = new Map<number, number[]>()
    policies.forEach((p, i) =>
      this.subjects(p).forEach((s) => {
        const l = lists.get(s)
        if (l) l.push(i)
        else lists.set(s, [i])
      }),
    )
    const byKey = new Map<string, { rules: ClusterRuleAt[]; subjects: number[] }>()
    for (const [s, list] of [...lists].sort((a, b) => a[0] - b[0])) {
      const named = direction === 'ingress' && list.some((i) => policies[i]![direction].some((r) => r.ports !== 'any' && r.ports.some((x) => x.kind === 'named')))
      const key = `${list.join(',')}${named ? `|${namedPortsKey(this.subjectPod(s))}` : ''}`
      let g = byKey.get(key)
      if (g === undefined) byKey.set(key, (g = { rules: list.flatMap((i) => clusterRulesOf(policies[i]!, direction)), subjects: [] }))
      g.subjects.push(s)
    }
    out = [...byKey].map(([key, g]) => ({ key: `${gk} ${key}`, rules: g.rules, subjects: g.subjects }))
    this.groups.set(gk, out)
    return out
  }

  /**
   * For each block, the first block that `rules` admit alike (and, when an egress rule names a port, whose pod has
   * the same named ports): walks against the two are the same. Remembered per `key`.
   */
  private alike(key: string, rules: readonly ClusterRuleAt[]): Int32Array {
    let out = this.alikeBy.get(key)
    if (out !== undefined) return out
    const rows = rules.map((at) => this.admission(at.rule))
    const named = rules.some((at) => at.direction === 'egress' && at.rule.ports !== 'any' && at.rule.ports.some((x) => x.kind === 'named'))
    const first = new Map<string, number>()
    out = new Int32Array(this.blocks.length)
    for (let b = 0; b < out.length; b++) {
      let sig = ''
      for (const row of rows) sig += row[b]!
      if (named) sig += `|${this.blocks[b]!.pod === null ? '-' : namedPortsKey(this.blocks[b]!.pod!)}`
      let r = first.get(sig)
      if (r === undefined) first.set(sig, (r = b))
      out[b] = r
    }
    this.alikeBy.set(key, out)
    return out
  }

  /** The blocks that stand for the others in walks of `rules` (see `walk`): walking these meets every step once. */
  distinctBlocks(key: string, rules: readonly ClusterRuleAt[]): number[] {
    const alike = this.alike(key, rules)
    const out: number[] = []
    for (let b = 0; b < alike.length; b++) if (alike[b] === b) out.push(b)
    return out
  }

  /** The ports a rule matches on destination `dest` (remembered per rule when it names no port). */
  private portsOf(at: ClusterRuleAt, dest: Pod | null): PortSet {
    const ports = at.rule.ports
    if (ports === 'any') return ALL_PORTS
    if (ports.some((p) => p.kind === 'named')) return rulePorts(ports, dest)
    let set = this.rulePortSets.get(at.rule)
    if (set === undefined) this.rulePortSets.set(at.rule, (set = rulePorts(ports, null)))
    return set
  }

  /**
   * Walks `rules` (in evaluation order) against block `b` for a subject like `subject`: per port, the first rule
   * whose peers admit the block and whose ports match decides; a domainNames peer (MAYBE) may decide, so it takes
   * nothing from the rules after it. Named ports resolve on the destination (ingress: the subject; egress: the
   * block's pod; none for an address outside the pods). Remembered per `key` (a group's, or a policy's).
   */
  walk(key: string, rules: readonly ClusterRuleAt[], b0: number, subject: Pod): readonly WalkStep[] {
    // blocks that every rule of the list admits alike walk alike: the first of them stands for the others
    const b = this.alike(key, rules)[b0]!
    const wk = `${key}#${b}`
    let steps = this.walks.get(wk)
    if (steps !== undefined) return steps
    const block = this.blocks[b]!
    const out: WalkStep[] = []
    let open: PortSet = ALL_PORTS
    const taken: { at: ClusterRuleAt; ports: PortSet }[] = []
    for (const at of rules) {
      const admission = this.admission(at.rule)[b]! as Admission
      if (admission === NO) continue
      const ports = this.portsOf(at, at.direction === 'ingress' ? subject : block.pod)
      if (ports.length === 0) continue
      const took = intersect(open, ports)
      const blockedBy = taken.filter((t) => intersect(t.ports, ports).length > 0).map((t) => t.at)
      out.push({ at, admission, ports, took, blockedBy })
      if (admission === YES && took.length > 0) {
        taken.push({ at, ports: took })
        open = subtract(open, took)
      }
    }
    this.walks.set(wk, (steps = out))
    return steps
  }
}

interface RawEnd {
  readonly pod: Pod | null
  readonly ip: IpAddress | null
  readonly sel: number | null
  readonly addr: number | null
  /** how many pods it stands for */
  readonly pods: number
  /** what else tells ends apart */
  readonly extra: string
}

function admitsEnd(peer: ClusterPeer, end: RawEnd, bits: Bitset | null, nodes: ReadonlySet<string> | null): number {
  switch (peer.kind) {
    case 'namespaces':
    case 'pods':
      return end.sel !== null && bits!.has(end.sel) ? YES : NO
    case 'networks':
    case 'nodes':
      if (end.pod !== null) return end.addr !== null && bits!.has(end.addr) ? YES : NO
      if (end.ip === null) return NO
      if (peer.kind === 'networks') return peer.cidrs.some((c) => cidrContains(c, end.ip!)) ? YES : NO
      return nodes!.has(`${end.ip.family}:${end.ip.value}`) ? YES : NO
    case 'domainNames':
      // "Pod addresses never match domainNames"; any other address may be one of the names: it depends on DNS
      return end.pod === null ? MAYBE : NO
  }
}

function nodeAddresses(cluster: Cluster, selector: LabelSelector): ReadonlySet<string> {
  const out = new Set<string>()
  for (const n of cluster.nodes) if (selectorMatches(selector, n.labels)) for (const ip of n.addresses) out.add(`${ip.family}:${ip.value}`)
  return out
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 }

/**
 * Addresses outside the pods, one per piece of each family's address line cut at every `networks` CIDR's bounds
 * and at every Node address: within a piece, every networks and nodes peer answers alike.
 */
function outsideEnds(cluster: Cluster): RawEnd[] {
  const cuts: Record<Family, Set<bigint>> = { 4: new Set([0n]), 6: new Set([0n]) }
  const cut = (family: Family, first: bigint, last: bigint) => {
    cuts[family].add(first)
    if (last + 1n < 1n << BigInt(BITS[family])) cuts[family].add(last + 1n)
  }
  for (const p of cluster.clusterPolicies) {
    for (const r of [...p.ingress, ...p.egress]) for (const peer of r.peers) if (peer.kind === 'networks') for (const c of peer.cidrs) cut(c.family, c.first, c.last)
  }
  for (const n of cluster.nodes) for (const a of n.addresses) cut(a.family, a.value, a.value)
  const out: RawEnd[] = []
  for (const family of [4, 6] as const) {
    for (const value of [...cuts[family]].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      out.push({ pod: null, ip: { family, value, text: formatIpValue(family, value) }, sel: null, addr: null, pods: 0, extra: 'outside' })
    }
  }
  return out
}

/** `5432/TCP`, `8000-9000/TCP`, `all ports` */
export function portSetText(ports: PortSet): string {
  if (ports.length === ALL_PORTS.length && ports.every((p, i) => p.protocol === ALL_PORTS[i]!.protocol && p.from === 0 && p.to === ALL_PORTS[i]!.to)) return 'any port'
  return ports.map((p: PortInterval) => (p.from === p.to ? `${p.from}/${p.protocol}` : p.from === 0 && p.to === 65535 ? `any ${p.protocol} port` : `${p.from}-${p.to}/${p.protocol}`)).join(', ')
}
