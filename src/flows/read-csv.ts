/**
 * CSV flows: `src,dst,port,proto[,count]`, one connection (or `count` of them) per line. An endpoint is
 * `ns/pod` (a pod, or a workload: resolved by name against the cluster), or an IP address. A header line (its
 * port field is `port`) is skipped; fields may be quoted ("a, b" with "" for a quote). Protocol names are
 * case-insensitive; ICMP and other names are read as `other` (counted, never dropped silently).
 */
import { parseIp } from '../model/ip.js'
import type { FlowEndpoint, FlowLineReader, FlowProtocol } from './flow-record.js'

const PROTOCOLS: Record<string, FlowProtocol> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' }

/** The fields of one CSV line (RFC 4180 quoting), or null when a quote is not closed. */
export function splitCsv(line: string): string[] | null {
  const out: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) return null
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"'
            i += 2
          } else {
            i++
            break
          }
        } else field += line[i++]
      }
      while (i < line.length && line[i] !== ',') field += line[i++]
    } else {
      const end = line.indexOf(',', i)
      field = end < 0 ? line.slice(i) : line.slice(i, end)
      i = end < 0 ? line.length : end
    }
    out.push(field.trim())
    if (i >= line.length) return out
    i++ // the comma
  }
}

export function csvEndpoint(text: string): FlowEndpoint | null {
  const ip = parseIp(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text)
  if (ip !== null) return { ip, kind: 'unknown' }
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(text)
  if (m === null) return null
  // a name: a pod's, or a workload's when no pod has it (resolveFlows decides, against the cluster)
  return { namespace: m[1]!, pod: m[3]!, workload: { name: m[3]! }, kind: 'pod' }
}

export function csvReader(file: string): FlowLineReader {
  return {
    line(text, lineNo) {
      const issue = (message: string) => ({ file, line: lineNo, message })
      if (text.trim() === '' || text.trimStart().startsWith('#')) return []
      const f = splitCsv(text.replace(/\r$/, ''))
      if (f === null) return issue('a quoted field is not closed')
      if (f.length < 4 || f.length > 5) return issue(`expected src,dst,port,proto[,count] (${f.length} field${f.length === 1 ? '' : 's'})`)
      const [s, d, p, proto, c] = f as [string, string, string, string, string | undefined]
      if (p.toLowerCase() === 'port' && lineNo === 1) return []
      const source = csvEndpoint(s)
      if (source === null) return issue(`src: "${s}" is neither NAMESPACE/NAME nor an IP address`)
      const destination = csvEndpoint(d)
      if (destination === null) return issue(`dst: "${d}" is neither NAMESPACE/NAME nor an IP address`)
      const protocol = PROTOCOLS[proto.toUpperCase()] ?? (/^[A-Za-z][A-Za-z0-9-]*$/.test(proto) ? 'other' : undefined)
      if (protocol === undefined) return issue(`proto: "${proto}" is not a protocol name`)
      const port = Number(p)
      if (protocol !== 'other' && !(/^\d+$/.test(p) && port >= 1 && port <= 65535)) return issue(`port: "${p}" is not a port (1-65535)`)
      const count = c === undefined || c === '' ? 1 : Number(c)
      if (!(Number.isInteger(count) && count >= 1)) return issue(`count: "${c}" is not a positive integer`)
      return [{ format: 'csv', file, line: lineNo, source, destination, protocol, ...(protocol !== 'other' ? { port } : {}), verdict: 'unknown', count }]
    },
  }
}
