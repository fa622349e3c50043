import type { Cluster, Pod } from '../model/cluster.js'
import { selectorMatches } from '../model/label-selector.js'
import { cidrContains, type Family, type IpAddress } from '../model/ip.js'
import type { IpBlock } from '../model/ip-block.js'
import { ipBlockContains } from '../model/ip-block.js'
import { labelsKey } from '../model/labels.js'
import type { NetworkPolicy } from '../model/policy.js'
import { podEndpoint } from './endpoint.js'
import type { Endpoint } from './verdict.js'

/**
 * Pods that no policy can tell apart, grouped into one class (cilium calls these identities).
 * Everything the engine's decisions read about a pod is in the key: its namespace (and so the namespace's
 * labels), its labels, its named container ports, and which of the policies' ipBlocks contain its address
 * of the connection's family. Two pods of one class get the same verdict against any third pod, so the
 * matrix is computed per class pair and expanded per pod only when written.
 * With cluster policies the key also holds what they read: whether the pod is hostNetwork (never a subject nor a
 * namespaces/pods peer), and which `networks` CIDRs and which `nodes` peers' node addresses hold its address.
 */
export interface PodClass {
  readonly index: number
  readonly namespace: string
  /** the first member; any member would give the same answers */
  readonly rep: Endpoint & { kind: 'pod' }
  readonly members: number[]
}

export interface Identities {
  readonly family: Family
  readonly classes: readonly PodClass[]
  /** pod index (in the pods given) → class index */
  readonly classOf: Int32Array
  /** class indexes per namespace */
  readonly byNamespace: ReadonlyMap<string, readonly number[]>
  /**
   * The same partition in two independent halves. Selector classes hold what selectors and named ports read
   * (namespace, labels, named ports); address classes hold what ipBlocks read (which blocks contain the
   * address). Every class is one (selector, address) pair. Peers of each kind are decided on their own half,
   * so ipBlocks that split workloads by address do not multiply the selector work.
   */
  readonly selectorClasses: readonly HalfClass[]
  readonly addressClasses: readonly HalfClass[]
  /** class index → its selector class and its address class */
  readonly selectorOf: Int32Array
  readonly addressOf: Int32Array
  /** selector class indexes per namespace */
  readonly selectorsByNamespace: ReadonlyMap<string, readonly number[]>
}

/** One half of a class: a representative endpoint (any member answers the same for this half). */
export interface HalfClass {
  readonly index: number
  readonly rep: Endpoint & { kind: 'pod' }
}

export function distinctIpBlocks(policies: readonly NetworkPolicy[]): IpBlock[] {
  const seen = new Map<string, IpBlock>()
  for (const p of policies) {
    for (const rules of [p.ingress, p.egress]) {
      for (const r of rules ?? []) {
        if (r.peers === 'any') continue
        for (const peer of r.peers) if (peer.kind === 'ipBlock' && !seen.has(peer.block.key)) seen.set(peer.block.key, peer.block)
      }
    }
  }
  return [...seen.values()]
}

export function namedPortsKey(pod: Pod): string {
  const named: string[] = []
  for (const p of pod.ports) if (p.name !== undefined) named.push(`${p.name}/${p.protocol}=${p.port}`)
  return named.sort().join(',')
}

/** What cluster policies read of a cluster: the policies and the Node objects (for `nodes` peers). */
export type ClusterTiers = Pick<Cluster, 'clusterPolicies' | 'nodes'>

/**
 * A set of addresses classes must keep apart from the rest: `ranges` (first..last) cut the address line, and
 * within a piece between cuts `contains` answers alike for every address.
 */
export interface AddressSet {
  readonly ranges: readonly { readonly first: bigint; readonly last: bigint }[]
  contains(ip: IpAddress): boolean
}

const blockSet = (b: IpBlock): AddressSet => ({ ranges: [b.cidr, ...b.except], contains: (ip) => ipBlockContains(b, ip) })

/**
 * The address sets cluster policies read: every `networks` CIDR, and per `nodes` peer the addresses of the Nodes
 * it picks. (domainNames never match a pod's address.)
 */
export function clusterAddressSets(tiers: ClusterTiers): AddressSet[] {
  return [...keyedAddressSets(tiers).values()]
}

/**
 * Equal for two clusters whose cluster policies make the same classes: whether there are any, and the address
 * sets they read (by CIDR, and by node selector with the addresses it picks).
 */
export function clusterClassesKey(tiers: ClusterTiers): string {
  if (tiers.clusterPolicies.length === 0) return ''
  return ['tiers', ...[...keyedAddressSets(tiers)].map(([k, v]) => `${k} ${v.ranges.map((r) => `${r.first}-${r.last}`).join(',')}`)].join('\n')
}

function keyedAddressSets(tiers: ClusterTiers): Map<string, AddressSet> {
  const seen = new Map<string, AddressSet>()
  for (const p of tiers.clusterPolicies) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const peer of r.peers) {
        if (peer.kind === 'networks') {
          for (const c of peer.cidrs) {
            const key = `net ${c.family}:${c.first}-${c.last}`
            if (!seen.has(key)) seen.set(key, { ranges: [c], contains: (ip) => cidrContains(c, ip) })
          }
        } else if (peer.kind === 'nodes') {
          const key = `nodes ${peer.selector.key}`
          if (seen.has(key)) continue
          const addresses: IpAddress[] = []
          for (const n of tiers.nodes) if (selectorMatches(peer.selector, n.labels)) addresses.push(...n.addresses)
          const values = new Set(addresses.map((a) => `${a.family}:${a.value}`))
          seen.set(key, { ranges: addresses.map((a) => ({ first: a.value, last: a.value })), contains: (ip) => values.has(`${ip.family}:${ip.value}`) })
        }
      }
    }
  }
  return seen
}

/**
 * `tiers`: the cluster policies and Nodes, when the classes must see them too (no cost when there are none).
 */
export function computeIdentities(pods: readonly Pod[], policies: readonly NetworkPolicy[], family: Family, tiers?: ClusterTiers): Identities {
  const endpoints = pods.map((p) => podEndpoint(p, family) as Endpoint & { kind: 'pod' })
  const withTiers = tiers !== undefined && tiers.clusterPolicies.length > 0
  const sets = distinctIpBlocks(policies).map(blockSet)
  if (withTiers) sets.push(...clusterAddressSets(tiers))
  const blockKeys = addressMembership(endpoints, sets)
  const selectors = new Interner()
  const addresses = new Interner()
  const byKey = new Map<string, PodClass>()
  const classes: PodClass[] = []
  const selectorOf: number[] = []
  const addressOf: number[] = []
  const classOf = new Int32Array(pods.length)
  const byNamespace = new Map<string, number[]>()
  const selectorsByNamespace = new Map<string, number[]>()
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!
    const e = endpoints[i]!
    const sKey = `${pod.namespace}\n${labelsKey(pod.labels)}\n${namedPortsKey(pod)}${withTiers && pod.hostNetwork ? '\nhost' : ''}`
    const before = selectors.list.length
    const s = selectors.intern(sKey, e)
    if (s === before) push(selectorsByNamespace, pod.namespace, s)
    const a = addresses.intern(e.ip === null ? '-' : blockKeys[i]!, e)
    const key = `${s} ${a}`
    let cls = byKey.get(key)
    if (cls === undefined) {
      cls = { index: classes.length, namespace: pod.namespace, rep: e, members: [] }
      byKey.set(key, cls)
      classes.push(cls)
      selectorOf.push(s)
      addressOf.push(a)
      push(byNamespace, pod.namespace, cls.index)
    }
    cls.members.push(i)
    classOf[i] = cls.index
  }
  return {
    family,
    classes,
    classOf,
    byNamespace,
    selectorClasses: selectors.list,
    addressClasses: addresses.list,
    selectorOf: Int32Array.from(selectorOf),
    addressOf: Int32Array.from(addressOf),
    selectorsByNamespace,
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}

class Interner {
  readonly list: HalfClass[] = []
  private readonly byKey = new Map<string, number>()
  intern(key: string, rep: Endpoint & { kind: 'pod' }): number {
    let i = this.byKey.get(key)
    if (i === undefined) {
      i = this.list.length
      this.byKey.set(key, i)
      this.list.push({ index: i, rep })
    }
    return i
  }
}

/**
 * For each endpoint, a key naming the sets that contain its address. Set edges (cidr and except bounds)
 * cut the address space into elementary ranges inside which membership cannot change, so membership is
 * decided once per range that holds an address: O(sets · ranges used + pods · log edges), never pods × sets.
 */
function addressMembership(endpoints: readonly Endpoint[], blocks: readonly AddressSet[]): string[] {
  const edges = new Set<bigint>()
  for (const b of blocks) {
    for (const c of b.ranges) {
      edges.add(c.first)
      edges.add(c.last + 1n)
    }
  }
  const sorted = [...edges].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const byRange = new Map<number, string>()
  return endpoints.map((e) => {
    if (e.ip === null) return ''
    const v = e.ip.value
    // the number of edges ≤ v identifies the elementary range holding v
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (sorted[mid]! <= v) lo = mid + 1
      else hi = mid
    }
    let key = byRange.get(lo)
    if (key === undefined) {
      key = ''
      for (let id = 0; id < blocks.length; id++) if (blocks[id]!.contains(e.ip)) key += `${id},`
      byRange.set(lo, key)
    }
    return key
  })
}

/**
 * What computeIdentities gives for the pods `keep` picks, made from `all`, the identities of every pod of `pods`
 * (same policies and family, no cluster policies): the classes in the order their first picked member comes,
 * each with its picked members and the first of them as representative; the halves the same way.
 */
export function subsetIdentities(all: Identities, pods: readonly Pod[], keep: (pod: Pod) => boolean): { readonly pods: Pod[]; readonly ids: Identities } {
  const picked: Pod[] = []
  const classes: PodClass[] = []
  const selectorClasses: HalfClass[] = []
  const addressClasses: HalfClass[] = []
  const classFor = new Int32Array(all.classes.length).fill(-1)
  const selectorFor = new Int32Array(all.selectorClasses.length).fill(-1)
  const addressFor = new Int32Array(all.addressClasses.length).fill(-1)
  const classOf: number[] = []
  const selectorOf: number[] = []
  const addressOf: number[] = []
  const byNamespace = new Map<string, number[]>()
  const selectorsByNamespace = new Map<string, number[]>()
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!
    if (!keep(pod)) continue
    const k = picked.length
    picked.push(pod)
    const c = all.classOf[i]!
    let cls = classFor[c]!
    if (cls < 0) {
      const e = podEndpoint(pod, all.family) as Endpoint & { kind: 'pod' }
      const s = all.selectorOf[c]!
      if (selectorFor[s]! < 0) {
        selectorFor[s] = selectorClasses.length
        selectorClasses.push({ index: selectorClasses.length, rep: e })
        push(selectorsByNamespace, pod.namespace, selectorFor[s]!)
      }
      const a = all.addressOf[c]!
      if (addressFor[a]! < 0) {
        addressFor[a] = addressClasses.length
        addressClasses.push({ index: addressClasses.length, rep: e })
      }
      cls = classFor[c] = classes.length
      classes.push({ index: cls, namespace: pod.namespace, rep: e, members: [] })
      selectorOf.push(selectorFor[s]!)
      addressOf.push(addressFor[a]!)
      push(byNamespace, pod.namespace, cls)
    }
    classes[cls]!.members.push(k)
    classOf.push(cls)
  }
  return {
    pods: picked,
    ids: {
      family: all.family,
      classes,
      classOf: Int32Array.from(classOf),
      byNamespace,
      selectorClasses,
      addressClasses,
      selectorOf: Int32Array.from(selectorOf),
      addressOf: Int32Array.from(addressOf),
      selectorsByNamespace,
    },
  }
}
