import type { Protocol } from '../model/port.js'
import type { PortProtocol } from '../analysis/reachability.js'
import { UsageError } from './io.js'

/** `80`, `80/TCP`, `53/udp` → {port, protocol}; TCP when no protocol is given, as in the API. */
export function parsePortArg(text: string): PortProtocol {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text.trim())
  const port = m ? Number(m[1]) : NaN
  if (!m || port < 1 || port > 65535) throw new UsageError(`--port "${text}": expected PORT[/PROTOCOL] with PORT 1-65535 and PROTOCOL TCP, UDP or SCTP (e.g. 5432/TCP)`)
  return { port, protocol: ((m[2] ?? 'TCP').toUpperCase() as Protocol) }
}
