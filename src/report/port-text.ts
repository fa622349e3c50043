/** Ports as users write them and as every report prints them: "5432/TCP". */
import type { Protocol } from '../model/port.js'
import type { PortProtocol } from '../analysis/reachability.js'

export const portText = (p: PortProtocol): string => `${p.port}/${p.protocol}`

/**
 * `80`, `80/TCP`, `53/udp` → {port, protocol}; TCP when no protocol is given, as in the API. A mistake comes back
 * as the text the CLI prints after "error: ".
 */
export function parsePort(text: string): { ok: true; value: PortProtocol } | { ok: false; error: string } {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text.trim())
  const port = m ? Number(m[1]) : NaN
  if (!m || port < 1 || port > 65535) return { ok: false, error: `--port "${text}": expected PORT[/PROTOCOL] with PORT 1-65535 and PROTOCOL TCP, UDP or SCTP (e.g. 5432/TCP)` }
  return { ok: true, value: { port, protocol: (m[2] ?? 'TCP').toUpperCase() as Protocol } }
}
