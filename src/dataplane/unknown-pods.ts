/**
 * The unknown-pod guard: closes the window between a new pod getting its address and the agent's rules for it.
 *
 * Without it, an address the compiled table does not know is not filtered at all: a pod whose IP the CNI has
 * assigned, but whose `status.podIP` update the agent has not applied yet, can be reached by anyone and reach
 * anything, whatever its policies. With the node's pod CIDRs known (the Node's `spec.podCIDRs`, or `--pod-cidr`),
 * the forward hook drops (enforce) or logs (audit) a connection to or from an address inside those ranges that is
 * neither a pod's of the cluster (of any node: a pod the agent has seen is decided by the policies, as without the
 * guard, so a --pod-cidr wider than the node's own range drops nothing it knows) nor a node's address. A new pod is thus isolated in both directions until its
 * address is in the `knownN` set, which the same incremental transaction that adds its rules fills.
 *
 * Per family N with node CIDRs:
 * - `podnetN` interval set: the node's pod CIDRs, merged;
 * - `knownN` set: the addresses inside them that are pods' (or nodes'), so that one pod more or less is one
 *   element, added or deleted in place;
 * - `nodeaddrN` set: the node's own addresses (the managed pods' `status.hostIPs`), which may always connect to a
 *   pod and be connected to, known or not;
 * - in `pods_forward`, after the pass set and before the per-pod dispatch:
 *   `ip daddr @podnetN ip daddr != @knownN ip saddr != @nodeaddrN jump unknown_in` and the same with `saddr`
 *   and `daddr` swapped → `unknown_eg`;
 * - the chains `unknown_in` / `unknown_eg` log (rate-limited, prefix `netpol drop ingress unknown`) and drop, or
 *   in audit mode log and count and return, so that the known end's own policies still run.
 * The input hook (a pod to its own node) and the output hook (the node to its pods) are not guarded: "traffic to
 * and from the node where a Pod is running is always allowed". Established and related traffic, and ICMPv6
 * neighbour discovery, pass before the guard, as before any policy.
 */
import type { Cluster } from '../model/cluster.js'
import type { Cidr, Family } from '../model/ip.js'
import type { Expr, Field, KeyType, NftChain, NftElement, NftRule, NftSet } from './nft-objects.js'
import type { AgentMode } from './compile-policies.js'

export const unknownSetNames = (f: Family) => ({ podnet: `podnet${f}`, known: `known${f}`, node: `nodeaddr${f}` })
export const UNKNOWN_CHAINS = { ingress: 'unknown_in', egress: 'unknown_eg' } as const
/** the word after `netpol drop|audit ingress|egress` in the log prefix of the guard */
export const UNKNOWN_LOG_WORD = 'unknown'

export interface GuardOptions {
  readonly mode: AgentMode
  readonly logGroup?: number
  readonly logRate: number
  readonly logPrefix: string
}

export interface UnknownPodGuard {
  readonly sets: NftSet[]
  /** rules for `pods_forward`, after the pass set and before the dispatch */
  readonly forwardRules: NftRule[]
  readonly chains: NftChain[]
}

const FIELDS: Record<Family, { saddr: Field; daddr: Field; addr: KeyType }> = {
  4: { saddr: 'ip saddr', daddr: 'ip daddr', addr: 'ipv4_addr' },
  6: { saddr: 'ip6 saddr', daddr: 'ip6 daddr', addr: 'ipv6_addr' },
}

/** Non-overlapping, sorted ranges covering `cidrs` (nft rejects overlapping intervals). */
export function mergeRanges(cidrs: readonly Cidr[]): { lo: bigint; hi: bigint }[] {
  const sorted = [...cidrs].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
  const out: { lo: bigint; hi: bigint }[] = []
  for (const c of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && c.first <= last.hi + 1n) {
      if (c.last > last.hi) last.hi = c.last
    } else out.push({ lo: c.first, hi: c.last })
  }
  return out
}

/**
 * The addresses that are not unknown: every pod's of the cluster (finished pods are not in it: their addresses
 * are free again), and every node address a pod reports (`status.hostIPs`), of family `f` and inside `ranges`.
 */
export function knownAddresses(cluster: Cluster, f: Family, ranges: readonly { lo: bigint; hi: bigint }[]): bigint[] {
  const inside = (v: bigint) => ranges.some((r) => v >= r.lo && v <= r.hi)
  const known = new Set<bigint>()
  for (const p of cluster.pods) {
    for (const ip of p.ips) if (ip.family === f && inside(ip.value)) known.add(ip.value)
    for (const h of p.hostIPs) if (h.family === f && inside(h.value)) known.add(h.value)
  }
  return [...known].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The guard's sets, rules and chains; empty when no CIDR is given. Pure. */
export function unknownPodGuard(cluster: Cluster, managed: (p: Cluster['pods'][number]) => boolean, cidrs: readonly Cidr[], opts: GuardOptions): UnknownPodGuard {
  const sets: NftSet[] = []
  const forwardRules: NftRule[] = []
  for (const f of [4, 6] as const) {
    const ranges = mergeRanges(cidrs.filter((c) => c.family === f))
    if (ranges.length === 0) continue
    const names = unknownSetNames(f)
    const fields = FIELDS[f]
    const known = knownAddresses(cluster, f, ranges)
    const node = new Set<bigint>()
    for (const p of cluster.pods) if (managed(p)) for (const h of p.hostIPs) if (h.family === f) node.add(h.value)
    sets.push(
      { name: names.podnet, key: [fields.addr], interval: true, comment: `IPv${f} pod CIDRs of this node`, elements: ranges.map((r): NftElement => ({ key: [r] })) },
      { name: names.known, key: [fields.addr], interval: false, comment: `known IPv${f} addresses in the pod CIDRs of this node`, elements: known.map((v): NftElement => ({ key: [{ lo: v, hi: v }] })) },
      { name: names.node, key: [fields.addr], interval: false, comment: `IPv${f} addresses of this node`, elements: [...node].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((v): NftElement => ({ key: [{ lo: v, hi: v }] })) },
    )
    for (const [field, other, chain] of [[fields.daddr, fields.saddr, UNKNOWN_CHAINS.ingress], [fields.saddr, fields.daddr, UNKNOWN_CHAINS.egress]] as const) {
      forwardRules.push({
        exprs: [
          { op: 'in-set', key: [field], set: names.podnet },
          { op: 'in-set', key: [field], set: names.known, negate: true },
          // "traffic to and from the node where a Pod is running is always allowed"
          { op: 'in-set', key: [other], set: names.node, negate: true },
        ],
        end: { kind: 'jump', chain },
      })
    }
  }
  if (sets.length === 0) return { sets, forwardRules, chains: [] }
  const verdict = opts.mode === 'enforce' ? 'drop' : 'audit'
  const chain = (direction: 'ingress' | 'egress'): NftChain => {
    const rules: NftRule[] = []
    if (opts.logGroup !== undefined) {
      const log: Expr[] = [
        { op: 'limit', perSecond: opts.logRate, burst: opts.logRate * 2 },
        { op: 'log', group: opts.logGroup, prefix: `${opts.logPrefix} ${verdict} ${direction} ${UNKNOWN_LOG_WORD}` },
      ]
      rules.push({ exprs: log })
    }
    // audit: counted and let on, so that the other end's policies still decide (and log) as without the guard
    rules.push(opts.mode === 'enforce' ? { exprs: [{ op: 'counter' }], end: { kind: 'drop' } } : { exprs: [{ op: 'counter' }] })
    const end = direction === 'ingress' ? 'destination' : 'source'
    return { name: UNKNOWN_CHAINS[direction], comment: `${end} in the pod CIDRs of this node but no known pod: its rules are not in yet`, rules }
  }
  return { sets, forwardRules, chains: [chain('ingress'), chain('egress')] }
}
