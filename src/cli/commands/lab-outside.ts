/**
 * The outside hosts of `netpol lab`: which addresses `lab up` gives the external namespace (the policies'
 * ipBlocks and --external), and what `lab probe` sends between them and the pods. The pure parts live in
 * src/lab/outside-hosts.ts and src/analysis/lab-outside.ts.
 */
import type { Cluster } from '../../model/cluster.js'
import { parseIp, type Family, type IpAddress } from '../../model/ip.js'
import type { ClusterIndex } from '../../engine/cluster-index.js'
import type { PortProtocol } from '../../analysis/reachability.js'
import { compareOutside, outsideProbeCells, type OutsideComparison, type OutsideMeasurement, type OutsideProbePlan } from '../../analysis/lab-outside.js'
import type { LabOptions, LabPlan, LabPodInput, ProbeTarget } from '../../lab/index.js'
import { planLab } from '../../lab/index.js'
import { describeOutside, outsideHosts, outsideWhyText, policyIpBlocks, type OutsideHost } from '../../lab/outside-hosts.js'
import { UsageError } from '../io.js'

/** `--external` values as addresses; a usage error names the first that is not one. */
export function parseExternals(texts: readonly string[]): IpAddress[] {
  return texts.map((t) => {
    const ip = parseIp(t)
    if (ip === null) throw new UsageError(`--external "${t}": expected an IPv4 or IPv6 address such as 203.0.113.7`)
    return ip
  })
}

/**
 * The lab's plan with its outside hosts: the --external addresses, and unless `fromPolicies` is false, those that
 * prove the policies' ipBlocks (outside-hosts.ts), of the families the lab's pods have. They serve `ports`.
 */
export function planWithOutside(
  cluster: Cluster,
  pods: readonly LabPodInput[],
  opts: LabOptions,
  outside: { readonly given: readonly IpAddress[]; readonly fromPolicies: boolean; readonly ports: readonly PortProtocol[] },
): { plan: LabPlan; hosts: OutsideHost[] } {
  const bare = planLab(pods, opts)
  const families = [...new Set(bare.pods.flatMap((p) => p.addresses.map((a) => a.family)))].sort() as Family[]
  const all = outsideHosts(cluster, { podCidrs: [bare.podCidr4, bare.podCidr6], families, given: outside.given })
  const hosts = outside.fromPolicies ? all : all.filter((h) => h.why.kind === 'given')
  if (hosts.length === 0) return { plan: bare, hosts }
  const plan = planLab(pods, { ...opts, externalIps: hosts.map((h) => h.ip), externalPorts: outside.ports })
  const kept = new Set(plan.external?.addresses.map((a) => a.ip) ?? [])
  return { plan, hosts: hosts.filter((h) => kept.has(h.ip)) }
}

/** `outside hosts (routed through the node): 203.0.113.1 (in 203.0.113.0/24), …; serving 443/TCP`, or nothing. */
export function outsideUpLine(hosts: readonly OutsideHost[], plan: LabPlan): string {
  if (hosts.length === 0 || plan.external === null) return ''
  const ports = plan.external.ports.map((p) => `${p.port}/${p.protocol}`).join(', ')
  return `outside hosts, routed through the node: ${hosts.map((h) => `${h.ip} (${outsideWhyText(h.why)})`).join(', ')}; serving ${ports === '' ? 'no port' : ports}\n`
}

/** What `lab probe` sends to and from the outside hosts of `family`, and how to read the results back. */
export interface OutsideProbes {
  readonly hosts: readonly IpAddress[]
  readonly why: readonly string[]
  readonly cells: OutsideProbePlan
  /** adds the probes to the per-source target lists */
  addTargets(bySource: Map<string, ProbeTarget[]>): void
  /** the cell a probe result belongs to, if it is an outside one */
  measurement(r: { source: string; ip: string; port: number; protocol: string; result: OutsideMeasurement['outcome']; error?: string }): OutsideMeasurement | null
  compare(index: ClusterIndex, measurements: readonly OutsideMeasurement[]): OutsideComparison
}

export function outsideProbes(plan: LabPlan, cluster: Cluster, ports: readonly PortProtocol[], family: Family): OutsideProbes {
  const hosts = (plan.external?.addresses ?? []).filter((a) => a.family === family).map((a) => parseIp(a.ip)!)
  const blocks = policyIpBlocks(cluster)
  const why = hosts.map((h) => outsideWhyText(describeOutside(h, blocks)))
  const cells = outsideProbeCells(cluster.pods, hosts, plan.external?.ports ?? [], ports, family)
  const byKey = new Map<string, (typeof cells.probe)[number]>()
  const key = (source: string, ip: string, port: number, protocol: string) => `${source}\n${ip}\n${port}/${protocol}`
  const podId = (i: number) => `${cluster.pods[i]!.namespace}/${cluster.pods[i]!.name}`
  const ends = (c: (typeof cells.probe)[number]) =>
    c.direction === 'ingress' ? { source: hosts[c.host]!.text, ip: c.podIp } : { source: podId(c.pod), ip: hosts[c.host]!.text }
  return {
    hosts,
    why,
    cells,
    addTargets(bySource) {
      for (const c of cells.probe) {
        const { source, ip } = ends(c)
        const { port, protocol } = ports[c.port]!
        bySource.set(source, [...(bySource.get(source) ?? []), { ip, port, protocol }])
        byKey.set(key(source, ip, port, protocol), c)
      }
    },
    measurement(r) {
      const c = byKey.get(key(r.source, r.ip, r.port, r.protocol))
      if (c === undefined) return null
      return { host: c.host, pod: c.pod, port: c.port, direction: c.direction, outcome: r.result, ...(r.error === undefined ? {} : { error: r.error }) }
    },
    compare: (index, measurements) => compareOutside(index, cluster.pods, hosts, ports, family, measurements),
  }
}
