/** Observed ports → NetworkPolicyPort entries, merged into `endPort` ranges only where contiguous. Pure. */
import type { Protocol } from '../model/port.js'

/**
 * NetworkPolicyPort as written: `endPort` "indicates that the range of ports from port to endPort if set,
 * inclusive, should be allowed"; always numeric here.
 */
export interface PortEntry {
  readonly protocol: Protocol
  readonly port: number
  readonly endPort?: number
}

const ORDER: readonly Protocol[] = ['TCP', 'UDP', 'SCTP']

/**
 * Per protocol (TCP, UDP, SCTP), the ports sorted; a run of consecutive numbers (8080, 8081, 8082) becomes one
 * range, anything with a gap stays apart: a range never admits a port that was not observed.
 */
export function mergePorts(byProtocol: ReadonlyMap<Protocol, readonly number[]>): PortEntry[] {
  const out: PortEntry[] = []
  for (const protocol of ORDER) {
    const ports = [...new Set(byProtocol.get(protocol) ?? [])].sort((a, b) => a - b)
    for (let i = 0; i < ports.length; ) {
      let j = i
      while (j + 1 < ports.length && ports[j + 1] === ports[j]! + 1) j++
      out.push(j === i ? { protocol, port: ports[i]! } : { protocol, port: ports[i]!, endPort: ports[j]! })
      i = j + 1
    }
  }
  return out
}
