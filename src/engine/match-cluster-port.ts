import type { Pod } from '../model/cluster.js'
import type { ClusterPort } from '../model/cluster-policy.js'
import type { Protocol } from '../model/port.js'

export type ClusterPortMatch = { readonly ok: true; readonly port: number | 'any'; readonly resolvedPort?: number } | { readonly ok: false }

/**
 * Does a cluster rule's port list match a connection to `port`/`protocol` on `dest` (null when the destination is
 * not a pod)?
 * - absent: "protocol-specific attributes will not be used to match traffic" — every port and protocol;
 * - a number or range: its protocol, and start ≤ port ≤ end;
 * - a named port: the destination pod has a container port of that name with the connection's number and protocol.
 * The first entry that matches is the one named.
 */
export function clusterPortsMatch(ports: 'any' | readonly ClusterPort[], port: number, protocol: Protocol, dest: Pod | null): ClusterPortMatch {
  if (ports === 'any') return { ok: true, port: 'any' }
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!
    if (p.kind === 'range') {
      if (p.protocol === protocol && p.from <= port && port <= p.to) return { ok: true, port: i }
    } else if (dest !== null && dest.ports.some((cp) => cp.name === p.name && cp.protocol === protocol && cp.port === port)) {
      return { ok: true, port: i, resolvedPort: port }
    }
  }
  return { ok: false }
}
