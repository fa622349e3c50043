/**
 * The cluster policy tiers in the compiled table. Pure; used by compile-policies.ts, only when the cluster has
 * cluster policies (a table without them is exactly what it was before tiers existed).
 *
 * Order, per direction of a managed pod ("Admin tier, NetworkPolicy tier, Baseline tier", then the default):
 * the base chains jump to `side_eg` / `side_in`, which dispatch by the pod's address:
 * - `aegN` / `ainN` verdict maps: a pod some Admin-tier policy selects (with rules of that direction) → `goto` its
 *   Admin profile chain;
 * - then `rest_eg` / `rest_in`: the NetworkPolicy dispatch of today (`egN` / `inN`: `jump` to the profile chain,
 *   which returns when a rule allows and drops otherwise), then `begN` / `binN`: a pod that no NetworkPolicy
 *   isolates for the direction and some Baseline-tier policy selects → `goto` its Baseline profile chain.
 * A tier profile (the tier's policies that select the pod, in order, and for ingress what named ports mean on
 * the pod) has a chain of two rules: the other end's tier class into the conntrack mark (`tcls_srcN` /
 * `tcls_dstN`, map `tclsN`), its number added above the class bits, `goto` the tier's shared decision chain, which
 * looks profile|class up in `tdecN` (→ a decision set) and decision set . protocol . port up in the verdict map
 * `tverd`:
 * - Accept → `goto tier_ok`: clears the mark and returns, and since every step since the base chain was a `goto`,
 *   the rest of this direction is skipped ("no further ... rules will be processed");
 * - Deny → `goto` the rule's own chain: logs (prefix naming the tier, the policy and the rule), counts and drops;
 *   in audit mode it logs, counts and returns: the direction is let through;
 * - no element (no rule matched, or Pass) → the decision chain's last rule: the Admin tier goes on with
 *   `rest_…`; the Baseline tier returns (the default: allowed).
 * Per packet that is a fixed number of lookups per tier whatever the number of policies: the cost stays flat.
 * The big maps are used only by the few shared chains (the kernel re-checks every rule using a map when it
 * changes).
 */
import type { Pod } from '../model/cluster.js'
import { formatClusterRef, type ClusterPolicy, type ClusterPolicyRef, type Tier } from '../model/cluster-policy.js'
import type { Family } from '../model/ip.js'
import type { Direction } from '../model/policy.js'
import { shortHash } from '../model/short-hash.js'
import type { ClusterIndex } from '../engine/cluster-index.js'
import { Bitset } from '../engine/bitset.js'
import { TierDecisions } from '../engine/tier-decisions.js'
import { bitsFor, markLayout, StableIds, type LabelClasses } from './address-classes.js'
import type { FamilyLayout } from './compile-policies.js'
import type { Expr, Field, KeyType, NftChain, NftElement, NftRule, NftSet } from './nft-objects.js'
import { tierClasses } from './tier-classes.js'
import { decidedKey, decidedRanges, type DecidedRange } from './tier-ports.js'
import { tierRuleWords } from './tier-log-words.js'

export const TIER_VERDICT_MAP = 'tverd'
export const TIER_ACCEPTED = 'tier_ok'
export const SIDE_CHAINS: Readonly<Record<Direction, string>> = { egress: 'side_eg', ingress: 'side_in' }
const REST_CHAINS: Readonly<Record<Direction, string>> = { egress: 'rest_eg', ingress: 'rest_in' }
const TIERS: readonly Tier[] = ['Admin', 'Baseline']
const DIRS: readonly Direction[] = ['egress', 'ingress']
const short = (t: Tier) => (t === 'Admin' ? 'a' : 'b')
const dirShort = (d: Direction) => (d === 'egress' ? 'eg' : 'in')

export const tierSetNames = (f: Family) => ({ cls: `tcls${f}`, dec: `tdec${f}`, dispatch: (t: Tier, d: Direction) => `${short(t)}${dirShort(d)}${f}` })

const FIELDS: Record<Family, { saddr: Field; daddr: Field; addr: KeyType }> = {
  4: { saddr: 'ip saddr', daddr: 'ip daddr', addr: 'ipv4_addr' },
  6: { saddr: 'ip6 saddr', daddr: 'ip6 daddr', addr: 'ipv6_addr' },
}

/** One rule of a cluster policy, as a deny chain and the flow log name it. */
export interface TierRuleInfo {
  readonly tier: Tier
  readonly policy: ClusterPolicyRef
  readonly direction: Direction
  readonly index: number
  /** the rule's `name`, when written */
  readonly name?: string
  /** its chain (Deny rules that decide some port of some class) */
  readonly chain: string
}

/** Ids to keep on the next compile, per family: the same shape as the NetworkPolicy profiles' layout. */
export type TierLayout = FamilyLayout

export interface TierOptions {
  readonly mode: 'enforce' | 'audit'
  readonly logGroup?: number
  readonly logRate: number
  readonly logPrefix: string
}

/**
 * What both families share: the decision sets (a decision set is the port-by-port outcome for one profile and
 * class; equal ones share an id), their elements in `tverd`, and the chains of the Deny rules that decide.
 */
export class TierVerdicts {
  private readonly sets = new Map<string, { id: number; ranges: readonly DecidedRange[] }>()
  private readonly stable: StableIds
  /** deny rules that decide something, by key */
  readonly rules = new Map<string, TierRuleInfo>()
  private readonly chainNames = new Set<string>()

  constructor(previous: ReadonlyMap<string, number> | undefined, private readonly opts: TierOptions) {
    this.stable = new StableIds(previous)
  }

  /** The id of a decision set; `info` names the rules its Deny ranges refer to. */
  idOf(ranges: readonly DecidedRange[], info: (key: string) => Omit<TierRuleInfo, 'chain'>): number {
    const key = decidedKey(ranges)
    const known = this.sets.get(key)
    if (known !== undefined) return known.id
    const id = this.stable.idFor(key)
    this.sets.set(key, { id, ranges })
    for (const r of ranges) {
      if (r.action !== 'Deny' || this.rules.has(r.rule)) continue
      let chain = `dn_${shortHash(r.rule)}`
      while (this.chainNames.has(chain)) chain += 'x'
      this.chainNames.add(chain)
      this.rules.set(r.rule, { ...info(r.rule), chain })
    }
    return id
  }

  get layout(): ReadonlyMap<string, number> {
    return new Map([...this.sets].map(([k, v]) => [k, v.id]))
  }

  /** The `tverd` map: decision set . protocol . ports → goto tier_ok or the deny rule's chain. */
  map(): NftSet {
    const elements: NftElement[] = []
    for (const { id, ranges } of this.sets.values()) {
      for (const r of ranges) {
        const chain = r.action === 'Accept' ? TIER_ACCEPTED : this.rules.get(r.rule)!.chain
        elements.push({ key: [{ lo: BigInt(id), hi: BigInt(id) }, { lo: BigInt(r.proto), hi: BigInt(r.proto) }, { lo: BigInt(r.lo), hi: BigInt(r.hi) }], value: { kind: 'goto', chain } })
      }
    }
    return { name: TIER_VERDICT_MAP, key: ['mark', 'inet_proto', 'inet_service'], data: 'verdict', interval: true, comment: 'tier decision set, protocol, port to verdict', elements }
  }

  /** tier_ok and one chain per deciding Deny rule. */
  chains(): NftChain[] {
    const out: NftChain[] = [{ name: TIER_ACCEPTED, comment: 'accepted by a cluster policy: this direction is decided', rules: [{ exprs: [{ op: 'set-mark', value: 0 }] }] }]
    const verdict = this.opts.mode === 'enforce' ? 'drop' : 'audit'
    for (const r of [...this.rules.values()].sort((a, b) => (a.chain < b.chain ? -1 : 1))) {
      const rules: NftRule[] = [{ exprs: [{ op: 'set-mark', value: 0 }] }]
      if (this.opts.logGroup !== undefined) {
        const head = `${this.opts.logPrefix} ${verdict} ${r.direction} `
        const log: Expr[] = [
          { op: 'limit', perSecond: this.opts.logRate, burst: this.opts.logRate * 2 },
          { op: 'log', group: this.opts.logGroup, prefix: `${head}${tierRuleWords(r, 120 - head.length)}` },
        ]
        rules.push({ exprs: log })
      }
      // audit: counted and let through; the return goes back to the base chain, past the rest of this direction
      rules.push(this.opts.mode === 'enforce' ? { exprs: [{ op: 'counter' }], end: { kind: 'drop' } } : { exprs: [{ op: 'counter' }] })
      out.push({ name: r.chain, comment: `${tierRuleWords(r, 1000)} Deny`, rules })
    }
    return out
  }
}

interface TierProfile {
  readonly key: string
  readonly tier: Tier
  readonly direction: Direction
  readonly policies: readonly ClusterPolicy[]
  /** the label class of a member: the subject TierDecisions decides for */
  readonly sel: number
}

export interface TierFamilyPart {
  readonly sets: NftSet[]
  readonly chains: NftChain[]
  readonly layout: TierLayout
  readonly classes: number
  readonly profiles: number
  /** addresses of the managed pods some tier profile covers, and those covered for ingress */
  readonly covered: ReadonlySet<bigint>
  readonly coveredIngress: ReadonlySet<bigint>
  readonly error?: { readonly classes: number; readonly profiles: number }
}

/**
 * The tier sets and chains of family `lc.family`. `isolated(labelClass, direction)`: some NetworkPolicy isolates
 * the pods of that label class for the direction (their Baseline tier is never consulted).
 */
export function compileTierFamily(
  index: ClusterIndex,
  lc: LabelClasses,
  managed: (p: Pod) => boolean,
  isolated: (labelClass: number, d: Direction) => boolean,
  prev: TierLayout | undefined,
  verdicts: TierVerdicts,
): TierFamilyPart {
  const f = lc.family
  const names = tierSetNames(f)
  const fields = FIELDS[f]
  const tc = tierClasses(index, lc, prev?.classIds)
  const decisions = new TierDecisions(tc.peers)
  // the label classes each policy's subject selects, asked once per policy (not once per policy and class)
  const subjects = index.cluster.clusterPolicies.map((p) => ({ p, bits: tc.peers.forSubject(p.subject) }))

  // the tier profiles of the managed pods, decided per label class
  const byKey = new Map<string, TierProfile>()
  const ofClass = new Map<number, TierProfile[]>()
  const dispatch = new Map<string, { ip: bigint; profile: TierProfile }[]>()
  const covered = new Set<bigint>()
  const coveredIngress = new Set<bigint>()
  for (const { pod, ip, labelClass } of lc.pods) {
    if (!managed(pod)) continue
    let list = ofClass.get(labelClass)
    if (list === undefined) {
      list = []
      const destKey = lc.view.byId[labelClass]!.destKey
      for (const tier of TIERS) {
        for (const direction of DIRS) {
          if (tier === 'Baseline' && isolated(labelClass, direction)) continue
          // "host-networked pods are not included in subject selection": lc holds none
          const ps = subjects.filter(({ p, bits }) => p.tier === tier && p[direction].length > 0 && bits.has(labelClass)).map(({ p }) => p)
          if (ps.length === 0) continue
          // named ports of ingress rules resolve on the subject: pods whose named ports differ decide apart
          const key = `${tier}\n${direction}\n${ps.map((p) => `${p.kind}/${p.name}`).join(',')}${direction === 'ingress' ? `\n${destKey}` : ''}`
          let profile = byKey.get(key)
          if (profile === undefined) {
            profile = { key, tier, direction, policies: ps, sel: labelClass }
            byKey.set(key, profile)
          }
          list.push(profile)
        }
      }
      ofClass.set(labelClass, list)
    }
    for (const profile of list) {
      const k = names.dispatch(profile.tier, profile.direction)
      let d = dispatch.get(k)
      if (d === undefined) dispatch.set(k, (d = []))
      d.push({ ip: ip.value, profile })
      covered.add(ip.value)
      if (profile.direction === 'ingress') coveredIngress.add(ip.value)
    }
  }
  const profiles = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const { profileIds, maxProfile, classBits } = markLayout(
    profiles.map((p) => p.key),
    prev,
    tc.size,
  )
  const layout: TierLayout = { family: f, classBits, classIds: tc.ids, profileIds }
  const classCount = tc.byId.filter((c) => c !== undefined).length
  const empty = { sets: [], chains: [], layout, classes: classCount, profiles: profiles.length, covered, coveredIngress }
  if (classBits + bitsFor(maxProfile + 1) > 32) return { ...empty, error: { classes: tc.size, profiles: maxProfile } }

  const chainNames = new Map<TierProfile, string>()
  const used = new Set<string>()
  for (const p of profiles) {
    let name = `t${short(p.tier)}${dirShort(p.direction)}${f}_${shortHash(p.key)}`
    while (used.has(name)) name += 'x'
    used.add(name)
    chainNames.set(p, name)
  }

  const elements: NftElement[] = []
  const ruleInfo = (key: string, p: TierProfile): Omit<TierRuleInfo, 'chain'> => {
    const [kind, name, , index] = key.split('/') as [ClusterPolicy['kind'], string, Direction, string]
    const policy = p.policies.find((x) => x.kind === kind && x.name === name)!
    const rule = policy[p.direction][Number(index)]!
    return { tier: p.tier, policy: { kind, name }, direction: p.direction, index: Number(index), ...(rule.name !== undefined ? { name: rule.name } : {}) }
  }
  const chains: NftChain[] = []
  for (const p of profiles) {
    const number = profileIds.get(p.key)!
    // the classes some rule of the profile can match: the others get no element (nothing decided)
    const ruleBits = p.policies.flatMap((policy) => policy[p.direction].map((rule) => tc.classesOf(rule.peers)))
    const candidates = new Bitset(tc.size)
    for (const bits of ruleBits) candidates.orWith(bits)
    // classes that the same rules of this profile match (with the same named ports, for egress) get the same
    // decision: the engine decides once per such group
    const bySignature = new Map<string, number | null>()
    const ids = new Map<number, number>()
    candidates.forEach((c) => {
      let sig = p.direction === 'egress' ? tc.byId[c]!.destKey : ''
      for (let r = 0; r < ruleBits.length; r++) if (ruleBits[r]!.has(c)) sig += `,${r}`
      let id = bySignature.get(sig)
      if (id === undefined) {
        const ranges = decidedRanges(decisions.decide(p.sel, p.direction, p.tier, tc.byId[c]!.end))
        id = ranges.length > 0 ? verdicts.idOf(ranges, (key) => ruleInfo(key, p)) : null
        bySignature.set(sig, id)
      }
      if (id !== null) ids.set(c, id)
    })
    const base = BigInt(number) << BigInt(classBits)
    let run: { lo: number; hi: number; id: number } | null = null
    const flush = () => {
      if (run !== null) elements.push({ key: [{ lo: base | BigInt(run.lo), hi: base | BigInt(run.hi) }], value: run.id })
    }
    for (const [c, id] of ids) {
      if (run !== null && run.id === id && run.hi + 1 === c) run.hi = c
      else {
        flush()
        run = { lo: c, hi: c, id }
      }
    }
    flush()
    const end = p.direction === 'ingress' ? 'src' : 'dst'
    chains.push({
      name: chainNames.get(p)!,
      comment: `${p.tier} ${p.direction}: ${p.policies.map((x) => formatClusterRef(x)).join(' ')}`,
      rules: [
        { exprs: [], end: { kind: 'jump', chain: `tcls_${end}${f}` } },
        { exprs: [{ op: 'or-mark', value: number * 2 ** classBits }], end: { kind: 'goto', chain: decisionChain(p.tier, p.direction, f) } },
      ],
    })
  }
  elements.sort((a, b) => (a.key[0]!.lo < b.key[0]!.lo ? -1 : 1))

  const sets: NftSet[] = [
    { name: names.cls, key: [fields.addr], data: 'mark', interval: true, comment: `IPv${f} address to tier class`, elements: tc.segments.map((s) => ({ key: [{ lo: s.lo, hi: s.hi }], value: s.id })) },
    { name: names.dec, key: ['mark'], data: 'mark', interval: true, comment: 'tier profile and class to decision set', elements },
  ]
  for (const tier of TIERS) {
    for (const direction of DIRS) {
      const name = names.dispatch(tier, direction)
      const list = (dispatch.get(name) ?? []).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
      sets.push({
        name,
        key: [fields.addr],
        data: 'verdict',
        interval: false,
        comment: `managed IPv${f} pods with ${tier} tier ${direction} rules${tier === 'Baseline' ? ' and no isolating NetworkPolicy' : ''}`,
        elements: list.map((x) => ({ key: [{ lo: x.ip, hi: x.ip }], value: { kind: 'goto', chain: chainNames.get(x.profile)! } })),
      })
    }
  }
  return { sets, chains: [...sharedTierChains(f), ...chains], layout, classes: classCount, profiles: profiles.length, covered, coveredIngress }
}

const decisionChain = (t: Tier, d: Direction, f: Family) => `t${short(t)}dec_${dirShort(d)}${f}`

/** Per family: the other end's tier class into the mark, and the decision chains of each tier and direction. */
function sharedTierChains(f: Family): NftChain[] {
  const fields = FIELDS[f]
  const names = tierSetNames(f)
  const out: NftChain[] = (['src', 'dst'] as const).map((end) => ({
    name: `tcls_${end}${f}`,
    comment: `tier class of the ${end === 'src' ? 'source' : 'destination'}`,
    rules: [{ exprs: [{ op: 'set-mark-map', from: end === 'src' ? fields.saddr : fields.daddr, map: names.cls }] }],
  }))
  for (const tier of TIERS) {
    for (const direction of DIRS) {
      out.push({
        name: decisionChain(tier, direction, f),
        comment: `${tier} tier ${direction}: profile and class to decision set, then protocol and port to verdict`,
        rules: [
          { exprs: [{ op: 'set-mark-map', from: 'ct mark', map: names.dec }], end: { kind: 'vmap', key: ['ct mark', 'meta l4proto', 'th dport'], map: TIER_VERDICT_MAP } },
          // no rule decided (or Pass): the Admin tier hands over to the NetworkPolicy tier, the Baseline tier to the default
          tier === 'Admin' ? { exprs: [{ op: 'set-mark', value: 0 }], end: { kind: 'goto', chain: REST_CHAINS[direction] } } : { exprs: [{ op: 'set-mark', value: 0 }] },
        ],
      })
    }
  }
  return out
}

/**
 * `side_eg`/`side_in` and `rest_eg`/`rest_in`, for both families: Admin dispatch, then the NetworkPolicy dispatch
 * (`npDispatch`: egN/inN), then Baseline dispatch.
 */
export function sideChains(npDispatch: (f: Family, d: Direction) => NftRule): NftChain[] {
  const out: NftChain[] = []
  for (const direction of DIRS) {
    const field = (f: Family) => (direction === 'egress' ? FIELDS[f].saddr : FIELDS[f].daddr)
    const vmap = (f: Family, map: string): NftRule => ({ exprs: [], end: { kind: 'vmap', key: field(f), map } })
    out.push(
      {
        name: SIDE_CHAINS[direction],
        comment: `${direction} of managed pods: Admin tier, NetworkPolicy tier, Baseline tier`,
        rules: [...([4, 6] as const).map((f) => vmap(f, tierSetNames(f).dispatch('Admin', direction))), { exprs: [], end: { kind: 'goto', chain: REST_CHAINS[direction] } }],
      },
      {
        name: REST_CHAINS[direction],
        comment: `${direction} past the Admin tier: NetworkPolicy tier, then Baseline tier where no NetworkPolicy isolates`,
        rules: [...([4, 6] as const).map((f) => npDispatch(f, direction)), ...([4, 6] as const).map((f) => vmap(f, tierSetNames(f).dispatch('Baseline', direction)))],
      },
    )
  }
  return out
}
