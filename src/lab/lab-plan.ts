import { createHash } from 'node:crypto'
import { canonicalCidr, cidrContains, formatIpValue, parseCidr, parseIp, type Cidr, type Family } from '../model/ip.js'
import type { Path } from '../model/issues.js'
import type { Protocol } from '../model/port.js'
import { labNames } from './lab-names.js'

/**
 * The lab's layout, computed without touching the host: one network namespace per pod on a bridge in a
 * "node" namespace, optionally an "external" namespace for the addresses outside the cluster, which is not on
 * the bridge but behind the node: its own veth pair, routed by the node like traffic that leaves the cluster.
 * `labUp` (lab-host.ts) executes it.
 */

/** the default lab's names (lab-names.ts: a lab of another name has its own) */
export const LAB_NODE_NETNS = labNames().nodeNetns
export const LAB_EXT_NETNS = labNames().extNetns
export const LAB_BRIDGE = 'nplbr0'
/** host side (in the node namespace) of the external namespace's veth pair, routed, not on the bridge */
export const LAB_EXT_VETH = 'nplhext'
/** its MAC address: the external namespace's gateway (the node) is reached through it */
export const LAB_EXT_HOST_MAC = '06:00:00:00:00:03'
/** every namespace whose name starts with one of these belongs to the lab, and `labDown` removes it */
export const LAB_NETNS_PREFIXES: readonly string[] = labNames().netnsPrefixes
/** fixed MAC addresses (locally administered); pods use 02: followed by five bytes of their hash */
export const LAB_BRIDGE_MAC = '06:00:00:00:00:01'
export const LAB_EXT_MAC = '06:00:00:00:00:02'
/** the interface name inside pod and external namespaces */
export const LAB_POD_IFACE = 'eth0'
export const DEFAULT_POD_CIDR4 = '10.244.0.0/16'
export const DEFAULT_POD_CIDR6 = 'fd00:10:244::/64'

export interface LabPort {
  readonly port: number
  readonly protocol: Protocol
}

export interface LabPodInput {
  readonly namespace: string
  readonly name: string
  /** status.podIPs; empty: the plan assigns addresses from the pod CIDRs */
  readonly ips: readonly string[]
  /** container ports; the lab serves each of them */
  readonly ports: readonly LabPort[]
}

export interface LabOptions {
  /** default 10.244.0.0/16 */
  readonly podCidr4?: string
  /** default fd00:10:244::/64 */
  readonly podCidr6?: string
  /** addresses outside the cluster, all held by the external namespace */
  readonly externalIps?: readonly string[]
  /** ports the external namespace serves on every external address */
  readonly externalPorts?: readonly LabPort[]
  /** which lab (lab-names.ts): its namespaces' names; default: the default lab */
  readonly name?: string
  /**
   * hostNetwork pods: no namespace of their own, their traffic is the node's. Their TCP and UDP ports are
   * served in the node namespace on the node's addresses (the gateways, and the pods' own addresses, which are
   * their nodes' and which the node namespace then holds too), and they probe from there.
   */
  readonly hostPods?: readonly HostPodInput[]
}

export interface HostPodInput {
  readonly namespace: string
  readonly name: string
  readonly ports: readonly LabPort[]
  /** status.podIPs: its node's addresses, which the lab's node namespace takes on (pods reach them through their gateway) */
  readonly ips?: readonly string[]
}

/** A hostNetwork pod in the lab: it lives in the node namespace and uses the node's addresses. */
export interface LabHostPod {
  /** namespace/name */
  readonly id: string
  readonly ports: readonly LabPort[]
}

/** An address on an interface, with the prefix length it is configured with. */
export interface LabAddress {
  readonly ip: string
  readonly family: Family
  readonly prefix: number
}

/**
 * A route inside a pod or the external namespace: through `via`, or on-link (`via` null) on eth0. In the node
 * namespace: on the bridge, or on `dev` (the external namespace's veth).
 */
export interface LabRoute {
  readonly dst: string
  readonly family: Family
  readonly via: string | null
  /** the gateway is not in any prefix of the interface (the external namespace's default route) */
  readonly onlink?: true
  /** node namespace only: the interface, when not the bridge */
  readonly dev?: string
}

/** A namespace attached to the bridge by a veth pair: a pod, or the external namespace. */
export interface LabEndpoint {
  readonly netns: string
  /** host side of the veth pair, in the node namespace, ≤ 15 characters */
  readonly hostVeth: string
  /** MAC address of eth0 inside the namespace, so that neighbour entries can be written in advance */
  readonly mac: string
  readonly addresses: readonly LabAddress[]
  readonly ports: readonly LabPort[]
  readonly routes: readonly LabRoute[]
}

export interface LabPod extends LabEndpoint {
  /** namespace/name */
  readonly id: string
  readonly namespace: string
  readonly name: string
  /** true when the pod had no IPs and the plan chose them */
  readonly assigned: boolean
}

/** What one pod-server process serves: TCP and UDP ports on every listed address. */
export interface LabServerSpec {
  readonly netns: string
  /** written to each accepted TCP connection */
  readonly banner: string
  readonly addresses: readonly string[]
  readonly tcp: readonly number[]
  readonly udp: readonly number[]
}

/** The one SCTP responder process of the lab (sctp_raw.py serve): its sockets live in every endpoint namespace. */
export interface SctpResponderSpec {
  /** the namespace the process returns to once its sockets are open */
  readonly home: string
  readonly namespaces: readonly { readonly netns: string; readonly addresses: readonly string[]; readonly ports: readonly number[] }[]
}

export type LabIssue =
  | { code: 'invalid_ip'; path: Path; input: string }
  | { code: 'duplicate_ip'; path: Path; ip: string; usedBy: string }
  | { code: 'invalid_cidr'; path: Path; input: string; family: Family }
  | { code: 'duplicate_pod'; path: Path; id: string }
  | { code: 'invalid_port'; path: Path; port: number }
  /** kept, as a host address with on-link host routes in every namespace; pass the right pod CIDR instead */
  | { code: 'ip_outside_pod_cidr'; path: Path; ip: string; cidr: string }
  | { code: 'pod_cidr_exhausted'; path: Path; cidr: string }
  /** no pod has an address of the external address's family, so the node has no gateway of it: left out */
  | { code: 'external_unreachable'; path: Path; ip: string }

export interface LabPlan {
  /** the lab's name (lab-names.ts) */
  readonly name: string
  readonly nodeNetns: string
  readonly bridge: string
  readonly bridgeMac: string
  /** canonical network text, e.g. 10.244.0.0/16 */
  readonly podCidr4: string
  readonly podCidr6: string
  /** the bridge's addresses, which pods use as their default gateways */
  readonly gateways: readonly LabAddress[]
  /** sorted by id */
  readonly pods: readonly LabPod[]
  /** the outside hosts: not on the bridge, routed by the node through LAB_EXT_VETH */
  readonly external: LabEndpoint | null
  /** hostNetwork pods, sorted by id: their servers run in the node namespace, on the gateways' addresses */
  readonly hostPods: readonly LabHostPod[]
  /**
   * the hostNetwork pods' own addresses (their nodes' in the cluster): host addresses of the node namespace, so that
   * a connection to one is a connection to the node, through its input hook; absent in plans of older labs
   */
  readonly nodeAddresses?: readonly LabAddress[]
  /** host routes the node namespace needs: pod addresses outside the pod CIDRs (on the bridge), external addresses (LAB_EXT_VETH) */
  readonly nodeRoutes: readonly LabRoute[]
  /** one per namespace that has TCP or UDP ports */
  readonly servers: readonly LabServerSpec[]
  readonly sctp: SctpResponderSpec
  /** input that was skipped or adjusted; the plan is usable regardless */
  readonly issues: readonly LabIssue[]
}

const HOST_BITS: Record<Family, number> = { 4: 32, 6: 128 }

/** First 10 hex digits of sha1(text). */
export function labHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 10)
}

/**
 * Distinct short hashes for distinct ids, deterministic for a given set of ids: ids are taken in sorted
 * order and a colliding id is rehashed as `id#1`, `id#2`, … (40 bits make this practically never happen).
 */
export function uniqueHashes(ids: readonly string[], hash: (text: string) => string = labHash): Map<string, string> {
  const out = new Map<string, string>()
  const taken = new Set<string>()
  for (const id of [...new Set(ids)].sort()) {
    let h = hash(id)
    for (let n = 1; taken.has(h); n++) h = hash(`${id}#${n}`)
    taken.add(h)
    out.set(id, h)
  }
  return out
}

export const podNetnsName = (hash: string, lab = labNames()): string => lab.podNetns(hash)
export const podHostVethName = (hash: string): string => `nplh${hash}`
export const podMac = (hash: string): string => `02:${hash.match(/../g)!.join(':')}`

interface Pool {
  readonly cidr: Cidr
  readonly used: Set<bigint>
  next: bigint
}

function hostRange(cidr: Cidr): { first: bigint; last: bigint } {
  // the network address is never handed out; neither is the IPv4 broadcast address
  const last = cidr.family === 4 && cidr.prefix < 31 ? cidr.last - 1n : cidr.last
  return { first: cidr.first + 1n, last }
}

function take(pool: Pool, skip: ReadonlySet<bigint>): bigint | null {
  const { last } = hostRange(pool.cidr)
  while (pool.next <= last && (pool.used.has(pool.next) || skip.has(pool.next))) pool.next++
  if (pool.next > last) return null
  pool.used.add(pool.next)
  return pool.next++
}

/** The default gateway is the CIDR's first host; if a pod or external address holds it, the highest free host. */
function chooseGateway(cidr: Cidr, used: ReadonlySet<bigint>): bigint | null {
  const { first, last } = hostRange(cidr)
  if (first <= last && !used.has(first)) return first
  for (let v = last; v > first; v--) if (!used.has(v)) return v
  return null
}

function parsePortList(ports: readonly LabPort[], path: Path, issues: LabIssue[]): LabPort[] {
  const seen = new Map<string, LabPort>()
  ports.forEach((p, i) => {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      issues.push({ code: 'invalid_port', path: [...path, i, 'port'], port: p.port })
      return
    }
    seen.set(`${p.protocol}/${p.port}`, { port: p.port, protocol: p.protocol })
  })
  return [...seen.values()].sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : a.port - b.port))
}

function parseOptionCidr(text: string | undefined, fallback: string, family: Family, issues: LabIssue[], path: Path): Cidr {
  if (text !== undefined) {
    const c = parseCidr(text)
    if (c !== null && c.family === family) return c
    issues.push({ code: 'invalid_cidr', path, input: text, family })
  }
  const d = parseCidr(fallback)
  if (d === null) throw new Error(`bad default CIDR ${fallback}`)
  return d
}

/**
 * Lays out the lab. Never throws for bad input: invalid or duplicate addresses, ports and pods are skipped
 * and reported in `issues`. Pods are processed in id order, so the result does not depend on input order.
 *
 * - Names: `npl-<h>` for the pod namespace and `nplh<h>` for the veth's host side, h = 10 hex digits of
 *   sha1("namespace/name"), made unique by `uniqueHashes`; the pod's MAC address is 02:<h>.
 * - Addresses: a pod IP inside a pod CIDR gets that CIDR's prefix; one outside keeps a host prefix and every
 *   namespace gets an on-link host route to it. A pod without IPs gets the lowest free address of each
 *   family whose CIDR option was given (IPv4 only when neither was).
 * - Gateways (the bridge's addresses): the first host of each pod CIDR unless taken (see `chooseGateway`),
 *   for each family some pod has an address of.
 * - External addresses are host addresses in the external namespace, which is routed, not bridged: pods reach
 *   them through their gateway (a host route via the gateway, so that one inside a pod CIDR is routed too), the
 *   node through LAB_EXT_VETH, and the external namespace reaches everything through the node (default route
 *   via the gateway, on-link). Traffic between pods and outside hosts thus crosses the node's forward hook as
 *   routed traffic, as traffic leaving a real node does. An external address of a family no pod has is left
 *   out (`external_unreachable`): the node has no gateway of that family.
 */
export function planLab(pods: readonly LabPodInput[], opts: LabOptions = {}): LabPlan {
  const issues: LabIssue[] = []
  const names = labNames(opts.name)
  const cidr4 = parseOptionCidr(opts.podCidr4, DEFAULT_POD_CIDR4, 4, issues, ['podCidr4'])
  const cidr6 = parseOptionCidr(opts.podCidr6, DEFAULT_POD_CIDR6, 6, issues, ['podCidr6'])
  const cidrOf = (f: Family): Cidr => (f === 4 ? cidr4 : cidr6)

  // 1. Pods in id order, duplicates dropped.
  const order = pods.map((p, index) => ({ p, index, id: `${p.namespace}/${p.name}` }))
  order.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index))
  const unique: typeof order = []
  for (const o of order) {
    if (unique.length > 0 && unique[unique.length - 1]!.id === o.id) issues.push({ code: 'duplicate_pod', path: ['pods', o.index], id: o.id })
    else unique.push(o)
  }

  // 2. Explicit addresses: pods first, then external ones; the first holder of an address keeps it.
  const owner = new Map<string, string>() // `${family}:${value}` → holder
  const used: Record<Family, Set<bigint>> = { 4: new Set(), 6: new Set() }
  const claim = (text: string, holder: string, path: Path): { family: Family; value: bigint } | null => {
    const ip = parseIp(text)
    if (ip === null) {
      issues.push({ code: 'invalid_ip', path, input: text })
      return null
    }
    const key = `${ip.family}:${ip.value}`
    const prev = owner.get(key)
    if (prev !== undefined) {
      issues.push({ code: 'duplicate_ip', path, ip: formatIpValue(ip.family, ip.value), usedBy: prev })
      return null
    }
    owner.set(key, holder)
    used[ip.family].add(ip.value)
    return { family: ip.family, value: ip.value }
  }
  const strays: LabRoute[] = []
  const toAddress = (a: { family: Family; value: bigint }, path: Path, outsideIsStray: boolean): LabAddress => {
    const ip = formatIpValue(a.family, a.value)
    const cidr = cidrOf(a.family)
    if (cidrContains(cidr, { family: a.family, value: a.value, text: ip })) return { ip, family: a.family, prefix: cidr.prefix }
    if (outsideIsStray) issues.push({ code: 'ip_outside_pod_cidr', path, ip, cidr: canonicalCidr(cidr) })
    strays.push({ dst: `${ip}/${HOST_BITS[a.family]}`, family: a.family, via: null })
    return { ip, family: a.family, prefix: HOST_BITS[a.family] }
  }

  const podAddrs = unique.map(({ p, index, id }) =>
    p.ips.flatMap((text, j) => {
      const a = claim(text, id, ['pods', index, 'ips', j])
      return a === null ? [] : [toAddress(a, ['pods', index, 'ips', j], true)]
    }),
  )
  const extClaimed = (opts.externalIps ?? []).flatMap((text, j) => {
    const a = claim(text, 'external', ['externalIps', j])
    return a === null ? [] : [{ a, j }]
  })

  // 3. Gateways, then addresses for pods without any.
  const assignFamilies: Family[] =
    opts.podCidr4 === undefined && opts.podCidr6 === undefined ? [4] : ([4, 6] as const).filter((f) => (f === 4 ? opts.podCidr4 : opts.podCidr6) !== undefined)
  const gatewayValue: Record<Family, bigint | null> = { 4: chooseGateway(cidr4, used[4]), 6: chooseGateway(cidr6, used[6]) }
  const reserved: Record<Family, Set<bigint>> = { 4: new Set(), 6: new Set() }
  for (const f of [4, 6] as const) if (gatewayValue[f] !== null) reserved[f].add(gatewayValue[f]!)
  const pools: Record<Family, Pool> = {
    4: { cidr: cidr4, used: used[4], next: hostRange(cidr4).first },
    6: { cidr: cidr6, used: used[6], next: hostRange(cidr6).first },
  }
  unique.forEach(({ p, index }, k) => {
    if (p.ips.length > 0) return
    const addrs = podAddrs[k]!
    for (const f of assignFamilies) {
      const v = take(pools[f], reserved[f])
      if (v === null) issues.push({ code: 'pod_cidr_exhausted', path: ['pods', index], cidr: canonicalCidr(cidrOf(f)) })
      else addrs.push({ ip: formatIpValue(f, v), family: f, prefix: cidrOf(f).prefix })
    }
  })

  const families = new Set<Family>(podAddrs.flat().map((a) => a.family))
  const gateways: LabAddress[] = ([4, 6] as const)
    .filter((f) => families.has(f) && gatewayValue[f] !== null)
    .map((f) => ({ ip: formatIpValue(f, gatewayValue[f]!), family: f, prefix: cidrOf(f).prefix }))
  const gatewayOf = (f: Family) => gateways.find((g) => g.family === f)
  const extAddrs: LabAddress[] = extClaimed.flatMap(({ a, j }) => {
    const ip = formatIpValue(a.family, a.value)
    if (gatewayOf(a.family) === undefined) {
      issues.push({ code: 'external_unreachable', path: ['externalIps', j], ip })
      return []
    }
    return [{ ip, family: a.family, prefix: HOST_BITS[a.family] }]
  })

  // 4. Routes: on-link to the pod CIDRs and to every stray host address; each external address and the default via the gateway.
  const routesFor = (addresses: readonly LabAddress[]): LabRoute[] => {
    const own = new Set(addresses.map((a) => a.ip))
    const fams = new Set(addresses.map((a) => a.family))
    const routes: LabRoute[] = []
    for (const f of [4, 6] as const) {
      if (!fams.has(f)) continue
      const cidrText = canonicalCidr(cidrOf(f))
      // an address with the CIDR's prefix already brings the kernel's prefix route
      const covered = addresses.some((a) => a.family === f && a.prefix === cidrOf(f).prefix && a.prefix < HOST_BITS[f])
      if (!covered) routes.push({ dst: cidrText, family: f, via: null })
      for (const s of strays) if (s.family === f && !own.has(s.dst.slice(0, s.dst.indexOf('/')))) routes.push(s)
      const gw = gatewayOf(f)
      if (gw === undefined) continue
      for (const e of extAddrs) if (e.family === f) routes.push({ dst: `${e.ip}/${e.prefix}`, family: f, via: gw.ip })
      routes.push({ dst: 'default', family: f, via: gw.ip })
    }
    return routes
  }
  /** the external namespace: everything through the node */
  const externalRoutes = (addresses: readonly LabAddress[]): LabRoute[] =>
    ([4, 6] as const).flatMap((f) => {
      const gw = gatewayOf(f)
      return gw !== undefined && addresses.some((a) => a.family === f) ? [{ dst: 'default', family: f, via: gw.ip, onlink: true as const }] : []
    })

  const hashes = uniqueHashes(unique.map((u) => u.id))
  const labPods: LabPod[] = unique.map(({ p, index, id }, k) => {
    const h = hashes.get(id)!
    const addresses = podAddrs[k]!
    return {
      id,
      namespace: p.namespace,
      name: p.name,
      netns: podNetnsName(h, names),
      hostVeth: podHostVethName(h),
      mac: podMac(h),
      addresses,
      ports: parsePortList(p.ports, ['pods', index, 'ports'], issues),
      routes: routesFor(addresses),
      assigned: p.ips.length === 0,
    }
  })
  const external: LabEndpoint | null =
    extAddrs.length === 0
      ? null
      : {
          netns: names.extNetns,
          hostVeth: LAB_EXT_VETH,
          mac: LAB_EXT_MAC,
          addresses: extAddrs,
          ports: parsePortList(opts.externalPorts ?? [], ['externalPorts'], issues),
          routes: externalRoutes(extAddrs),
        }

  const endpoints: { ep: LabEndpoint; label: string }[] = [
    ...labPods.map((p) => ({ ep: p as LabEndpoint, label: p.id })),
    ...(external === null ? [] : [{ ep: external, label: 'external' }]),
  ]
  const hostPods: LabHostPod[] = (opts.hostPods ?? [])
    .map((h, i) => ({ id: `${h.namespace}/${h.name}`, ports: parsePortList(h.ports, ['hostPods', i, 'ports'], issues) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  // their own addresses: the node's, one host address each (the first holder keeps an address, as for pods)
  const nodeAddresses: LabAddress[] = []
  ;(opts.hostPods ?? []).forEach((h, i) =>
    (h.ips ?? []).forEach((text, j) => {
      const ip = parseIp(text)
      if (ip === null || gatewayOf(ip.family) === undefined || gateways.some((g) => parseIp(g.ip)?.value === ip.value && g.family === ip.family)) return
      if (nodeAddresses.some((a) => a.family === ip.family && parseIp(a.ip)!.value === ip.value)) return
      const a = claim(text, 'node', ['hostPods', i, 'ips', j])
      if (a !== null) nodeAddresses.push({ ip: formatIpValue(a.family, a.value), family: a.family, prefix: HOST_BITS[a.family] })
    }),
  )
  // one server for every hostNetwork pod: they share the node's ports, as on a real node (SCTP: not served)
  const hostPorts = parsePortList(hostPods.flatMap((h) => h.ports.filter((p) => p.protocol !== 'SCTP')), ['hostPods'], issues)
  const nodeServer: LabServerSpec[] =
    hostPorts.length === 0 || gateways.length === 0
      ? []
      : [{ netns: names.nodeNetns, banner: 'netpol-lab node\n', addresses: [...gateways, ...nodeAddresses].map((g) => g.ip), tcp: hostPorts.filter((p) => p.protocol === 'TCP').map((p) => p.port), udp: hostPorts.filter((p) => p.protocol === 'UDP').map((p) => p.port) }]
  const servers: LabServerSpec[] = [...nodeServer, ...endpoints
    .filter(({ ep }) => ep.addresses.length > 0 && ep.ports.some((p) => p.protocol !== 'SCTP'))
    .map(({ ep, label }) => ({
      netns: ep.netns,
      banner: `netpol-lab ${label}\n`,
      addresses: ep.addresses.map((a) => a.ip),
      tcp: ep.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port),
      udp: ep.ports.filter((p) => p.protocol === 'UDP').map((p) => p.port),
    }))]
  const sctp: SctpResponderSpec = {
    home: names.nodeNetns,
    namespaces: endpoints
      .filter(({ ep }) => ep.addresses.length > 0)
      .map(({ ep }) => ({
        netns: ep.netns,
        addresses: ep.addresses.map((a) => a.ip),
        ports: ep.ports.filter((p) => p.protocol === 'SCTP').map((p) => p.port),
      })),
  }
  const nodeRoutes = [
    ...strays.filter((s, i) => strays.findIndex((t) => t.dst === s.dst) === i),
    ...extAddrs.map((e): LabRoute => ({ dst: `${e.ip}/${e.prefix}`, family: e.family, via: null, dev: LAB_EXT_VETH })),
  ]

  return {
    name: names.name,
    nodeNetns: names.nodeNetns,
    bridge: LAB_BRIDGE,
    bridgeMac: LAB_BRIDGE_MAC,
    podCidr4: canonicalCidr(cidr4),
    podCidr6: canonicalCidr(cidr6),
    gateways,
    pods: labPods,
    external,
    hostPods,
    ...(nodeAddresses.length > 0 ? { nodeAddresses } : {}),
    nodeRoutes,
    servers,
    sctp,
    issues,
  }
}

/** The namespace and the addresses a probe source stands for: a pod id (namespace/name, hostNetwork too) or an external address. */
export function resolveLabSource(plan: LabPlan, source: string): { netns: string; addresses: readonly string[] } | null {
  const pod = plan.pods.find((p) => p.id === source)
  if (pod !== undefined) return { netns: pod.netns, addresses: pod.addresses.map((a) => a.ip) }
  // a hostNetwork pod's connections are the node's: from the node namespace, from the node's addresses
  if ((plan.hostPods ?? []).some((h) => h.id === source)) return { netns: plan.nodeNetns, addresses: plan.gateways.map((g) => g.ip) }
  const ip = parseIp(source)
  if (ip === null || plan.external === null) return null
  const match = plan.external.addresses.find((a) => a.family === ip.family && parseIp(a.ip)?.value === ip.value)
  return match === undefined ? null : { netns: plan.external.netns, addresses: [match.ip] }
}
