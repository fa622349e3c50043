import type { PortProtocol } from '../analysis/reachability.js'
import { parsePort } from '../report/port-text.js'
import { UsageError } from './io.js'

/** `80`, `80/TCP`, `53/udp` → {port, protocol}; a usage error (exit 2) otherwise. */
export function parsePortArg(text: string): PortProtocol {
  const p = parsePort(text)
  if (!p.ok) throw new UsageError(p.error)
  return p.value
}
