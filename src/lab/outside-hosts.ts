/**
 * Which outside hosts prove the policies' ipBlocks with real packets: for every ipBlock an address inside it
 * and outside its excepts, for every except an address inside it, and per family one address outside every
 * block; a host that already proves a block or an except is not repeated for it. Pure: the lab (lab-plan.ts) gives them to its external namespace, `netpol lab` probes them both ways.
 *
 * "IPBlock describes a particular CIDR that is allowed to the pods matched by a NetworkPolicySpec's
 * podSelector. The except entry describes CIDRs that should not be included within this rule." (IPBlock)
 */
import type { Cluster } from '../model/cluster.js'
import { canonicalCidr, formatIpValue, parseCidr, type Cidr, type Family, type IpAddress } from '../model/ip.js'
import type { IpBlock } from '../model/ip-block.js'

/** Why an outside host is in the lab, relative to the policies' ipBlocks. */
export type OutsideWhy =
  | { readonly kind: 'inside'; readonly cidr: string }
  | { readonly kind: 'except'; readonly except: string; readonly cidr: string }
  | { readonly kind: 'outside' }
  | { readonly kind: 'given' }

export interface OutsideHost {
  readonly ip: string
  readonly family: Family
  readonly why: OutsideWhy
}

/** Addresses no outside host takes: "this network", loopback, link-local, multicast and reserved (v4: up to the broadcast address). */
const SPECIAL: readonly string[] = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '::/8', 'fe80::/10', 'ff00::/8']
/** Tried first for "outside every block": documentation ranges (RFC 5737, RFC 3849). */
const PREFERRED: Record<Family, readonly string[]> = { 4: ['192.0.2.1', '198.51.100.1', '203.0.113.1'], 6: ['2001:db8::1', '3fff::1'] }
/** where the search goes on when every preferred address is taken: v6 global unicast */
const SEARCH: Record<Family, string> = { 4: '0.0.0.0/0', 6: '2000::/3' }
const HOST_BITS: Record<Family, number> = { 4: 32, 6: 128 }

interface Range {
  readonly first: bigint
  readonly last: bigint
}

const rangeOf = (text: string): Cidr => {
  const c = parseCidr(text)
  if (c === null) throw new Error(`bad built-in CIDR ${text}`)
  return c
}

/**
 * The lowest address of `within` that no range of `avoid` holds. Its network address is skipped (unless it is
 * a host), and so is the first address after an avoided range, which usually looks like one (1.0.0.0).
 */
export function firstFree(within: Cidr, avoid: readonly Range[]): bigint | null {
  let v = within.prefix < HOST_BITS[within.family] ? within.first + 1n : within.first
  for (;;) {
    if (v > within.last) return null
    const hit = avoid.find((r) => r.first <= v && v <= r.last)
    if (hit === undefined) return v
    v = hit.last + 2n
  }
}

/** Every distinct ipBlock of the policies' rules, in policy order. */
export function policyIpBlocks(cluster: Cluster): IpBlock[] {
  const seen = new Map<string, IpBlock>()
  for (const p of cluster.policies) {
    for (const rule of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
      if (rule.peers === 'any') continue
      for (const peer of rule.peers) if (peer.kind === 'ipBlock' && !seen.has(peer.block.key)) seen.set(peer.block.key, peer.block)
    }
  }
  return [...seen.values()]
}

export interface OutsideOptions {
  /** the lab's pod ranges, which hold pods, never outside hosts */
  readonly podCidrs: readonly string[]
  /** families the lab has pods of (an outside host of another family could not be reached) */
  readonly families: readonly Family[]
  /** given by the user (--external): kept first, as given */
  readonly given?: readonly IpAddress[]
}

/**
 * The outside hosts for `cluster`'s ipBlocks, deduplicated (the first reason wins; given addresses first).
 * An address is never a pod's, inside a pod range or special (SPECIAL); a block or except wholly inside those
 * gets none (its pods are probed as pods).
 */
export function outsideHosts(cluster: Cluster, opts: OutsideOptions): OutsideHost[] {
  const out = new Map<string, OutsideHost & { value: bigint }>()
  const add = (family: Family, value: bigint, why: OutsideWhy): void => {
    const key = `${family}:${value}`
    if (!out.has(key)) out.set(key, { ip: formatIpValue(family, value), family, why, value })
  }
  for (const ip of opts.given ?? []) add(ip.family, ip.value, { kind: 'given' })
  const forbidden: Record<Family, Range[]> = { 4: [], 6: [] }
  for (const t of [...SPECIAL, ...opts.podCidrs]) {
    const c = parseCidr(t)
    if (c !== null) forbidden[c.family].push(c)
  }
  for (const p of cluster.pods) for (const a of p.ips) forbidden[a.family].push({ first: a.value, last: a.value })
  const blocks = policyIpBlocks(cluster).filter((b) => opts.families.includes(b.cidr.family))
  // a host chosen (or given) before that already proves a block or an except serves it too
  const holds = (f: Family, r: Range) => [...out.values()].some((h) => h.family === f && r.first <= h.value && h.value <= r.last)
  const admits = (b: IpBlock) =>
    [...out.values()].some((h) => h.family === b.cidr.family && b.cidr.first <= h.value && h.value <= b.cidr.last && !b.except.some((e) => e.first <= h.value && h.value <= e.last))
  for (const b of blocks) {
    const f = b.cidr.family
    const inside = admits(b) ? null : firstFree(b.cidr, [...forbidden[f], ...b.except])
    if (inside !== null) add(f, inside, { kind: 'inside', cidr: canonicalCidr(b.cidr) })
    for (const e of b.except) {
      const v = holds(f, e) ? null : firstFree(e, forbidden[f])
      if (v !== null) add(f, v, { kind: 'except', except: canonicalCidr(e), cidr: canonicalCidr(b.cidr) })
    }
  }
  for (const f of [4, 6] as const) {
    const mine = blocks.filter((b) => b.cidr.family === f)
    if (mine.length === 0) continue
    const avoid = [...forbidden[f], ...mine.map((b) => b.cidr)]
    const free = (v: bigint) => !avoid.some((r) => r.first <= v && v <= r.last)
    const preferred = PREFERRED[f].map((t) => rangeOf(`${t}/${HOST_BITS[f]}`).first).find(free)
    const v = preferred ?? firstFree(rangeOf(SEARCH[f]), avoid)
    if (v !== null) add(f, v, { kind: 'outside' })
  }
  return [...out.values()].map(({ ip, family, why }) => ({ ip, family, why }))
}

/** How `ip` stands to the policies' ipBlocks now (for a host given by the user, or one `lab up` chose earlier). */
export function describeOutside(ip: IpAddress, blocks: readonly IpBlock[]): OutsideWhy {
  const contains = (c: Cidr) => c.family === ip.family && c.first <= ip.value && ip.value <= c.last
  const holding = blocks.filter((b) => contains(b.cidr))
  const admitting = holding.find((b) => !b.except.some(contains))
  if (admitting !== undefined) return { kind: 'inside', cidr: canonicalCidr(admitting.cidr) }
  const b = holding[0]
  return b === undefined ? { kind: 'outside' } : { kind: 'except', except: canonicalCidr(b.except.find(contains)!), cidr: canonicalCidr(b.cidr) }
}

/** `in 203.0.113.0/24`, `in except 10.0.0.0/8 of 0.0.0.0/0`, `outside every ipBlock`, `given`. */
export function outsideWhyText(why: OutsideWhy): string {
  switch (why.kind) {
    case 'inside':
      return `in ${why.cidr}`
    case 'except':
      return `in except ${why.except} of ${why.cidr}`
    case 'outside':
      return 'outside every ipBlock'
    case 'given':
      return 'given'
  }
}
