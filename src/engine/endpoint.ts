import type { Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import type { Endpoint } from './verdict.js'

/** The pod as one end of a connection of `family`: it uses its first address of that family, if any. */
export function podEndpoint(pod: Pod, family: Family): Endpoint {
  return { kind: 'pod', pod, ip: pod.ips.find((ip) => ip.family === family) ?? null }
}

/**
 * The address family of a pod-to-pod connection when the user did not say: the destination's primary
 * address family, else the source's, else IPv4.
 */
export function defaultFamily(from: Pod | null, to: Pod | null): Family {
  return to?.ips[0]?.family ?? from?.ips[0]?.family ?? 4
}
