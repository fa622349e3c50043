import type { Pod } from '../model/cluster.js'
import type { PortSpec, Protocol } from '../model/port.js'
import type { PortMiss, PortResult } from './verdict.js'

export type PortMatch = { readonly ok: true; readonly resolvedPort?: number } | { readonly ok: false; readonly miss: PortMiss }

/**
 * Does one NetworkPolicyPort entry match a connection to `port`/`protocol` on `dest`?
 * - "The protocol (TCP, UDP, or SCTP) which traffic must match."
 * - port absent: "this matches all port names and numbers" (of that protocol).
 * - endPort: "the range of ports from port to endPort if set, inclusive".
 * - a named port is looked up in the destination pod's container ports with the same protocol; it can mean
 *   different numbers on different pods and never matches an address outside the cluster's pods.
 * `dest` is null when the destination is not a pod.
 */
export function matchPort(spec: PortSpec, index: number, port: number, protocol: Protocol, dest: Pod | null): PortMatch {
  if (spec.protocol !== protocol) return { ok: false, miss: { code: 'protocol', port: index, want: spec.protocol, got: protocol } }
  const p = spec.port
  switch (p.kind) {
    case 'all':
      return { ok: true }
    case 'range':
      return port >= p.from && port <= p.to
        ? { ok: true }
        : { ok: false, miss: { code: 'number', port: index, from: p.from, to: p.to, got: port } }
    case 'named': {
      if (dest === null) return { ok: false, miss: { code: 'named-not-a-pod', port: index, name: p.name } }
      const resolved: number[] = []
      for (const cp of dest.ports) if (cp.name === p.name && cp.protocol === protocol) resolved.push(cp.port)
      const podName = `${dest.namespace}/${dest.name}`
      if (resolved.length === 0) return { ok: false, miss: { code: 'named-undefined', port: index, name: p.name, protocol, pod: podName } }
      if (resolved.includes(port)) return { ok: true, resolvedPort: port }
      return { ok: false, miss: { code: 'named-other-number', port: index, name: p.name, resolved, got: port, pod: podName } }
    }
  }
}

/** "If this field is empty or missing, this rule matches all ports" (ports). */
export function matchPorts(ports: 'any' | readonly PortSpec[], port: number, protocol: Protocol, dest: Pod | null): PortResult {
  if (ports === 'any') return { ok: true, port: 'any' }
  const misses: PortMiss[] = []
  for (let i = 0; i < ports.length; i++) {
    const m = matchPort(ports[i]!, i, port, protocol, dest)
    if (m.ok) return m.resolvedPort === undefined ? { ok: true, port: i } : { ok: true, port: i, resolvedPort: m.resolvedPort }
    misses.push(m.miss)
  }
  return { ok: false, misses }
}
