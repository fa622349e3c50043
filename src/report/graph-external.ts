/**
 * The external nodes of a graph: one per ipBlock the policies name (of the graph's family), and "world" for the
 * addresses in none of them. Block edges cut the address space into ranges inside which no block's membership
 * changes; ranges with the same memberships form one region, and one address of each region answers for all of
 * it. A verdict depends on the pod's selector class only (its policies and named ports), so it is decided
 * per selector class and region: a bit per pair, never per pod.
 *
 * With cluster policies an address outside the pods may be decided by an Admin or Baseline rule too: their
 * `networks` CIDRs and the addresses of the Nodes their `nodes` peers pick cut the regions as well (they belong to
 * no node of their own), and each (selector class, region, port) goes through the tiers as the engine's chain does
 * ("Admin → NetworkPolicy → Baseline → default", tiers.md), asked of TierDecisions over the regions as address
 * classes. Without cluster policies nothing changes.
 */
import { formatIpValue, type Family, type IpAddress } from '../model/ip.js'
import { ipBlockContains, type IpBlock } from '../model/ip-block.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import type { Protocol } from '../model/port.js'
import { matchPorts } from '../engine/match-port.js'
import { Bitset } from '../engine/bitset.js'
import type { Identities } from '../engine/identities.js'
import { identitySpace, PeerCache } from '../engine/peer-cache.js'
import { TierDecisions, type TierEnds } from '../engine/tier-decisions.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import type { AddressSet } from '../engine/identities.js'
import { PortTiers, type SideTiers } from '../analysis/class-tiers.js'
import { blockText } from './graph-nodes.js'

export interface ExternalNode {
  readonly id: string
  readonly label: string
  /** the regions (indexes into `ExternalSpace.regions`) whose addresses it stands for */
  readonly regions: readonly number[]
}

export interface ExternalSpace {
  /** one address per region */
  readonly regions: readonly IpAddress[]
  readonly nodes: readonly ExternalNode[]
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 }

/** `tierSets`: the address sets cluster policies read (clusterAddressSets), which cut regions but make no node. */
export function externalSpace(blocks: readonly IpBlock[], family: Family, tierSets: readonly AddressSet[] = []): ExternalSpace {
  // the same blocks in the same order make the same space: kept for the last few lists (a what-if's graphs)
  if (tierSets.length > 0) return cutSpace(blocks, family, tierSets)
  // (by key and as written: a node's id and label show the block as its first policy wrote it)
  const key = `${family} ${blocks.map((b) => `${b.key}=${blockText(b)}=${writtenText(b)}`).join(' ')}`
  let space = spaces.get(key)
  if (space === undefined) {
    if (spaces.size >= KEPT_SPACES) spaces.delete(spaces.keys().next().value!)
    spaces.set(key, (space = cutSpace(blocks, family, tierSets)))
  }
  return space
}
const spaces = new Map<string, ExternalSpace>()

function cutSpace(blocks: readonly IpBlock[], family: Family, tierSets: readonly AddressSet[]): ExternalSpace {
  const mine = blocks.filter((b) => b.cidr.family === family)
  const edges = new Set<bigint>([0n])
  const end = 1n << BigInt(BITS[family])
  const cut = (first: bigint, last: bigint) => {
    edges.add(first)
    if (last + 1n < end) edges.add(last + 1n)
  }
  for (const b of mine) for (const c of [b.cidr, ...b.except]) cut(c.first, c.last)
  // the sets hold both families' ranges: only those on this family's line cut it
  for (const set of tierSets) for (const r of set.ranges) if (r.first < end) cut(r.first, r.last < end ? r.last : end - 1n)
  const starts = [...edges].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const regions: IpAddress[] = []
  const byKey = new Map<string, number>()
  const members: number[][] = mine.map(() => [])
  const world: number[] = []
  for (const start of starts) {
    const ip: IpAddress = { family, value: start, text: formatIpValue(family, start) }
    const inside = mine.map((b, i) => (ipBlockContains(b, ip) ? i : -1)).filter((i) => i >= 0)
    const tiers = tierSets.map((t, i) => (t.contains(ip) ? i : -1)).filter((i) => i >= 0)
    const key = tiers.length === 0 ? inside.join(',') : `${inside.join(',')};${tiers.join(',')}`
    if (byKey.has(key)) continue
    const r = regions.length
    byKey.set(key, r)
    regions.push(ip)
    if (inside.length === 0) world.push(r)
    for (const i of inside) members[i]!.push(r)
  }
  const nodes: ExternalNode[] = mine.map((b, i) => ({ id: `cidr:${blockText(b)}`, label: writtenText(b), regions: members[i]! }))
  if (world.length > 0) nodes.push({ id: 'world', label: mine.length === 0 ? 'any address' : 'any other address', regions: world })
  return { regions, nodes }
}

const writtenText = (b: IpBlock) => `${b.cidr.text}${b.except.length ? ` except ${b.except.map((e) => e.text).join(', ')}` : ''}`

/**
 * Per port, the regions each selector class may reach (egress) and be reached from (ingress). Only ipBlock peers
 * and peer-less rules admit an address that belongs to no pod, so a rule admits the regions of its blocks, or all
 * of them; ports match as the engine matches them (src/engine/match-port.ts; named ports resolve on the
 * destination pod, never on an address).
 */
export class ExternalVerdicts {
  private readonly egressBy: (readonly NetworkPolicy[])[]
  private readonly ingressBy: (readonly NetworkPolicy[])[]
  private readonly blockRegions = new Map<string, Bitset>()
  private readonly all: Bitset
  private readonly perPort = new Map<string, { egress: Bitset[]; ingress: Bitset[] }>()
  private readonly kept: Kept
  /** the cluster policy tiers over the selector classes (subjects) and the regions (other ends); null without them */
  private readonly tiers: { decisions: TierDecisions; ends: TierEnds } | null

  /**
   * `isolating(c, dir)`: the policies isolating selector class c for dir (ClassSides.isolating, which a what-if's
   * side reuses). `index`: the cluster, when its cluster policies are to be asked (the space cut by their sets).
   */
  constructor(
    isolating: (c: number, dir: Direction) => readonly NetworkPolicy[],
    private readonly ids: Identities,
    private readonly space: ExternalSpace,
    blocks: readonly IpBlock[],
    index?: ClusterIndex,
  ) {
    this.egressBy = ids.selectorClasses.map((_, c) => isolating(c, 'egress'))
    this.ingressBy = ids.selectorClasses.map((_, c) => isolating(c, 'ingress'))
    const n = space.regions.length
    this.all = Bitset.full(n)
    this.kept = keptFor(space)
    for (const b of blocks) {
      let bits = this.kept.blockRegions.get(b.key)
      if (bits === undefined) {
        bits = new Bitset(n)
        for (let r = 0; r < n; r++) if (space.regions[r]!.family === b.cidr.family && ipBlockContains(b, space.regions[r]!)) bits.add(r)
        this.kept.blockRegions.set(b.key, bits)
      }
      this.blockRegions.set(b.key, bits)
    }
    this.tiers = index !== undefined && index.cluster.clusterPolicies.length > 0 ? regionTiers(index, ids, space) : null
  }

  /** The regions of an external node, as a set. */
  regionsOf(node: ExternalNode): Bitset {
    const bits = new Bitset(this.space.regions.length)
    for (const r of node.regions) bits.add(r)
    return bits
  }

  /** Per selector class: regions it may connect to (egress), and regions that may connect to it (ingress). */
  forPort(port: number, protocol: Protocol): { egress: Bitset[]; ingress: Bitset[] } {
    const key = `${port}/${protocol}`
    let v = this.perPort.get(key)
    if (v === undefined) {
      const side = (by: readonly (readonly NetworkPolicy[])[], dir: 'egress' | 'ingress') => {
        // a class isolated by the very same policies as in the last graph over these regions has the same regions
        const k = `${dir} ${key}`
        const last = this.kept.sides.get(k)
        const same = last !== undefined && last.ids === this.ids ? last : null
        const bits = by.map((policies, s) => (same !== null && same.lists[s] === policies ? same.bits[s]! : this.sideOf(policies, s, dir, port, protocol)))
        this.kept.sides.set(k, { ids: this.ids, lists: by, bits })
        return bits
      }
      const np = { egress: side(this.egressBy, 'egress'), ingress: side(this.ingressBy, 'ingress') }
      v = this.tiers === null ? np : { egress: this.throughTiers(np.egress, 'egress', port, protocol), ingress: this.throughTiers(np.ingress, 'ingress', port, protocol) }
      this.perPort.set(key, v)
    }
    return v
  }

  /** The regions selector class s's side `dir` admits on the port (NetworkPolicy only), from the policies isolating it. */
  private sideOf(policies: readonly NetworkPolicy[], s: number, dir: Direction, port: number, protocol: Protocol): Bitset {
    if (policies.length === 0) return this.all
    const bits = new Bitset(this.space.regions.length)
    // "the destination": a named port resolves on the pod only when the pod is the destination (ingress)
    const dest = dir === 'ingress' ? this.ids.selectorClasses[s]!.rep.pod : null
    for (const p of policies) {
      for (const rule of p[dir]!) {
        if (!matchPorts(rule.ports, port, protocol, dest).ok) continue
        if (rule.peers === 'any') return this.all
        for (const peer of rule.peers) if (peer.kind === 'ipBlock') bits.orWith(this.blockRegions.get(peer.block.key)!)
      }
    }
    return bits
  }

  /**
   * Per selector class, the regions its side `dir` admits on the port through the tiers: Admin Accept, or not Admin
   * Deny and (isolated by a NetworkPolicy: its answer `np`; else: not Baseline Deny) — PortTiers.egressOk's chain,
   * which reads one side only and so serves both directions.
   */
  private throughTiers(np: readonly Bitset[], dir: Direction, port: number, protocol: Protocol): Bitset[] {
    const { decisions, ends } = this.tiers!
    const by = dir === 'egress' ? this.egressBy : this.ingressBy
    return np.map((bits, s) => {
      const admin = decisions.onPort(s, dir, 'Admin', port, protocol, ends)
      const base = decisions.onPort(s, dir, 'Baseline', port, protocol, ends)
      if (admin === null && base === null) return bits
      const t: SideTiers = { admin, baselineDeny: base === null ? null : base.deny }
      const out = Bitset.copy(bits)
      PortTiers.egressOk(t, by[s]!.length > 0, out)
      return out.and(this.all)
    })
  }
}

/**
 * What verdicts over one list of regions keep from graph to graph (a what-if's graph after, then the next): each
 * block's regions, and per direction and port the last graph's regions of each selector class with the policies
 * isolating it — the very list ClassSides hands out, which a what-if's side shares with the served one for every
 * class the change leaves alone, so an equal list object means equal regions. Kept for the last few region lists.
 */
interface Kept {
  readonly blockRegions: Map<string, Bitset>
  readonly sides: Map<string, { ids: Identities; lists: readonly (readonly NetworkPolicy[])[]; bits: readonly Bitset[] }>
}
const keptBy = new Map<string, Kept>()
const KEPT_SPACES = 4

function keptFor(space: ExternalSpace): Kept {
  const key = space.regions.map((r) => `${r.family}:${r.text}`).join(' ')
  let k = keptBy.get(key)
  if (k === undefined) {
    if (keptBy.size >= KEPT_SPACES) keptBy.delete(keptBy.keys().next().value!)
    keptBy.set(key, (k = { blockRegions: new Map(), sides: new Map() }))
  }
  return k
}

/** TierDecisions over the graph's selector classes as subjects and its regions as the other ends' address classes. */
function regionTiers(index: ClusterIndex, ids: Identities, space: ExternalSpace): { decisions: TierDecisions; ends: TierEnds } {
  const n = space.regions.length
  const sel = identitySpace(ids)
  const peers = new PeerCache(index, {
    ...sel,
    addressSize: n,
    addressIds: space.regions.map((_, r) => r),
    addressRep: (r) => ({ kind: 'ip', ip: space.regions[r]! }),
    all: { sel: sel.all.sel, addr: Bitset.full(n) },
  })
  const ends: TierEnds = { size: n, sel: new Int32Array(n).fill(-1), addr: Int32Array.from(space.regions, (_, r) => r) }
  return { decisions: new TierDecisions(peers), ends }
}
