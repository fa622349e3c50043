/** GET /api/cluster: what the page needs to start (see ClusterSummary in api.ts). Pure. */
import type { ClusterSummary, GraphLevel } from '../api.js'
import { PROTOCOLS, type Protocol } from '../../model/port.js'
import type { Cluster } from '../../model/cluster.js'
import type { Snapshot } from './serve-input.js'

/**
 * Up to this many pods the page opens on "any" port; above it on the most common port. Measured on generated
 * clusters (bench/serve-bench.ts's generator, seed 1), the first graph of a fresh server on "any" against
 * 8080/TCP: 2,000 pods 3.5 s / 0.3 s, 5,000 pods 5.3 s / 0.3 s, 10,000 pods 16 s+ / 3.5 s.
 */
export const ANY_PORT_MAX_PODS = 2000

/** The port the page opens on (ClusterSummary.defaultPort). */
export function defaultPort(c: Cluster): string {
  return c.pods.length <= ANY_PORT_MAX_PODS ? 'any' : (portsByUse(c)[0] ?? 'any')
}

export function clusterSummary(s: Snapshot, source: string, live: boolean, defaultLevel: GraphLevel): ClusterSummary {
  const c = s.cluster
  return {
    version: s.version,
    source,
    live,
    namespaces: [...c.namespaces.values()].map((n) => ({ name: n.name, labels: n.labels })),
    pods: c.pods.length,
    policies: c.policies.map((p) => ({
      namespace: p.namespace,
      name: p.name,
      ...(p.source && p.source.origin?.kind !== 'cluster' ? { file: p.source.file, ...(p.source.line !== undefined ? { line: p.source.line } : {}) } : {}),
    })),
    ports: portsByUse(c),
    defaultLevel,
    defaultPort: defaultPort(c),
    notes: s.notes,
  }
}

/**
 * The ports a pod serves or a policy names, as "PORT/PROTOCOL", most common first: counted once per pod that
 * serves it and once per policy that names it (the first port of a range); ties by protocol, then number.
 */
export function portsByUse(c: Cluster): string[] {
  const count = new Map<string, { port: number; protocol: Protocol; n: number }>()
  const addAll = (ports: Iterable<{ port: number; protocol: Protocol }>) => {
    const once = new Map([...ports].map((p) => [`${p.port}/${p.protocol}`, p]))
    for (const [key, p] of once) {
      const e = count.get(key)
      if (e) e.n++
      else count.set(key, { port: p.port, protocol: p.protocol, n: 1 })
    }
  }
  for (const pod of c.pods) addAll(pod.ports)
  for (const policy of c.policies) {
    const named: { port: number; protocol: Protocol }[] = []
    for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
      if (rule.ports === 'any') continue
      for (const spec of rule.ports) if (spec.port.kind === 'range') named.push({ port: spec.port.from, protocol: spec.protocol })
    }
    addAll(named)
  }
  return [...count.entries()].sort(([, a], [, b]) => b.n - a.n || PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || a.port - b.port).map(([k]) => k)
}
