/**
 * Observed traffic for the flow benchmarks: Hubble lines of connections in the generated cluster whose verdicts
 * follow the cluster's policies, as Cilium enforcing them would report. Each connection is decided with the
 * engine: allowed → FORWARDED events, denied → a DROPPED event with Hubble's policy-denied reason at the side
 * that denies it (the source's egress, else the destination's ingress), naming the first isolating policy.
 *
 * The traffic has the shape of a real cluster's: each workload talks to a few partner workloads that the policies
 * let it reach (found by asking the engine about the workloads of its namespace, then random ones), on the port
 * it found open (a workload that finds none only serves); every pod asks CoreDNS; a few clients outside the
 * cluster reach pods; a few connections go to random pods (most of them denied, as scans and misconfigured
 * clients are). Shares of the connections: 25% DNS (UDP 53), 3% from outside, 3% to a random pod on a served TCP
 * port, 69% to a partner workload. The capture begins mid-connection: of its first `lines / 400` connections
 * (about 1% of them) only the replies are written.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import type { Cluster, Pod } from '../src/model/cluster.js'
import { parseIp } from '../src/model/ip.js'
import { indexCluster } from '../src/engine/cluster-index.js'
import { evaluateFlow } from '../src/engine/evaluate.js'
import { podEndpoint } from '../src/engine/endpoint.js'
import type { Endpoint, Verdict } from '../src/engine/verdict.js'
import { mulberry32, type KubeObject, type PodJson } from './generate-cluster.js'
import { hubbleLines, type Connection, type End } from './flow-lines.js'

/** Partner workloads each workload talks to (at most), and how many random destinations it tries to find them. */
const PARTNERS = 4
const TRIES = 40

interface PodEnd {
  readonly end: End
  readonly model: Pod
  readonly ports: readonly { port: number; protocol: string }[]
  readonly workload: string
}

export interface TrafficStats {
  connections: number
  denied: number
  /** how often each policy rule allowed a generated connection: `ns/name\tdirection\trule` → count */
  readonly hits: Map<string, number>
  engineCalls: number
  /** workloads that found no partner the policies let them reach (they only ask DNS and try random pods) */
  alone: number
  workloads: number
}

/**
 * Writes `lines` Hubble lines (`hubble observe -o jsonpb`) of traffic in `cluster` (its objects, as generated,
 * and the same cluster as netpol reads it) to `file`. Deterministic for a seed.
 */
export function writeObservedTraffic(objects: readonly KubeObject[], cluster: Cluster, file: string, lines: number, seed: number): TrafficStats {
  const index = indexCluster(cluster)
  const models = new Map(cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]))
  const pods: PodEnd[] = objects
    .filter((x): x is PodJson => x.kind === 'Pod')
    .map((p) => {
      const m = p.metadata
      const parts = m.name.split('-')
      const workload = parts.length > 2 ? { name: parts.slice(0, -2).join('-'), kind: 'Deployment' } : undefined
      return {
        end: { ip: p.status.podIP, pod: { namespace: m.namespace!, name: m.name, labels: m.labels ?? {}, node: p.spec.nodeName, enforced: true, ...(workload ? { workload } : {}) } },
        model: models.get(`${m.namespace}/${m.name}`)!,
        ports: p.spec.containers.flatMap((c) => c.ports.map((q) => ({ port: q.containerPort, protocol: q.protocol }))),
        workload: `${m.namespace}/${workload?.name ?? m.name}`,
      }
    })
  const byWorkload = new Map<string, PodEnd[]>()
  for (const p of pods) byWorkload.set(p.workload, [...(byWorkload.get(p.workload) ?? []), p])
  const dns = pods.filter((e) => e.end.pod!.labels['k8s-app'] === 'kube-dns')
  const rnd = mulberry32(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const stats: TrafficStats = { connections: 0, denied: 0, hits: new Map(), engineCalls: 0, alone: 0, workloads: byWorkload.size }

  const decided = new Map<string, Verdict>()
  const decide = (from: PodEnd | string, to: PodEnd, port: number, protocol: 'TCP' | 'UDP'): Verdict => {
    const key = `${typeof from === 'string' ? from : from.end.ip}>${to.end.ip}/${protocol}/${port}`
    let v = decided.get(key)
    if (v === undefined) {
      const fromEnd: Endpoint = typeof from === 'string' ? { kind: 'ip', ip: parseIp(from)! } : podEndpoint(from.model, 4)
      v = evaluateFlow(index, { from: fromEnd, to: podEndpoint(to.model, 4), port, protocol })
      stats.engineCalls++
      decided.set(key, v)
    }
    return v
  }
  const tcpPort = (p: PodEnd) => {
    const tcp = p.ports.filter((x) => x.protocol === 'TCP')
    return tcp.length > 0 ? pick(tcp).port : 8080
  }

  // each workload's partners: destinations (workload, port) the policies let its first pod reach, tried in its
  // own namespace first (where most allowed traffic is), then at random in the cluster
  const partners = new Map<string, { workload: string; port: number }[]>()
  const workloadNames = [...byWorkload.keys()]
  for (const [name, members] of byWorkload) {
    const found: { workload: string; port: number }[] = []
    const ns = name.slice(0, name.indexOf('/') + 1)
    const local = workloadNames.filter((w) => w.startsWith(ns) && w !== name)
    const candidates = [...local, ...Array.from({ length: TRIES }, () => pick(workloadNames))]
    for (const w of candidates) {
      if (found.length === PARTNERS) break
      const to = pick(byWorkload.get(w)!)
      if (to.workload === name || to.end.pod!.labels['k8s-app'] === 'kube-dns' || found.some((f) => f.workload === w)) continue
      const port = tcpPort(to)
      if (decide(members[0]!, to, port, 'TCP').allowed) found.push({ workload: to.workload, port })
    }
    partners.set(name, found)
    if (found.length === 0) stats.alone++
  }
  // the pods of workloads with partners: the sources of partner traffic (a workload with none only serves)
  const talkers = pods.filter((p) => partners.get(p.workload)!.length > 0)

  const fd = openSync(file, 'w')
  let buf: string[] = []
  let size = 0
  let written = 0
  let t = Date.UTC(2026, 11, 7, 9, 0, 0)
  while (written < lines) {
    const r = rnd()
    let from = pick(pods)
    t += 1 + Math.floor(rnd() * 3)
    const sourcePort = 32768 + Math.floor(rnd() * 28000)
    let to: PodEnd
    let port: number
    let protocol: 'TCP' | 'UDP' = 'TCP'
    let outside: string | undefined
    if (r < 0.25) {
      to = pick(dns)
      port = 53
      protocol = 'UDP'
    } else if (r < 0.28) {
      to = pick(pods)
      port = to.ports[0]?.port ?? 8080
      outside = `198.51.100.${1 + Math.floor(rnd() * 250)}`
    } else if (r < 0.31) {
      to = pick(pods)
      port = tcpPort(to)
    } else {
      from = pick(talkers)
      const p = pick(partners.get(from.workload)!)
      to = pick(byWorkload.get(p.workload)!)
      port = p.port
    }
    const v = decide(outside ?? from, to, port, protocol)
    stats.connections++
    let denied: Pick<Connection, 'deniedAt' | 'deniedBy'> = {}
    if (!v.allowed) {
      stats.denied++
      const side = v.egress.kind === 'denied' ? v.egress : v.ingress
      const by = side.kind === 'denied' ? side.isolatedBy[0] : undefined
      denied = { deniedAt: v.egress.kind === 'denied' ? 'egress' : 'ingress', ...(by ? { deniedBy: `${by.namespace}/${by.name}` } : {}) }
    } else {
      for (const s of [v.egress, v.ingress]) {
        if (s.kind !== 'allowed') continue
        for (const h of s.allowedBy) {
          const k = `${h.policy.namespace}/${h.policy.name}\t${h.direction}\t${h.rule}`
          stats.hits.set(k, (stats.hits.get(k) ?? 0) + 1)
        }
      }
    }
    const c: Connection = { from: outside !== undefined ? { ip: outside } : from.end, to: to.end, protocol, port, sourcePort, time: t, ...denied }
    // the capture begins mid-connection: of the connections it first sees, only the replies
    const events = stats.connections <= lines / 400 ? hubbleLines(c).filter((l) => l.includes('"is_reply":true')) : hubbleLines(c)
    for (const l of events) {
      if (written === lines) break
      buf.push(l)
      size += l.length + 1
      written++
    }
    if (size > 4 << 20) {
      writeSync(fd, `${buf.join('\n')}\n`)
      buf = []
      size = 0
    }
  }
  if (buf.length > 0) writeSync(fd, `${buf.join('\n')}\n`)
  closeSync(fd)
  return stats
}
