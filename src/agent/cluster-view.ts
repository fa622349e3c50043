/**
 * The cluster as the agent's packet-level readers (flow log, `--strict`) need it: the engine's index, and each
 * address as the endpoint the dataplane sees. A hostNetwork pod's address is its node's, so it names no pod; where
 * two pods share an address, the first keeps it, as in the compiled ruleset.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { IpAddress } from '../model/ip.js'
import { indexCluster, type ClusterIndex, type Endpoint } from '../engine/index.js'

export interface ClusterView {
  readonly index: ClusterIndex
  /** the pod at an address, or the bare address */
  endpoint(ip: IpAddress): Endpoint
}

export function clusterView(cluster: Cluster): ClusterView {
  const key = (ip: IpAddress) => `${ip.family}/${ip.value}`
  const byIp = new Map<string, Pod>()
  for (const p of cluster.pods) {
    if (p.hostNetwork) continue
    for (const ip of p.ips) if (!byIp.has(key(ip))) byIp.set(key(ip), p)
  }
  return {
    index: indexCluster(cluster),
    endpoint: (ip) => {
      const pod = byIp.get(key(ip))
      return pod === undefined ? { kind: 'ip', ip } : { kind: 'pod', pod, ip }
    },
  }
}
