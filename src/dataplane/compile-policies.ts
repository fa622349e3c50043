/**
 * The cluster's policies, for the pods one agent manages, as one nftables table. Pure: the engine decides,
 * this file only arranges its answers for hashed lookups.
 *
 * Per address family N (4, 6) the table holds a fixed number of sets, however many pods and policies:
 * - `selN`   map: pod address → selector class id (pods that the relevant selector peers match alike)
 * - `netN`   interval map: every address → network class id (addresses the relevant ipBlocks match alike)
 * - `egN`    verdict map: a managed pod isolated for egress → `jump` to its egress profile chain
 * - `inN`    verdict map: a managed pod isolated for ingress → `jump` to its ingress profile chain
 * - `allowN` interval map `profile|class` → port set: what each profile allows from (ingress) or to (egress)
 *            which classes; one element covers a run of class ids
 * - `passN`  `saddr . daddr` pairs that pass before any policy: a pod to itself, its node to the pod
 * and, for both families, `ports`: interval set of `port set . protocol . port` (a few hundred elements at most).
 * A profile is what pods with the same isolating policies (and, for ingress, the same named ports) share. The
 * base chains send a new connection of a pod that `egN`/`inN` hold to the shared chain of that direction
 * (`np_egN`/`np_inN`), which looks the other end up twice, by selector class and by network class (a rule's peers
 * are ORed, and each peer reads only one of the two): the class id into the conntrack mark (`ct mark`), then through
 * `egN`/`inN` to the pod's profile chain, one rule that adds the profile's number and goes on to the shared
 * `allowedN` chain, which maps that through `allowN` to a port set and looks port set, protocol and port up in
 * `ports`. The conntrack mark of the connection's first packet is scratch space, 0 again when the packet leaves
 * allowed; the packet mark, which kube-proxy reads after the forward hook to masquerade, is never touched. `selN` has a catch-all
 * element (class 0: no selector class), so that its lookup always writes the mark and nothing has to clear it
 * first. Profile chains of one rule keep the table small: rules, not chains, are what `nft -f` spends its time on.
 *
 * Measured constraints behind this shape (nft 1.0.6, kernel 6.x): the kernel re-checks every rule that uses a map
 * when the map changes, so only the few shared chains use the big maps; a concatenated interval set of 100k
 * elements costs seconds per change, so protocol and port stay out of the big map, which is one-dimensional.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { Cidr, Family } from '../model/ip.js'
import { formatRef, type Direction, type PolicyRef } from '../model/policy.js'
import { formatClusterRef } from '../model/cluster-policy.js'
import { indexCluster, type ClusterIndex } from '../engine/cluster-index.js'
import { isolatingPolicies } from '../engine/select.js'
import { bitsFor, markLayout, type AddressNote, type DataplanePod, type LabelClasses } from './address-classes.js'
import { labelClasses } from './label-classes.js'
import type { NftChain, NftElement, NftRule, NftSet, NftTable } from './nft-objects.js'
import { CATCH_ALL, checkName } from './nft-objects.js'
import { AllowCompiler, PortSets, type Profile } from './profile-allows.js'
import { classify } from './classify.js'
import { shortHash } from '../model/short-hash.js'
import { unknownPodGuard } from './unknown-pods.js'
import { acceptLogRules, managedSet } from './accept-log.js'
import { baseChains, FAMILIES, fieldsOf, npChain, npDispatch, setNames } from './base-chains.js'
import type { CompileMemo, FamilyMemo } from './compile-memo.js'
import { compileTierFamily, sideChains, TierVerdicts, type TierLayout, type TierRuleInfo } from './tier-chains.js'

export type AgentMode = 'enforce' | 'audit'

export interface CompileOptions {
  /** the pods this agent filters; the others are still classified, as peers of the managed ones */
  readonly managed: (pod: Pod) => boolean
  /** enforce drops what the policies do not allow; audit logs it and lets it through */
  readonly mode: AgentMode
  readonly table: string
  /** nflog group of denied (enforce) or audited connections; nothing is logged when absent */
  readonly logGroup?: number
  /** log lines per second per profile chain (burst: twice that); default 20 */
  readonly logRate?: number
  /**
   * also log (to `logGroup`) the first packet of every new connection the ruleset lets through to or from a
   * managed pod, prefix `netpol accept ingress|egress` (see acceptLogRules); off when absent
   */
  readonly logAccepted?: boolean
  /** accepted-connection log lines per second per log rule (burst: twice that); default 200 */
  readonly acceptLogRate?: number
  /**
   * the node's pod CIDRs: a connection to or from an address in them that is no managed pod's is dropped (audit:
   * logged), so that a pod is not reachable before its rules are in (see unknown-pods.ts); no guard when absent
   */
  readonly podCidrs?: readonly Cidr[]
  /** the last result: classes and profiles that still exist keep their ids, so a small change stays a small diff */
  readonly previous?: CompiledRuleset
}

export type CompileNote =
  | AddressNote
  | { readonly code: 'managed-without-address'; readonly pod: string }
  /** a domainNames peer: the addresses of a name depend on DNS, which the ruleset cannot see; it matches none */
  | { readonly code: 'domain-names-not-enforced'; readonly policy: string; readonly rule: string }

export type CompileError = { readonly code: 'mark-space-exhausted'; readonly family: Family; readonly classes: number; readonly profiles: number }

/** What a profile chain stands for, for people (comments, flow logs, metrics). */
export interface ProfileInfo {
  readonly chain: string
  readonly family: Family
  readonly direction: Direction
  readonly number: number
  readonly policies: readonly PolicyRef[]
  readonly pods: readonly string[]
}

/** Ids to keep on the next compile (see CompileOptions.previous). */
export interface FamilyLayout {
  readonly family: Family
  readonly classBits: number
  readonly classIds: ReadonlyMap<string, number>
  readonly profileIds: ReadonlyMap<string, number>
}

export interface RulesetStats {
  readonly managedPods: number
  readonly classes: number
  readonly profiles: number
  readonly sets: number
  readonly chains: number
  readonly rules: number
  readonly elements: number
}

/** The cluster policy tiers of a ruleset (see tier-chains.ts); absent when the cluster has no cluster policies. */
export interface CompiledTiers {
  readonly layouts: readonly TierLayout[]
  /** decision set key → id, to keep on the next compile */
  readonly decisionSets: ReadonlyMap<string, number>
  /** Deny rules with a chain, by chain name */
  readonly rules: ReadonlyMap<string, TierRuleInfo>
}

export interface CompiledRuleset {
  readonly table: NftTable
  readonly mode: AgentMode
  readonly layouts: readonly FamilyLayout[]
  readonly portSets: ReadonlyMap<string, number>
  /** profile chain name → what it is */
  readonly profiles: ReadonlyMap<string, ProfileInfo>
  readonly notes: readonly CompileNote[]
  /** when not empty, `table` must not be applied */
  readonly errors: readonly CompileError[]
  readonly stats: RulesetStats
  readonly tiers?: CompiledTiers
}

export const LOG_PREFIX = 'netpol'
const DEFAULT_LOG_RATE = 20
const DEFAULT_ACCEPT_LOG_RATE = 200

export { setNames }


/**
 * `memo`: what the last compile with the same memo kept (see compile-memo.ts); the result is the same with or
 * without it, only faster with it when `opts.previous` is that last compile's result.
 */
export function compilePolicies(cluster: Cluster, opts: CompileOptions, memo?: CompileMemo): CompiledRuleset {
  const index = memo?.index(cluster) ?? indexCluster(cluster)
  const notes: CompileNote[] = []
  const errors: CompileError[] = []
  const sets: NftSet[] = []
  const chains: NftChain[] = []
  const layouts: FamilyLayout[] = []
  const profiles = new Map<string, ProfileInfo>()
  let classes = 0
  const portSets = new PortSets(opts.previous?.portSets)
  const managedPods = cluster.pods.filter((p) => !p.hostNetwork && opts.managed(p))
  const logRate = opts.logRate ?? DEFAULT_LOG_RATE
  const verdicts = cluster.clusterPolicies.length > 0 ? new TierVerdicts(opts.previous?.tiers?.decisionSets, { mode: opts.mode, logRate, logPrefix: LOG_PREFIX, ...(opts.logGroup !== undefined ? { logGroup: opts.logGroup } : {}) }) : null
  const tierLayouts: TierLayout[] = []
  let tierProfiles = 0
  for (const p of cluster.clusterPolicies) {
    p.egress.forEach((r, i) => {
      if (r.peers.some((x) => x.kind === 'domainNames')) notes.push({ code: 'domain-names-not-enforced', policy: formatClusterRef(p), rule: `egress[${i}]` })
    })
  }
  for (const p of managedPods) if (p.ips.length === 0) notes.push({ code: 'managed-without-address', pod: `${p.namespace}/${p.name}` })
  for (const family of FAMILIES) {
    const prev = opts.previous?.layouts.find((l) => l.family === family)
    const addrNotes: AddressNote[] = []
    const fm = memo?.family(family)
    const lc = labelClasses(cluster.pods, family, addrNotes, fm?.labels)
    notes.push(...addrNotes)
    const tiers = verdicts === null ? null : { verdicts, prev: opts.previous?.tiers?.layouts.find((l) => l.family === family) }
    const part = compileFamily(index, lc, opts, prev, portSets, tiers, fm)
    if (part.error) errors.push(part.error)
    if (part.tierLayout) tierLayouts.push(part.tierLayout)
    tierProfiles += part.tierProfiles ?? 0
    sets.push(...part.sets)
    chains.push(...part.chains)
    layouts.push(part.layout)
    for (const info of part.profiles) profiles.set(info.chain, info)
    classes += part.classes
  }
  sets.push({ name: 'ports', key: ['mark', 'inet_proto', 'inet_service'], interval: true, comment: 'port set, protocol, port', elements: portSets.elements() })
  if (verdicts !== null) {
    sets.push(verdicts.map())
    chains.push(...verdicts.chains(), ...sideChains(npDispatch))
  }
  const guard = unknownPodGuard(cluster, (p) => opts.managed(p), opts.podCidrs ?? [], { mode: opts.mode, logRate: opts.logRate ?? DEFAULT_LOG_RATE, logPrefix: LOG_PREFIX, ...(opts.logGroup !== undefined ? { logGroup: opts.logGroup } : {}) })
  sets.push(...guard.sets)
  const acceptLog = opts.logAccepted === true && opts.logGroup !== undefined ? acceptLogRules({ group: opts.logGroup, rate: opts.acceptLogRate ?? DEFAULT_ACCEPT_LOG_RATE, prefix: LOG_PREFIX }) : null
  chains.push(...guard.chains, ...baseChains(guard.forwardRules, acceptLog, verdicts !== null))
  const table: NftTable = { family: 'inet', name: opts.table, comment: 'netpol: compiled NetworkPolicies, do not edit', sets, chains }
  const nameProblem = checkName(opts.table)
  if (nameProblem !== null) throw new RangeError(`table name: ${nameProblem}`)
  return {
    table,
    mode: opts.mode,
    layouts,
    portSets: portSets.layout,
    profiles,
    notes,
    errors,
    ...(verdicts !== null ? { tiers: { layouts: tierLayouts, decisionSets: verdicts.layout, rules: new Map([...verdicts.rules.values()].map((r) => [r.chain, r])) } } : {}),
    stats: {
      managedPods: managedPods.length,
      classes,
      profiles: profiles.size + tierProfiles,
      sets: sets.length,
      chains: chains.length,
      rules: chains.reduce((n, c) => n + c.rules.length, 0),
      elements: sets.reduce((n, s) => n + s.elements.length, 0),
    },
  }
}

interface FamilyPart {
  readonly sets: NftSet[]
  readonly chains: NftChain[]
  readonly layout: FamilyLayout
  readonly profiles: ProfileInfo[]
  readonly classes: number
  readonly error?: CompileError
  readonly tierLayout?: TierLayout
  readonly tierProfiles?: number
}

function compileFamily(
  index: ClusterIndex,
  lc: LabelClasses,
  opts: CompileOptions,
  prev: FamilyLayout | undefined,
  portSets: PortSets,
  tiers: { verdicts: TierVerdicts; prev: TierLayout | undefined } | null,
  memo: FamilyMemo | undefined,
): FamilyPart {
  const f = lc.family
  const names = setNames(f)
  const fields = fieldsOf(f)

  // profiles of the managed pods, decided per label class
  const profileByKey = new Map<string, Profile>()
  const classProfiles = new Map<number, { eg?: Profile; in?: Profile }>()
  const managed: { dp: DataplanePod; eg?: Profile; in?: Profile }[] = []
  const managedPods = memo !== undefined ? memo.managed.pick(lc, opts.managed) : lc.pods.filter((d) => opts.managed(d.pod))
  for (const dp of managedPods) {
    const { pod, labelClass } = dp
    let cp = classProfiles.get(labelClass)
    if (cp === undefined) {
      const rep = lc.view.byId[labelClass]!.pod!
      cp = {}
      for (const direction of ['egress', 'ingress'] as const) {
        const policies = memo !== undefined ? memo.managed.policies(index, rep, lc.view.byId[labelClass]!.key, direction) : isolatingPolicies(index, rep, direction)
        if (policies.length === 0) continue
        const key = `${direction}\n${policies.map((p) => formatRef(p)).join(',')}${direction === 'ingress' ? `\n${lc.view.byId[labelClass]!.destKey}` : ''}`
        let profile = profileByKey.get(key)
        if (profile === undefined) {
          profile = { key, direction, policies, rep, destKey: lc.view.byId[labelClass]!.destKey, pods: [] }
          profileByKey.set(key, profile)
        }
        cp[direction === 'egress' ? 'eg' : 'in'] = profile
      }
      classProfiles.set(labelClass, cp)
    }
    const name = `${pod.namespace}/${pod.name}`
    cp.eg?.pods.push(name)
    cp.in?.pods.push(name)
    if (cp.eg !== undefined || cp.in !== undefined) managed.push({ dp, ...(cp.eg ? { eg: cp.eg } : {}), ...(cp.in ? { in: cp.in } : {}) })
  }
  const profileList = [...profileByKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))

  const ac = classify(index, lc, profileList, prev?.classIds, memo?.signatures)
  const { profileIds, maxProfile, classBits } = markLayout(
    profileList.map((p) => p.key),
    prev,
    ac.size,
  )
  const layout: FamilyLayout = { family: f, classBits, classIds: ac.ids, profileIds }
  const classCount = ac.byId.filter((c) => c !== undefined).length
  // the largest mark (all ones) is HIT, never a profile|class
  if (classBits + bitsFor(maxProfile + 2) > 32) {
    return { sets: [], chains: [], layout, profiles: [], classes: classCount, error: { code: 'mark-space-exhausted', family: f, classes: ac.size, profiles: maxProfile } }
  }

  const chainNames = new Map<Profile, string>()
  const usedNames = new Set<string>()
  for (const p of profileList) {
    let name = `${p.direction === 'ingress' ? 'in' : 'eg'}${f}_${shortHash(p.key)}`
    while (usedNames.has(name)) name += 'x'
    usedNames.add(name)
    chainNames.set(p, name)
  }

  const allows = new AllowCompiler(index, ac, portSets, memo?.allows)
  const allow: NftElement[] = []
  const chains: NftChain[] = []
  const infos: ProfileInfo[] = []
  for (const p of profileList) {
    const number = profileIds.get(p.key)!
    allows.emit(p, BigInt(number) << BigInt(classBits), allow)
    const chain = chainNames.get(p)!
    const policies = p.policies.map((x) => ({ namespace: x.namespace, name: x.name }))
    infos.push({ chain, family: f, direction: p.direction, number, policies, pods: p.pods })
    chains.push(profileChain(chain, p, number * 2 ** classBits, f))
  }

  const tier =
    tiers === null
      ? null
      : compileTierFamily(index, lc, opts.managed, (c, d) => classProfiles.get(c)?.[d === 'egress' ? 'eg' : 'in'] !== undefined, tiers.prev, tiers.verdicts)
  if (tier?.error !== undefined) {
    return { sets: [], chains: [], layout, profiles: [], classes: classCount, tierLayout: tier.layout, error: { code: 'mark-space-exhausted', family: f, ...tier.error } }
  }

  // "a pod can always reach itself" (even when a hairpin sends it through the node), and
  // "traffic to and from the node where a Pod is running is always allowed"; the same holds under cluster policies
  // ("a pod reaching its own IP"; no cluster ingress peer can match a node)
  const passPool = memo?.pass ?? NO_POOL
  const selPool = memo?.sel ?? NO_POOL
  const netPool = memo?.net ?? NO_POOL
  for (const pool of [passPool, selPool, netPool]) pool.turn()
  const pass = new Map<string, NftElement>()
  const passing = tier === null ? managed : lc.pods.flatMap((dp) => (classProfiles.has(dp.labelClass) && opts.managed(dp.pod) ? [{ dp, ...classProfiles.get(dp.labelClass)! }] : []))
  for (const m of passing) {
    const { pod, ip } = m.dp
    const covered = m.eg !== undefined || m.in !== undefined || tier?.covered.has(ip.value) === true
    if (!covered) continue
    const r = { lo: ip.value, hi: ip.value }
    pass.set(`${ip.value} ${ip.value}`, passPool.take(`${ip.value} ${ip.value}`, { key: [r, r] }))
    if (m.in === undefined && tier?.coveredIngress.has(ip.value) !== true) continue
    for (const h of pod.hostIPs) {
      if (h.family !== f || lc.owners.has(h.value)) continue
      pass.set(`${h.value} ${ip.value}`, passPool.take(`${h.value} ${ip.value}`, { key: [{ lo: h.value, hi: h.value }, r] }))
    }
  }
  const jumpTo = (p: Profile) => ({ kind: 'jump' as const, chain: chainNames.get(p)! })
  const byAddress = managed.map((m) => ({ ...m, ip: m.dp.ip.value })).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
  const sets: NftSet[] = [
    {
      name: names.sel,
      key: [fields.addr],
      data: 'mark',
      interval: false,
      comment: `IPv${f} pod address to selector class`,
      // the catch-all: an address no selector peer can match has class 0, which no profile allows
      elements: [...ac.selElements.map((e) => selPool.take(e.ip, { key: [{ lo: e.ip, hi: e.ip }], value: e.id })), SEL_CATCH_ALL],
    },
    {
      name: names.net,
      key: [fields.addr],
      data: 'mark',
      interval: true,
      comment: `IPv${f} address to network class`,
      elements: ac.netSegments.map((s) => netPool.take(s.lo, { key: [{ lo: s.lo, hi: s.hi }], value: s.id })),
    },
    {
      name: names.eg,
      key: [fields.addr],
      data: 'verdict',
      interval: false,
      comment: `managed IPv${f} pods isolated for egress`,
      elements: byAddress.filter((x) => x.eg).map((x) => ({ key: [{ lo: x.ip, hi: x.ip }], value: jumpTo(x.eg!) })),
    },
    {
      name: names.in,
      key: [fields.addr],
      data: 'verdict',
      interval: false,
      comment: `managed IPv${f} pods isolated for ingress`,
      elements: byAddress.filter((x) => x.in).map((x) => ({ key: [{ lo: x.ip, hi: x.ip }], value: jumpTo(x.in!) })),
    },
    { name: names.allow, key: ['mark'], data: 'mark', interval: true, comment: 'profile and peer class to port set', elements: allow },
    { name: names.pass, key: [fields.addr, fields.addr], interval: false, comment: 'pod to itself, node to its pods', elements: [...pass.values()] },
  ]
  if (opts.logAccepted === true && opts.logGroup !== undefined) sets.push(managedSet(lc, opts.managed))
  if (tier !== null) return { sets: [...sets, ...tier.sets], chains: [...sharedChains(f, opts), ...chains, ...tier.chains], layout, profiles: infos, classes: classCount + tier.classes, tierLayout: tier.layout, tierProfiles: tier.profiles }
  return { sets, chains: [...sharedChains(f, opts), ...chains], layout, profiles: infos, classes: classCount }
}

/** Without a memo, every element is new. */
const NO_POOL = { turn: (): void => undefined, take: (_id: bigint | string, el: NftElement): NftElement => el }

/** `selN`'s last element: every address no other element names is in selector class 0. */
const SEL_CATCH_ALL: NftElement = { key: CATCH_ALL, value: 0 }

/** What the `allowed` chain leaves in the conntrack mark when the lookup hit (no profile number reaches it). */
const HIT = 0xffffffff

/**
 * The chains every profile shares, per family. `np_egN` / `np_inN` decide a direction of an isolated pod: for each
 * class dimension, the other end's class into the conntrack mark (from `selN`, 0 when the address has no selector
 * class: the catch-all; or from `netN`), then the pod's profile chain through `egN`/`inN`, which adds its number
 * and goes on to `allowedN`: profile|class → port set → protocol and port, leaving HIT in the mark on success. A
 * hit clears the mark and returns (this side allows). A miss is what the policies do not allow: logged
 * (rate-limited) and dropped, or let through in audit mode (with the mark cleared). Only these chains refer to the
 * big maps: the kernel checks every rule that uses a map whenever the map changes, so the profile chains must not.
 */
function sharedChains(f: Family, opts: CompileOptions): NftChain[] {
  const fields = fieldsOf(f)
  const names = setNames(f)
  const side = (direction: Direction): NftChain => {
    const other = direction === 'ingress' ? fields.saddr : fields.daddr
    const pod = direction === 'ingress' ? fields.daddr : fields.saddr
    const rules: NftRule[] = []
    for (const dim of ['sel', 'net'] as const) {
      rules.push(
        { exprs: [{ op: 'set-mark-map', from: other, map: names[dim] }] },
        { exprs: [], end: { kind: 'vmap', key: pod, map: direction === 'ingress' ? names.in : names.eg } },
        { exprs: [{ op: 'mark-is', value: HIT }, { op: 'set-mark', value: 0 }], end: { kind: 'return' } },
      )
    }
    if (opts.mode === 'audit') rules.push({ exprs: [{ op: 'set-mark', value: 0 }] })
    const verdict = opts.mode === 'enforce' ? 'drop' : 'audit'
    if (opts.logGroup !== undefined) {
      const rate = opts.logRate ?? DEFAULT_LOG_RATE
      rules.push({ exprs: [{ op: 'limit', perSecond: rate, burst: rate * 2 }, { op: 'log', group: opts.logGroup, prefix: `${LOG_PREFIX} ${verdict} ${direction}` }] })
    }
    rules.push({ exprs: [{ op: 'counter' }], end: { kind: opts.mode === 'enforce' ? 'drop' : 'accept' } })
    return { name: npChain(f, direction), comment: `${direction} of isolated IPv${f} pods: selector class, then network class of the other end`, rules }
  }
  return [
    side('egress'),
    side('ingress'),
    {
      name: `allowed${f}`,
      comment: 'profile and class to port set, then protocol and port',
      rules: [
        {
          exprs: [
            { op: 'set-mark-map', from: 'ct mark', map: names.allow },
            { op: 'in-set', key: ['ct mark', 'meta l4proto', 'th dport'], set: names.ports },
            { op: 'set-mark', value: HIT },
          ],
        },
      ],
    },
  ]
}

/** The chain of one profile: its number added to the class in the mark, then the shared lookup (sharedChains). */
function profileChain(name: string, p: Profile, base: number, f: Family): NftChain {
  // the comment says what the chain's name stands for, nothing that changes while the chain stays
  return { name, comment: `${p.direction}: ${p.policies.map((x) => formatRef(x)).join(' ')}`, rules: [{ exprs: [{ op: 'or-mark', value: base }], end: { kind: 'goto', chain: `allowed${f}` } }] }
}
