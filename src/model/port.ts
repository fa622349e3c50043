/** "The protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP." */
export type Protocol = 'TCP' | 'UDP' | 'SCTP'
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP']

/**
 * NetworkPolicyPort.port: "If this field is not provided, this matches all port names and numbers."
 * endPort: "indicates that the range of ports from port to endPort if set, inclusive, should be allowed".
 * A single port is a range with from === to.
 */
export type PortValue =
  | { readonly kind: 'all' }
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'named'; readonly name: string }

export interface PortSpec {
  readonly protocol: Protocol
  readonly port: PortValue
}

/** A port a container declares (spec.containers[].ports[]). */
export interface ContainerPort {
  readonly name?: string
  readonly port: number
  readonly protocol: Protocol
}

export function formatPortSpec(p: PortSpec): string {
  switch (p.port.kind) {
    case 'all': return `all ${p.protocol} ports`
    case 'range': return p.port.from === p.port.to ? `${p.port.from}/${p.protocol}` : `${p.port.from}-${p.port.to}/${p.protocol}`
    case 'named': return `${p.port.name}/${p.protocol}`
  }
}
