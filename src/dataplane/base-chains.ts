/**
 * The base chains (the hooks netpol filters at) and the per-family names of the maps they dispatch through. Pure;
 * used by compile-policies.ts.
 */
import type { Family } from '../model/ip.js'
import type { Direction } from '../model/policy.js'
import type { AcceptLogRules } from './accept-log.js'
import type { Field, KeyType, NftChain, NftRule } from './nft-objects.js'
import { SIDE_CHAINS } from './tier-chains.js'

export const FAMILIES: readonly Family[] = [4, 6]
const PRIORITY_FILTER = 0

export const fieldsOf = (f: Family) =>
  f === 4
    ? { saddr: 'ip saddr' as Field, daddr: 'ip daddr' as Field, addr: 'ipv4_addr' as KeyType }
    : { saddr: 'ip6 saddr' as Field, daddr: 'ip6 daddr' as Field, addr: 'ipv6_addr' as KeyType }

export const setNames = (f: Family) => ({ sel: `sel${f}`, net: `net${f}`, eg: `eg${f}`, in: `in${f}`, allow: `allow${f}`, pass: `pass${f}`, ports: 'ports' })

/** The chain that decides one direction of an isolated pod by its NetworkPolicies, per family (compile-policies.ts). */
export const npChain = (f: Family, d: Direction): string => `np_${d === 'egress' ? 'eg' : 'in'}${f}`

/**
 * The rule that sends a new connection of a pod isolated for direction `d` (a key of the verdict map `egN`/`inN`)
 * to the chain that decides it; the others pass.
 */
export const npDispatch = (f: Family, d: Direction): NftRule => ({
  exprs: [{ op: 'in-set', key: [d === 'egress' ? fieldsOf(f).saddr : fieldsOf(f).daddr], set: setNames(f)[d === 'egress' ? 'eg' : 'in'] }],
  end: { kind: 'jump', chain: npChain(f, d) },
})

/**
 * The hooks. forward sees pod↔pod (bridged, with br_netfilter) and pod↔outside traffic; input sees a pod
 * connecting to its node, which its egress policies decide. The node connecting to its pods leaves through
 * output, which netpol never filters ("traffic to and from the node where a Pod is running is always allowed").
 */
export function baseChains(guard: readonly NftRule[], acceptLog: AcceptLogRules | null, tiered: boolean): NftChain[] {
  const established: NftRule = { exprs: [{ op: 'ct-state', states: ['established', 'related'] }], end: { kind: 'accept' } }
  const nd: NftRule = { exprs: [{ op: 'icmpv6-nd' }], end: { kind: 'accept' } }
  // with cluster policies, each direction is a chain of its own (tier-chains.ts), so that a tier's Accept can end it
  const dispatch = (dir: 'eg' | 'in'): NftRule[] =>
    tiered
      ? [{ exprs: [], end: { kind: 'jump', chain: SIDE_CHAINS[dir === 'eg' ? 'egress' : 'ingress'] } }]
      : FAMILIES.map((f) => npDispatch(f, dir === 'eg' ? 'egress' : 'ingress'))
  const pass = FAMILIES.map((f): NftRule => ({ exprs: [{ op: 'in-set', key: [fieldsOf(f).saddr, fieldsOf(f).daddr], set: setNames(f).pass }], end: { kind: 'accept' } }))
  return [
    {
      name: 'pods_forward',
      base: { type: 'filter', hook: 'forward', priority: PRIORITY_FILTER, policy: 'accept' },
      comment: 'connections between pods and to or from outside: egress of the source, then ingress of the destination',
      rules: [established, { exprs: [{ op: 'ct-state', states: ['invalid'] }], end: { kind: 'drop' } }, nd, ...pass, ...guard, ...dispatch('eg'), ...dispatch('in'), ...(acceptLog?.forward ?? [])],
    },
    {
      name: 'pods_to_node',
      base: { type: 'filter', hook: 'input', priority: PRIORITY_FILTER, policy: 'accept' },
      comment: 'connections from pods to their node: egress of the source',
      rules: [established, nd, ...dispatch('eg'), ...(acceptLog?.toNode ?? [])],
    },
  ]
}
