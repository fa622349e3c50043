import type { Cluster } from '../model/cluster.js'
import { PROTOCOLS, type Protocol } from '../model/port.js'
import type { PortProtocol } from './reachability.js'

/**
 * The ports a matrix shows when the user names none: every port a pod declares and every numeric port a
 * policy or a cluster policy names (the first port of a range), sorted by protocol then number.
 */
export function matrixPorts(cluster: Cluster): PortProtocol[] {
  const seen = new Set<string>()
  const out: PortProtocol[] = []
  const add = (port: number, protocol: Protocol) => {
    const key = `${port}/${protocol}`
    if (seen.has(key)) return
    seen.add(key)
    out.push({ port, protocol })
  }
  for (const pod of cluster.pods) for (const p of pod.ports) add(p.port, p.protocol)
  for (const policy of cluster.policies) {
    for (const rules of [policy.ingress, policy.egress]) {
      for (const rule of rules ?? []) {
        if (rule.ports === 'any') continue
        for (const spec of rule.ports) if (spec.port.kind === 'range') add(spec.port.from, spec.protocol)
      }
    }
  }
  for (const policy of cluster.clusterPolicies) {
    for (const rule of [...policy.ingress, ...policy.egress]) {
      if (rule.ports === 'any') continue
      for (const p of rule.ports) if (p.kind === 'range') add(p.from, p.protocol)
    }
  }
  return out.sort((a, b) => PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || a.port - b.port)
}
