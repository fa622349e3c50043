import { standsForSeveral, type Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { Protocol } from '../model/port.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import type { Bitset } from '../engine/bitset.js'
import { computeIdentities, type Identities } from '../engine/identities.js'
import { tierSideAllows, type PortTiers } from './class-tiers.js'
import { classRows } from './class-rows.js'
import { ClassSides } from './class-sides.js'

export { PodRows } from './pod-rows.js'
export { RowMaker, transposeIngress } from './class-rows.js'
export { ClassSides, type EgressSide, type IngressSide, type PortSides, type SidesReuse } from './class-sides.js'

export interface PortProtocol {
  readonly port: number
  readonly protocol: Protocol
}

/** Egress through ipBlock peers: allowed to addresses in `addr` (address classes) on destinations in `dests` (selector classes; null = all). */
export interface AddressGrant {
  readonly addr: Bitset
  readonly dests: Bitset | null
}

/**
 * The answers for one port, kept in the two halves of the classes (see Identities):
 * for destination selector class D and source class (S1, S2) the ingress side allows iff D is not isolated,
 * or a rule's selector peers admit S1, or its ipBlock peers admit S2 — on a port that matches on D.
 * For source selector class S and destination class (D1, D2) the egress side allows iff S is not isolated,
 * or a rule's selector peers admit D1 with a port matching on D1, or its ipBlock peers admit D2 likewise.
 */
export class ClassMatrix implements PortProtocol {
  private rowsCache: Bitset[] | null = null
  constructor(
    readonly port: number,
    readonly protocol: Protocol,
    private readonly ids: Identities,
    readonly inIsolated: Uint8Array,
    readonly inSel: readonly Bitset[],
    readonly inAddr: readonly Bitset[],
    readonly outIsolated: Uint8Array,
    readonly outSel: readonly Bitset[],
    readonly outAddr: readonly (readonly AddressGrant[])[],
    /** where the rows come from when a caller keeps them (ClassSides.rows); else computed here */
    private readonly rowsFrom?: (m: ClassMatrix) => Bitset[],
    /** what the cluster policy tiers decide on this port (null: no cluster policy applies on it) */
    readonly tiers: PortTiers | null = null,
  ) {}

  /** May class s open a connection to class d (two different pods of these classes)? */
  allowed(s: number, d: number): boolean {
    if (this.tiers !== null) return this.ingressAllows(s, d) && this.egressAllows(s, d)
    const { selectorOf, addressOf } = this.ids
    const s1 = selectorOf[s]!
    const d1 = selectorOf[d]!
    const ingress = this.inIsolated[d1] === 0 || this.inSel[d1]!.has(s1) || this.inAddr[d1]!.has(addressOf[s]!)
    if (!ingress) return false
    if (this.outIsolated[s1] === 0 || this.outSel[s1]!.has(d1)) return true
    const d2 = addressOf[d]!
    return this.outAddr[s1]!.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))
  }

  /** Does the ingress side of class d admit class s, through the tiers (tiers.md: Admin, NetworkPolicy, Baseline, default)? */
  ingressAllows(s: number, d: number): boolean {
    const { selectorOf, addressOf } = this.ids
    const d1 = selectorOf[d]!
    const np = () => this.inSel[d1]!.has(selectorOf[s]!) || this.inAddr[d1]!.has(addressOf[s]!)
    return tierSideAllows(this.tiers?.ingress[d1] ?? null, s, this.inIsolated[d1] !== 0, np)
  }

  /** Does the egress side of class s admit class d, through the tiers? */
  egressAllows(s: number, d: number): boolean {
    const { selectorOf, addressOf } = this.ids
    const s1 = selectorOf[s]!
    const np = () => {
      const d1 = selectorOf[d]!
      if (this.outSel[s1]!.has(d1)) return true
      const d2 = addressOf[d]!
      return this.outAddr[s1]!.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))
    }
    return tierSideAllows(this.tiers?.egress[s1] ?? null, d, this.outIsolated[s1] !== 0, np)
  }

  /**
   * Per source class, the destination classes it may reach (`allowed` for every pair). Built on first use
   * (classes² bits), in O(selector classes / 32 + allowed destinations) per source class: the decision is taken
   * per destination selector class, and only ipBlock egress grants look at destination addresses.
   */
  get rows(): readonly Bitset[] {
    if (this.rowsCache === null) this.rowsCache = this.rowsFrom ? this.rowsFrom(this) : classRows(this.ids, this)
    return this.rowsCache
  }
}

/**
 * The reachability of every ordered pod pair, for each port. Computed per class (see identities.ts);
 * `podAllowed`/`PodRows` expand it to pods, including "a pod may always reach itself" (except for a template of
 * several replicas, whose pair with itself is one replica to another: the class answer for two different pods).
 */
export interface Reachability {
  readonly pods: readonly Pod[]
  readonly identities: Identities
  readonly results: readonly ClassMatrix[]
}

export function podAllowed(r: Reachability, m: ClassMatrix, from: number, to: number): boolean {
  if (from === to && !standsForSeveral(r.pods[from]!)) return true
  return m.allowed(r.identities.classOf[from]!, r.identities.classOf[to]!)
}


/**
 * Decide reachability for `pods` (pairs among them only: a verdict depends only on its two ends, the
 * policies and the namespaces, never on other pods). Uses the engine's matching functions on one
 * representative per half-class, so it reads the spec exactly as `evaluateFlow` does. `given`: the class sides
 * of these very pods and family in this cluster, when a caller keeps them (a server, a diff's DiffBase).
 */
export function computeReachability(index: ClusterIndex, pods: readonly Pod[], ports: readonly PortProtocol[], family: Family, given?: ClassSides): Reachability {
  const sides = given ?? new ClassSides(index, computeIdentities(pods, index.cluster.policies, family, index.cluster))
  const ids = sides.ids
  const nSel = ids.selectorClasses.length
  const inIsolated = Uint8Array.from({ length: nSel }, (_, d) => (sides.isolating(d, 'ingress').length > 0 ? 1 : 0))
  const outIsolated = Uint8Array.from({ length: nSel }, (_, s) => (sides.isolating(s, 'egress').length > 0 ? 1 : 0))
  const results = ports.map(({ port, protocol }) => {
    const one = sides.port(port, protocol)
    const inSides = Array.from({ length: nSel }, (_, d) => one.ingressOf(d))
    const outSides = Array.from({ length: nSel }, (_, s) => one.egressOf(s))
    return new ClassMatrix(port, protocol, ids, inIsolated, inSides.map((x) => x.sel), inSides.map((x) => x.addr), outIsolated, outSides.map((x) => x.sel), outSides.map((x) => x.grants), (m) => sides.rows(m), sides.tiersOn(port, protocol))
  })
  return { pods, identities: ids, results }
}
