/**
 * The accepted-connection log (CompileOptions.logAccepted): the first packet of every new connection that the
 * ruleset lets through to or from a managed pod goes to the nflog group with the prefix
 * `netpol accept ingress|egress`, so that a cluster can be observed before it is enforced. Pure.
 *
 * Where: the last rules of the base chains, so that only what every policy rule above let through reaches them:
 * a denied connection was dropped in its profile chain (an audited one left it with its own `accept` and its own
 * log line), an established or related packet was accepted by the chain's first rule and never gets here. Each
 * rule matches a new connection of a managed pod (`managedN`: every managed pod's address, isolated or not),
 * logs it rate-limited in the kernel (`limit rate`: a flood of new connections cannot overload ulogd; over the
 * rate the rule does not match and the packet goes on to the chain's policy, accept) and accepts, as the chain's
 * policy would. So an accepted IPv4 connection passes one rule more (two when only its source is managed).
 * A connection between two managed pods is logged once, as the ingress of its destination.
 */
import type { Cluster } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { Direction } from '../model/policy.js'
import type { LabelClasses } from './address-classes.js'
import type { Expr, Field, KeyType, NftRule, NftSet } from './nft-objects.js'

/** the word after `netpol` in the log prefix */
export const ACCEPT_LOG_WORD = 'accept'
export const managedSetName = (f: Family) => `managed${f}`

const FIELDS: Record<Family, { saddr: Field; daddr: Field; addr: KeyType }> = {
  4: { saddr: 'ip saddr', daddr: 'ip daddr', addr: 'ipv4_addr' },
  6: { saddr: 'ip6 saddr', daddr: 'ip6 daddr', addr: 'ipv6_addr' },
}

export interface AcceptLogRules {
  /** appended to `pods_forward` */
  readonly forward: NftRule[]
  /** appended to `pods_to_node`: a pod connecting to its node is the pod's egress */
  readonly toNode: NftRule[]
}

/** The `managedN` set of family `lc.family`: the addresses of the managed pods (hostNetwork ones are the node's). */
export function managedSet(lc: LabelClasses, managed: (pod: Cluster['pods'][number]) => boolean): NftSet {
  const f = lc.family
  const addresses = [...new Set(lc.pods.filter(({ pod }) => !pod.hostNetwork && managed(pod)).map(({ ip }) => ip.value))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return {
    name: managedSetName(f),
    key: [FIELDS[f].addr],
    interval: false,
    comment: `managed IPv${f} pods, for the accepted-connection log`,
    elements: addresses.map((v) => ({ key: [{ lo: v, hi: v }] })),
  }
}

export function acceptLogRules(opts: { readonly group: number; readonly rate: number; readonly prefix: string }): AcceptLogRules {
  const log = (direction: Direction): Expr[] => [
    { op: 'limit', perSecond: opts.rate, burst: opts.rate * 2 },
    { op: 'log', group: opts.group, prefix: `${opts.prefix} ${ACCEPT_LOG_WORD} ${direction}` },
  ]
  const isNew: Expr = { op: 'ct-state', states: ['new'] }
  const forward: NftRule[] = []
  const toNode: NftRule[] = []
  for (const f of [4, 6] as const) {
    const { saddr, daddr } = FIELDS[f]
    const managed = managedSetName(f)
    forward.push(
      { exprs: [isNew, { op: 'in-set', key: [daddr], set: managed }, ...log('ingress')], end: { kind: 'accept' } },
      { exprs: [isNew, { op: 'in-set', key: [saddr], set: managed }, { op: 'in-set', key: [daddr], set: managed, negate: true }, ...log('egress')], end: { kind: 'accept' } },
    )
    toNode.push({ exprs: [isNew, { op: 'in-set', key: [saddr], set: managed }, ...log('egress')], end: { kind: 'accept' } })
  }
  return { forward, toNode }
}
