import type { Protocol, PortSpec } from '../model/port.js'
import type { Direction, NetworkPolicy } from '../model/policy.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { matchPort, matchPorts } from '../engine/match-port.js'
import { isolatingPolicies } from '../engine/select.js'
import { Bitset } from '../engine/bitset.js'
import type { Identities } from '../engine/identities.js'
import { identitySpace, PeerCache } from '../engine/peer-cache.js'
import { TierDecisions, type TierEnds } from '../engine/tier-decisions.js'
import { identityEnds, PortTiers, tierSideAllows } from './class-tiers.js'
import { classRows, RowMaker } from './class-rows.js'
import type { AddressGrant, ClassMatrix } from './reachability.js'

/** What a destination selector class's ingress admits on one port: sources by selector class and by address class. */
export interface IngressSide {
  readonly isolated: boolean
  readonly sel: Bitset
  readonly addr: Bitset
}

/** What a source selector class's egress admits on one port: destinations by selector class, and ipBlock grants. */
export interface EgressSide {
  readonly isolated: boolean
  readonly sel: Bitset
  readonly grants: readonly AddressGrant[]
}

/**
 * Each side of the classes' verdicts, decided per selector class and port when first asked for: the isolating
 * policies of a class, and what their rules admit through the one PeerCache. computeReachability asks for every
 * class; a diff asks only for the classes a change can touch (see diff-flips.ts).
 */
export class ClassSides {
  readonly peers: PeerCache
  private readonly empty: { sel: Bitset; addr: Bitset }
  private readonly ports = new Map<string, PortSides>()

  /**
   * `peers`: a PeerCache over the same classes to share, when its answers hold here too (the same identities and
   * the same namespace labels: a peer's answer reads nothing else)
   */
  constructor(readonly index: ClusterIndex, readonly ids: Identities, peers?: PeerCache, private readonly reuse?: SidesReuse) {
    this.peers = peers ?? new PeerCache(index, identitySpace(ids))
    this.empty = { sel: new Bitset(ids.selectorClasses.length), addr: new Bitset(ids.addressClasses.length) }
  }

  private tierDecisions: { tiers: TierDecisions; ends: TierEnds } | null = null

  /** The tier decisions over these classes (null without cluster policies), shared by the matrix and a diff's causes. */
  get tiers(): TierDecisions | null {
    if (this.index.cluster.clusterPolicies.length === 0) return null
    this.tierDecisions ??= { tiers: new TierDecisions(this.peers, this.index.cluster.clusterPolicies), ends: identityEnds(this.ids) }
    return this.tierDecisions.tiers
  }
  private readonly tiersBy = new Map<string, PortTiers | null>()

  /**
   * What the cluster policy tiers decide on one port, per selector class (null when no cluster policy applies on
   * it: then nothing about tiers costs anything). The identities must have been computed with the cluster's tiers.
   */
  tiersOn(port: number, protocol: Protocol): PortTiers | null {
    if (this.index.cluster.clusterPolicies.length === 0) return null
    const key = `${port}/${protocol}`
    let t = this.tiersBy.get(key)
    if (t === undefined) {
      const tiers = this.tiers!
      const pt = new PortTiers(this.ids, tiers, this.tierDecisions!.ends, port, protocol)
      this.tiersBy.set(key, (t = pt.any ? pt : null))
    }
    return t
  }

  /** The policies that isolate selector class `c` for `dir` (isolatingPolicies on its representative, which the engine remembers per pod). */
  isolating(c: number, dir: Direction): readonly NetworkPolicy[] {
    if (this.reuse?.same(c, dir)) return this.reuse.from.isolating(c, dir)
    return isolatingPolicies(this.index, this.ids.selectorClasses[c]!.rep.pod, dir)
  }

  private readonly rowsBy = new Map<string, Bitset[]>()

  /**
   * The class rows of `m` (a ClassMatrix of these sides), kept per port. A row's bit (s, d) reads only the egress
   * side of s's selector class and the ingress side of d's, so with `reuse` a row whose egress side is the same
   * is the row of `reuse.from` with only the columns of changed ingress sides decided again: the very same Bitset
   * where none of them differs (rows are read, never written), a copy where one does.
   */
  rows(m: ClassMatrix): Bitset[] {
    const key = `${m.port}/${m.protocol}`
    let rows = this.rowsBy.get(key)
    if (rows !== undefined) return rows
    const ids = this.ids
    const reuse = this.reuse
    const old = reuse?.from.rowsBy.get(key)
    if (reuse === undefined || old === undefined || reuse.sameTiers === false) rows = classRows(ids, m)
    else {
      // the whole ingress turned around, only when a changed egress side asks for a row made anew
      let maker: RowMaker | undefined
      const changedColumns: number[] = []
      for (let d = 0; d < ids.classes.length; d++) if (!reuse.same(ids.selectorOf[d]!, 'ingress')) changedColumns.push(d)
      rows = ids.classes.map((_, s) => {
        if (!reuse.same(ids.selectorOf[s]!, 'egress')) {
          const row = new Bitset(ids.classes.length)
          ;(maker ??= new RowMaker(ids, m)).fill(s, row)
          return row
        }
        const was = old[s]!
        let row: Bitset | undefined
        for (const d of changedColumns) {
          const now = m.allowed(s, d)
          if (now === was.has(d)) continue
          row ??= Bitset.copy(was)
          if (now) row.add(d)
          else row.words[d >>> 5]! &= ~(1 << (d & 31))
        }
        return row ?? was
      })
    }
    this.rowsBy.set(key, rows)
    return rows
  }

  /** The sides on one port, each computed once when first asked for (and kept with this object). */
  port(port: number, protocol: Protocol): PortSides {
    const key = `${port}/${protocol}`
    let sides = this.ports.get(key)
    if (sides === undefined) this.ports.set(key, (sides = this.computePort(port, protocol)))
    return sides
  }

  private computePort(port: number, protocol: Protocol): PortSides {
    const { ids, peers, empty } = this
    const sel = ids.selectorClasses
    const nSel = sel.length
    const nAddr = ids.addressClasses.length
    const named = new Map<string, Bitset>()
    // one side per selector class: their sets are cut from shared buffers
    const selBits = Bitset.pool(nSel)
    const addrBits = Bitset.pool(nAddr)
    const ins = new Map<number, IngressSide>()
    const outs = new Map<number, EgressSide>()
    // ingress: which sources the destination class's policies admit on this port
    const reuse = this.reuse
    const base = reuse?.from.port(port, protocol)
    const ingressOf = (d: number): IngressSide => {
      let side = ins.get(d)
      if (side !== undefined) return side
      if (reuse?.same(d, 'ingress')) return base!.ingressOf(d)
      const policies = this.isolating(d, 'ingress')
      const s = policies.length > 0 ? selBits() : empty.sel
      const a = policies.length > 0 ? addrBits() : empty.addr
      for (const p of policies) {
        for (const rule of p.ingress!) {
          if (!matchPorts(rule.ports, port, protocol, sel[d]!.rep.pod).ok) continue
          const peerSets = peers.forRule(rule, p)
          s.orWith(peerSets.sel)
          a.orWith(peerSets.addr)
        }
      }
      ins.set(d, (side = { isolated: policies.length > 0, sel: s, addr: a }))
      return side
    }
    // egress: which destinations the source class's policies admit (named ports resolve per destination)
    const egressOf = (c: number): EgressSide => {
      let side = outs.get(c)
      if (side !== undefined) return side
      if (reuse?.same(c, 'egress')) return base!.egressOf(c)
      const policies = this.isolating(c, 'egress')
      // a source not isolated for egress reaches every destination: its admitted sets are never read
      if (policies.length === 0) {
        outs.set(c, (side = { isolated: false, sel: empty.sel, grants: [] }))
        return side
      }
      const s = selBits()
      const grants = new Map<Bitset | null, Bitset>()
      for (const p of policies) {
        for (const rule of p.egress!) {
          const dests = destinationsForPorts(rule.ports, port, protocol, ids, named)
          if (dests !== null && dests.isEmpty()) continue
          const peerSets = peers.forRule(rule, p)
          if (dests === null) s.orWith(peerSets.sel)
          else s.orAnd(peerSets.sel, dests)
          if (peerSets.addr.isEmpty()) continue
          const g = grants.get(dests)
          if (g) g.orWith(peerSets.addr)
          else grants.set(dests, Bitset.copy(peerSets.addr))
        }
      }
      outs.set(c, (side = { isolated: policies.length > 0, sel: s, grants: [...grants].map(([dests, addr]) => ({ addr, dests })) }))
      return side
    }
    const { selectorOf, addressOf } = ids
    const npIngress = (s: number, d: number) => {
      const side = ingressOf(selectorOf[d]!)
      return !side.isolated || side.sel.has(selectorOf[s]!) || side.addr.has(addressOf[s]!)
    }
    const npEgress = (s: number, d: number) => {
      const side = egressOf(selectorOf[s]!)
      if (!side.isolated) return true
      const d1 = selectorOf[d]!
      if (side.sel.has(d1)) return true
      const d2 = addressOf[d]!
      return side.grants.some((g) => g.addr.has(d2) && (g.dests === null || g.dests.has(d1)))
    }
    const tiers = this.tiersOn(port, protocol)
    if (tiers === null) return { ingressOf, egressOf, ingress: npIngress, egress: npEgress }
    // through the tiers: a NetworkPolicy side is consulted only where the Admin tier did not decide
    return {
      ingressOf,
      egressOf,
      ingress: (s, d) => {
        const d1 = selectorOf[d]!
        return tierSideAllows(tiers.ingress[d1]!, s, ingressOf(d1).isolated, () => npIngress(s, d))
      },
      egress: (s, d) => {
        const s1 = selectorOf[s]!
        return tierSideAllows(tiers.egress[s1]!, d, egressOf(s1).isolated, () => npEgress(s, d))
      },
    }
  }
}

/**
 * Sides another ClassSides over the very same classes and peers has or will compute: `same(c, dir)` says that
 * selector class c's side of `dir` is the same here (no changed policy selects it for that direction).
 */
export interface SidesReuse {
  readonly from: ClassSides
  same(c: number, dir: Direction): boolean
  /** the same cluster policies and Nodes on both sides: rows may be copied (else the tiers may differ anywhere) */
  readonly sameTiers?: boolean
}

/** One port's sides, per selector class; `ingress`/`egress` decide one class pair (two different pods) as ClassMatrix.allowed does. */
export interface PortSides {
  ingressOf(d: number): IngressSide
  egressOf(s: number): EgressSide
  /** the ingress of class `d` admits class `s` */
  ingress(s: number, d: number): boolean
  /** the egress of class `s` admits class `d` */
  egress(s: number, d: number): boolean
}

/** The destination selector classes on which some entry of `ports` matches (null: all, independent of the destination). */
function destinationsForPorts(ports: 'any' | readonly PortSpec[], port: number, protocol: Protocol, ids: Identities, cache: Map<string, Bitset>): Bitset | null {
  if (ports === 'any') return null
  const n = ids.selectorClasses.length
  let acc: Bitset | null = null
  for (let i = 0; i < ports.length; i++) {
    const spec = ports[i]!
    if (spec.port.kind !== 'named') {
      if (matchPort(spec, i, port, protocol, null).ok) return null
      continue
    }
    const key = `${spec.port.name}/${spec.protocol}`
    let bits = cache.get(key)
    if (bits === undefined) {
      bits = new Bitset(n)
      for (const c of ids.selectorClasses) if (matchPort(spec, i, port, protocol, c.rep.pod).ok) bits.add(c.index)
      cache.set(key, bits)
    }
    if (acc === null) acc = new Bitset(n)
    acc.orWith(bits)
  }
  // no entry matches on any destination: the rule is skipped (one empty set serves)
  if (acc === null) {
    let none = cache.get('=')
    if (none === undefined) cache.set('=', (none = new Bitset(n)))
    return none
  }
  // interned so grants with equal destination sets merge
  const result = acc
  const key = `=${Array.from(result.words).join(',')}`
  const seen = cache.get(key)
  if (seen) return seen
  cache.set(key, result)
  return result
}
