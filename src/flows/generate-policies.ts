/**
 * Observed connections → least-privilege NetworkPolicies: one ingress policy per destination workload listing
 * the sources and ports it was seen to accept, one egress policy per source workload listing where it was seen
 * to connect, a default-deny baseline per namespace, each rule with the observed flows that justify it. Pure:
 * the policies are the manifests to write (plain objects), with their comments beside them.
 *
 * Widenings, each documented where it happens: a rule selects a whole workload by its stable labels (not the
 * pods seen); ports seen on one peer are merged into an `endPort` range only when contiguous; external addresses
 * are merged into wider CIDRs only under `mergeCidrs`; a workload behind a LoadBalancer or NodePort Service is
 * opened to any address on the ports that Service serves. Ports are always written as numbers: a named port
 * resolves on each destination pod to whatever its container calls that name, and the number is what was seen.
 *
 * Observed `allowed`, `audited` (a policy in audit mode would have dropped it, but it happened) and `unknown`
 * connections are traffic the workloads make: they get rules. `denied` ones never do.
 */
import type { Cluster, Pod, Service } from '../model/cluster.js'
import { formatIpValue, type Family, type IpAddress } from '../model/ip.js'
import { selectorMatches } from '../model/label-selector.js'
import type { Labels } from '../model/labels.js'
import type { Protocol } from '../model/port.js'
import { mergePorts, type PortEntry } from './merge-ports.js'
import type { ObservedConnection } from './observed.js'
import { selectWorkload, toSelector, workloadKey, workloadOf, type WorkloadId, type WorkloadSelection } from './workload-selector.js'

export interface GenerateOptions {
  /** a default-deny policy (both directions) per namespace that gets policies; default true */
  readonly baseline?: boolean
  /** merge external IPv4 addresses into CIDRs of this prefix length (IPv6: this plus 96); absent: /32 and /128 */
  readonly mergeCidrs?: number
}

type Direction = 'ingress' | 'egress'

/** A NetworkPolicy as written (networking.k8s.io/v1), with the comments the YAML shows. */
export interface GeneratedPolicy {
  readonly namespace: string
  readonly name: string
  readonly manifest: PolicyManifest
  /** above the document: what the policy protects and how it selects */
  readonly comment: string
  /** one per rule of `spec.ingress` / `spec.egress`: the observed flows that justify it */
  readonly ruleComments: { readonly ingress: readonly string[]; readonly egress: readonly string[] }
}

export interface PolicyManifest {
  readonly apiVersion: 'networking.k8s.io/v1'
  readonly kind: 'NetworkPolicy'
  readonly metadata: { readonly name: string; readonly namespace: string }
  readonly spec: {
    readonly podSelector: { readonly matchLabels?: Labels }
    readonly policyTypes: readonly ('Ingress' | 'Egress')[]
    readonly ingress?: readonly ManifestRule[]
    readonly egress?: readonly ManifestRule[]
  }
}
export type ManifestPeer =
  | { readonly podSelector: { readonly matchLabels?: Labels }; readonly namespaceSelector?: { readonly matchLabels?: Labels } }
  | { readonly ipBlock: { readonly cidr: string; readonly except?: readonly string[] } }
export interface ManifestRule {
  readonly from?: readonly ManifestPeer[]
  readonly to?: readonly ManifestPeer[]
  readonly ports: readonly PortEntry[]
}

/** Why an observed connection got no rule. */
export type SkipReason = 'denied' | 'node' | 'host-network' | 'unresolved' | 'self' | 'not-a-pod'

export interface GenerateResult {
  /** by namespace, the baseline first, then by name */
  readonly policies: readonly GeneratedPolicy[]
  /** the connections the policies allow on purpose: every one must be ALLOWED (see verify) */
  readonly allowed: readonly ObservedConnection[]
  readonly skipped: readonly { readonly connection: ObservedConnection; readonly why: SkipReason; readonly detail?: string }[]
  /** selections that are not exact, DNS servers left open, and other things the user should know */
  readonly notes: readonly string[]
}

export const BASELINE_NAME = 'default-deny'
const NAME_LABEL = 'kubernetes.io/metadata.name'

interface Flows {
  count: number
  first?: number
  last?: number
}
interface PeerAcc {
  readonly sortKey: string
  readonly peer: ManifestPeer | 'external'
  readonly ip?: IpAddress
  readonly describe: string
  /** `PROTO/port` → flows */
  readonly flows: Map<string, Flows>
}
interface SideAcc {
  readonly workload: WorkloadId
  readonly direction: Direction
  readonly peers: Map<string, PeerAcc>
  /** LoadBalancer/NodePort: the from-anywhere ports and the Services that serve them */
  anywhere?: { ports: Map<string, Flows>; services: string[] }
  /** the DNS servers, when their namespace gets policies: every pod may ask them, on the ports they serve */
  dnsServer?: { ports: Set<string>; service: string }
}

export function generatePolicies(cluster: Cluster, connections: readonly ObservedConnection[], opts: GenerateOptions = {}): GenerateResult {
  const ctx = new Context(cluster)
  const sides = new Map<string, SideAcc>()
  const side = (w: WorkloadId, direction: Direction): SideAcc => {
    const key = `${workloadKey(w)}\u0000${direction}`
    let s = sides.get(key)
    if (!s) sides.set(key, (s = { workload: w, direction, peers: new Map() }))
    return s
  }
  const allowed: ObservedConnection[] = []
  const skipped: GenerateResult['skipped'][number][] = []
  const skip = (connection: ObservedConnection, why: SkipReason, detail?: string) => skipped.push(detail === undefined ? { connection, why } : { connection, why, detail })

  for (const c of connections) {
    if (c.verdict === 'denied') {
      skip(c, 'denied')
      continue
    }
    const { from, to } = c
    if (from.kind === 'unresolved' || to.kind === 'unresolved') {
      skip(c, 'unresolved', from.kind === 'unresolved' ? from.why : (to as { why: string }).why)
      continue
    }
    if (from.kind === 'node' || to.kind === 'node') {
      skip(c, 'node')
      continue
    }
    const hostNet = [from, to].find((e) => e.kind === 'pod' && e.pod.hostNetwork)
    if (hostNet) {
      skip(c, 'host-network', hostNet.kind === 'pod' ? `${hostNet.pod.namespace}/${hostNet.pod.name}` : undefined)
      continue
    }
    if (from.kind === 'external' && to.kind === 'external') {
      skip(c, 'not-a-pod')
      continue
    }
    if (from.kind === 'pod' && to.kind === 'pod' && from.pod === to.pod && !isSeveral(from.pod)) {
      // "a pod can always reach itself": loopback is never filtered
      skip(c, 'self')
      continue
    }
    const key = `${c.protocol}/${c.port}`
    if (from.kind === 'pod') {
      const w = workloadOf(from.pod)
      const peer = to.kind === 'pod' ? ctx.podPeer(to.pod, w.namespace, 'egress') : ctx.ipPeer(to.ip)
      addFlows(side(w, 'egress'), peer, key, c)
    }
    if (to.kind === 'pod') {
      const w = workloadOf(to.pod)
      if (ctx.isDnsServer(to.pod)) {
        // the DNS servers keep answering every pod: an allow-list of the clients seen would break every new one
      } else {
        const s = side(w, 'ingress')
        const anywhere = from.kind === 'external' ? ctx.internetPorts(w) : undefined
        if (anywhere?.ports.has(key)) {
          s.anywhere ??= { ports: new Map([...anywhere.ports].map((k) => [k, { count: 0 }])), services: anywhere.services }
          addTo(s.anywhere.ports, key, c)
        } else addFlows(s, from.kind === 'pod' ? ctx.podPeer(from.pod, w.namespace, 'ingress') : ctx.ipPeer(from.ip), key, c)
      }
    }
    allowed.push(c)
  }

  // namespaces that get policies, and the Internet-facing workloads in them (open even when nothing was seen)
  const namespaces = new Set([...sides.values()].map((s) => s.workload.namespace))
  for (const info of ctx.internetFacing()) {
    if (!namespaces.has(info.w.namespace) || info.ports.size === 0) continue
    const s = side(info.w, 'ingress')
    s.anywhere ??= { ports: new Map([...info.ports].map((k) => [k, { count: 0 }])), services: info.services }
  }

  // a baseline in the DNS servers' namespace would isolate them: every pod keeps asking them
  if (ctx.dns && namespaces.has(ctx.dns.namespace)) {
    const d = ctx.dns
    for (const pod of servicePods(cluster, d)) {
      if (pod.hostNetwork) continue
      const s = side(workloadOf(pod), 'ingress')
      s.dnsServer ??= { ports: new Set(), service: `${d.namespace}/${d.name}` }
      for (const port of servedPorts(d, pod)) s.dnsServer.ports.add(port)
    }
  }

  const notes = [...ctx.notes]
  if (ctx.dns && connections.some((c) => c.to.kind === 'pod' && ctx.isDnsServer(c.to.pod) && c.verdict !== 'denied')) {
    notes.push(`DNS: the egress rules name the pods of Service ${ctx.dns.namespace}/${ctx.dns.name} by its spec.selector; the DNS servers get no allow-list of clients (they answer every pod)`)
  }
  const policies: GeneratedPolicy[] = []
  const names = new Map<string, Set<string>>()
  const nameIn = (ns: string, rawBase: string, w: WorkloadId): string => {
    const base = policyName(rawBase)
    let used = names.get(ns)
    if (!used) names.set(ns, (used = new Set([BASELINE_NAME])))
    let name = base
    if (used.has(name)) name = policyName(`${w.name}-${w.kind.toLowerCase()}-${rawBase.slice(w.name.length + 1)}`)
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`
    used.add(name)
    return name
  }
  const ordered = [...sides.values()].sort((a, b) => cmp(workloadKey(a.workload), workloadKey(b.workload)) || cmp(a.direction, b.direction))
  for (const s of ordered) policies.push(buildPolicy(ctx, s, nameIn(s.workload.namespace, `${s.workload.name}-${s.direction}`, s.workload), opts))
  if (opts.baseline !== false) for (const ns of namespaces) policies.push(baseline(ns))
  const existing = new Set(cluster.policies.map((p) => `${p.namespace}/${p.name}`))
  for (const p of policies) if (existing.has(`${p.namespace}/${p.name}`)) notes.push(`${p.namespace}/${p.name} replaces the existing policy of that name (as kubectl apply would)`)
  policies.sort((a, b) => cmp(a.namespace, b.namespace) || (a.name === BASELINE_NAME ? -1 : b.name === BASELINE_NAME ? 1 : cmp(a.name, b.name)))
  return { policies, allowed, skipped, notes }
}

/**
 * A workload's name is a valid policy name; a name taken from a label value (pods without a workload) may hold
 * upper case and `_`, which a policy name (a DNS subdomain) may not.
 */
function policyName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 253) || 'pods'
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const isSeveral = (p: Pod) => p.template !== undefined && p.template.replicas !== undefined && p.template.replicas !== 1

function addTo(map: Map<string, Flows>, key: string, c: ObservedConnection): void {
  let f = map.get(key)
  if (!f) map.set(key, (f = { count: 0 }))
  f.count += c.count
  if (c.firstSeen !== undefined) f.first = f.first === undefined ? c.firstSeen : Math.min(f.first, c.firstSeen)
  if (c.lastSeen !== undefined) f.last = f.last === undefined ? c.lastSeen : Math.max(f.last, c.lastSeen)
}

function addFlows(s: SideAcc, peer: Omit<PeerAcc, 'flows'>, key: string, c: ObservedConnection): void {
  let p = s.peers.get(peer.sortKey)
  if (!p) s.peers.set(peer.sortKey, (p = { ...peer, flows: new Map() }))
  addTo(p.flows, key, c)
}

interface InternetFacing {
  readonly w: WorkloadId
  /** `PROTO/port` on the pods */
  readonly ports: Set<string>
  readonly services: string[]
}

/** What one generation needs to know about the cluster, computed once. */
class Context {
  readonly notes: string[] = []
  readonly dns: Service | undefined
  private readonly dnsPods: ReadonlySet<Pod>
  private readonly byWorkload = new Map<string, Pod[]>()
  private readonly selections = new Map<string, WorkloadSelection>()
  private internet?: Map<string, InternetFacing>

  constructor(readonly cluster: Cluster) {
    for (const p of cluster.pods) {
      const k = workloadKey(workloadOf(p))
      const list = this.byWorkload.get(k)
      if (list) list.push(p)
      else this.byWorkload.set(k, [p])
    }
    this.dns = findDnsService(cluster)
    this.dnsPods = new Set(this.dns ? servicePods(cluster, this.dns) : [])
  }

  isDnsServer(p: Pod): boolean {
    return this.dnsPods.has(p)
  }

  selection(w: WorkloadId): WorkloadSelection {
    const k = workloadKey(w)
    let s = this.selections.get(k)
    if (!s) {
      this.selections.set(k, (s = selectWorkload(this.cluster, this.byWorkload.get(k)!)))
      if (s.note) this.notes.push(`${w.namespace}/${w.name} (${w.kind}): ${s.note}`)
    }
    return s
  }

  /** The peer that stands for `pod` in a policy of `policyNs`: its workload by stable labels, or the DNS Service's pods. */
  podPeer(pod: Pod, policyNs: string, direction: Direction): Omit<PeerAcc, 'flows'> {
    const nsSel = pod.namespace === policyNs ? {} : { namespaceSelector: { matchLabels: { [NAME_LABEL]: pod.namespace } } }
    if (direction === 'egress' && this.dns && this.dnsPods.has(pod)) {
      const d = this.dns
      return { sortKey: `0dns\u0000${d.namespace}/${d.name}`, peer: { ...nsSel, podSelector: { matchLabels: d.selector! } }, describe: `DNS: the pods of Service ${d.namespace}/${d.name} (its spec.selector)` }
    }
    const w = workloadOf(pod)
    const sel = this.selection(w)
    const labels = Object.keys(sel.matchLabels).length > 0 ? { matchLabels: sel.matchLabels } : {}
    return { sortKey: `1pod\u0000${workloadKey(w)}`, peer: { ...nsSel, podSelector: labels }, describe: describeWorkload(w) }
  }

  ipPeer(ip: IpAddress): Omit<PeerAcc, 'flows'> {
    return { sortKey: `2ip\u0000${ip.family}\u0000${ip.value.toString(16).padStart(32, '0')}`, peer: 'external', ip, describe: ip.text }
  }

  /** Workloads selected by a LoadBalancer or NodePort Service, with the pod ports those Services serve. */
  internetFacing(): readonly InternetFacing[] {
    if (!this.internet) {
      this.internet = new Map()
      for (const svc of this.cluster.services) {
        if (svc.type === undefined) continue
        for (const pod of servicePods(this.cluster, svc)) {
          if (pod.hostNetwork) continue
          const w = workloadOf(pod)
          const k = workloadKey(w)
          let e = this.internet.get(k)
          if (!e) this.internet.set(k, (e = { w, ports: new Set(), services: [] }))
          const name = `${svc.namespace}/${svc.name} (${svc.type})`
          if (!e.services.includes(name)) e.services.push(name)
          for (const port of servedPorts(svc, pod)) e.ports.add(port)
        }
      }
    }
    return [...this.internet.values()]
  }

  internetPorts(w: WorkloadId): InternetFacing | undefined {
    this.internetFacing()
    return this.internet!.get(workloadKey(w))
  }

  /** the address families the pods use: 4 when none has an address */
  families(): Family[] {
    const fams = new Set<Family>()
    for (const p of this.cluster.pods) for (const ip of p.ips) fams.add(ip.family)
    return fams.size === 0 ? [4] : ([4, 6] as Family[]).filter((f) => fams.has(f))
  }
}

/**
 * The cluster's DNS Service: kube-dns or coredns in kube-system, else any Service with a selector whose port 53
 * (UDP or TCP) is served by pods. Its `spec.selector` names the DNS pods; its own labels say nothing about them.
 */
export function findDnsService(cluster: Cluster): Service | undefined {
  const named = cluster.services.find((s) => s.namespace === 'kube-system' && (s.name === 'kube-dns' || s.name === 'coredns') && s.selector !== null)
  if (named) return named
  return cluster.services.find((s) => s.selector !== null && s.ports.some((p) => p.port === 53) && servicePods(cluster, s).length > 0)
}

/** The pods a Service's spec.selector selects in its namespace. */
export function servicePods(cluster: Cluster, svc: Service): Pod[] {
  if (svc.selector === null) return []
  const sel = toSelector(svc.selector)
  return cluster.pods.filter((p) => p.namespace === svc.namespace && selectorMatches(sel, p.labels))
}

/** `PROTO/port` on `pod` for each port of `svc`: a named targetPort is the number the pod's container gives that name. */
function servedPorts(svc: Service, pod: Pod): string[] {
  const out: string[] = []
  for (const sp of svc.ports) {
    const port = typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === sp.protocol)?.port
    if (port !== undefined) out.push(`${sp.protocol}/${port}`)
  }
  return out
}

function describeWorkload(w: WorkloadId): string {
  if (w.kind === 'Pod') return w.labels === undefined ? `${w.namespace}/${w.name}` : `${w.namespace}/${w.name} (pods {${w.labels}})`
  return `${w.namespace}/${w.name} (${w.kind})`
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

/** `12 connections, first 2026-12-01T10:00:00Z, last 2026-12-01T11:00:00Z` */
export function flowsText(f: Flows): string {
  const n = `${f.count} connection${f.count === 1 ? '' : 's'}`
  if (f.first === undefined || f.last === undefined) return n
  return f.first === f.last ? `${n}, seen ${time(f.first)}` : `${n}, first ${time(f.first)}, last ${time(f.last)}`
}

function portsOf(flows: ReadonlyMap<string, Flows>): PortEntry[] {
  const byProto = new Map<Protocol, number[]>()
  for (const k of flows.keys()) {
    const [proto, port] = k.split('/') as [Protocol, string]
    const list = byProto.get(proto) ?? []
    list.push(Number(port))
    byProto.set(proto, list)
  }
  return mergePorts(byProto)
}

function flowLines(flows: ReadonlyMap<string, Flows>, who: string): string[] {
  return [...flows].sort(([a], [b]) => portOrder(a, b)).map(([k, f]) => `  ${who}${k}: ${flowsText(f)}`)
}
function portOrder(a: string, b: string): number {
  const [pa, na] = a.split('/')
  const [pb, nb] = b.split('/')
  return cmp(pa!, pb!) || Number(na) - Number(nb)
}

function buildPolicy(ctx: Context, s: SideAcc, name: string, opts: GenerateOptions): GeneratedPolicy {
  const w = s.workload
  const sel = ctx.selection(w)
  const rules: ManifestRule[] = []
  const comments: string[] = []
  const field = s.direction === 'ingress' ? 'from' : 'to'
  const verb = s.direction === 'ingress' ? 'from' : 'to'
  if (s.dnsServer && s.dnsServer.ports.size > 0) {
    rules.push({ [field]: [{ namespaceSelector: {}, podSelector: {} } as ManifestPeer], ports: portsOf(new Map([...s.dnsServer.ports].map((k) => [k, { count: 0 }]))) })
    comments.push(`from every pod: the DNS servers of Service ${s.dnsServer.service} answer every pod, on the ports the Service serves (not only the clients observed)`)
  }
  if (s.anywhere) {
    const fams = ctx.families()
    const peers: ManifestPeer[] = fams.map((f) => ({ ipBlock: { cidr: f === 4 ? '0.0.0.0/0' : '::/0' } }))
    rules.push({ [field]: peers, ports: portsOf(s.anywhere.ports) })
    const seen = [...s.anywhere.ports].filter(([, f]) => f.count > 0)
    comments.push(
      [`from anywhere: served to the Internet by ${s.anywhere.services.join(', ')}; open to every address on the ports it serves, observed or not`, ...flowLines(new Map(seen), 'observed from outside on ')].join('\n'),
    )
  }
  const pods = [...s.peers.values()].filter((p) => p.peer !== 'external').sort((a, b) => cmp(a.sortKey, b.sortKey))
  for (const p of pods) {
    rules.push({ [field]: [p.peer as ManifestPeer], ports: portsOf(p.flows) })
    comments.push([`${verb} ${p.describe}: observed`, ...flowLines(p.flows, '')].join('\n'))
  }
  const external = [...s.peers.values()].filter((p) => p.peer === 'external').sort((a, b) => cmp(a.sortKey, b.sortKey))
  for (const g of groupExternal(external, ctx, opts.mergeCidrs)) {
    rules.push({ [field]: [{ ipBlock: g.except.length > 0 ? { cidr: g.cidr, except: g.except } : { cidr: g.cidr } }], ports: portsOf(g.flows) })
    const head = g.members.length === 1 && g.cidr.endsWith(g.members[0]!.ip!.family === 4 ? '/32' : '/128') ? `${verb} ${g.members[0]!.describe}` : `${verb} ${g.cidr} (merged under --merge-cidrs: ${g.members.map((m) => m.describe).join(', ')})`
    comments.push([`${head}: observed`, ...g.members.flatMap((m) => flowLines(m.flows, g.members.length > 1 ? `${m.describe} ` : ''))].join('\n'))
  }
  const labels = Object.keys(sel.matchLabels).length > 0 ? { matchLabels: sel.matchLabels } : {}
  const type = s.direction === 'ingress' ? 'Ingress' : 'Egress'
  const manifest: PolicyManifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: w.namespace },
    spec: { podSelector: labels, policyTypes: [type], [s.direction]: rules },
  }
  const subject = s.direction === 'ingress' ? `who may connect to ${describeWorkload(w)}` : `where ${describeWorkload(w)} may connect to`
  const selection = sel.exact ? 'selected by its stable labels (every pod of it, no other pod)' : `selected by its stable labels; ${sel.note}`
  return {
    namespace: w.namespace,
    name,
    manifest,
    comment: `${s.direction === 'ingress' ? 'Ingress' : 'Egress'}: ${subject}, as observed; ${selection}`,
    ruleComments: { ingress: s.direction === 'ingress' ? comments : [], egress: s.direction === 'egress' ? comments : [] },
  }
}

function baseline(namespace: string): GeneratedPolicy {
  return {
    namespace,
    name: BASELINE_NAME,
    manifest: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: BASELINE_NAME, namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    comment: `Baseline for ${namespace}: every pod is isolated in both directions; only what the policies below allow (what was observed) gets through`,
    ruleComments: { ingress: [], egress: [] },
  }
}

interface ExternalGroup {
  readonly cidr: string
  readonly except: readonly string[]
  readonly members: readonly PeerAcc[]
  readonly flows: Map<string, Flows>
}

/**
 * External addresses → ipBlocks: each address alone (/32, /128), or under `mergeCidrs` the addresses with the
 * same observed ports grouped by their network of that length, less the pod addresses' ranges inside it.
 */
function groupExternal(peers: readonly PeerAcc[], ctx: Context, mergeCidrs: number | undefined): ExternalGroup[] {
  const single = (p: PeerAcc): ExternalGroup => ({ cidr: `${p.ip!.text}/${p.ip!.family === 4 ? 32 : 128}`, except: [], members: [p], flows: p.flows })
  if (mergeCidrs === undefined) return peers.map(single)
  const groups = new Map<string, PeerAcc[]>()
  for (const p of peers) {
    const prefix = p.ip!.family === 4 ? mergeCidrs : Math.min(128, mergeCidrs + 96)
    const key = `${networkText(p.ip!, prefix)}\u0000${[...p.flows.keys()].sort().join(',')}`
    const list = groups.get(key) ?? []
    list.push(p)
    groups.set(key, list)
  }
  const out: ExternalGroup[] = []
  for (const [key, members] of groups) {
    const cidr = key.split('\u0000')[0]!
    if (members.length === 1) {
      out.push(single(members[0]!))
      continue
    }
    const except = clusterExcept(ctx.cluster, cidr, members.map((m) => m.ip!))
    if (except === null) {
      out.push(...members.map(single))
      continue
    }
    const flows = new Map<string, Flows>()
    for (const m of members) for (const [k, f] of m.flows) {
      const t = flows.get(k) ?? { count: 0 }
      t.count += f.count
      if (f.first !== undefined) t.first = t.first === undefined ? f.first : Math.min(t.first, f.first)
      if (f.last !== undefined) t.last = t.last === undefined ? f.last : Math.max(t.last, f.last)
      flows.set(k, t)
    }
    out.push({ cidr, except, members, flows })
  }
  return out
}

const BITS = { 4: 32, 6: 128 } as const

function networkText(ip: IpAddress, prefix: number): string {
  const bits = BITS[ip.family]
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix)
  return `${formatIpValue(ip.family, ip.value & mask)}/${prefix}`
}

/**
 * The cluster's ranges inside `cidr`, as `except`: the pod addresses' /24 (IPv4) or /64 (IPv6) networks; the pod
 * addresses themselves (/32, /128) where such a network holds one of the `observed` outside addresses, or where
 * `cidr` is no wider than it. Null when an except could not be strictly inside `cidr`.
 */
export function clusterExcept(cluster: Cluster, cidr: string, observed: readonly IpAddress[] = []): string[] | null {
  const [net, len] = cidr.split('/') as [string, string]
  const prefix = Number(len)
  const family: Family = net.includes(':') ? 6 : 4
  const rangePrefix = family === 4 ? 24 : 64
  const inside = new Set<string>()
  for (const p of cluster.pods) {
    for (const ip of p.ips) {
      if (ip.family !== family || networkText(ip, prefix) !== cidr) continue
      const range = networkText(ip, rangePrefix)
      const shared = observed.some((o) => o.family === family && networkText(o, rangePrefix) === range)
      if (prefix < rangePrefix && !shared) inside.add(range)
      else if (prefix === BITS[family]) return null
      else inside.add(`${ip.text}/${BITS[family]}`)
    }
  }
  return [...inside].sort()
}
