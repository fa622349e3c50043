/**
 * netpol's own flow log (src/agent/flow-log.ts `FlowLogEntry`), one JSON object per line:
 * `{"time":"2026-…Z","verdict":"denied"|"audited","direction":"ingress"|"egress","protocol":"TCP","port":5432,
 *   "src":{"ip":"10.244.1.10","namespace":"frontend","pod":"web-7d9"},"dst":{…},"reason":"…","repeated":3}`.
 * Each line is the first packet of a new connection (the agent logs only those), so every record starts one;
 * `repeated` counts identical connections left out since the last line, so the line stands for 1 + repeated.
 */
import { parseIp } from '../model/ip.js'
import type { FlowEndpoint, FlowInputIssue, FlowLineReader, FlowProtocol, FlowRecord, FlowVerdict } from './flow-record.js'
import { jsonLine } from './json-line.js'

const VERDICTS: Record<string, FlowVerdict> = { denied: 'denied', audited: 'audited', allowed: 'allowed', accepted: 'allowed' }
const PROTOCOLS: Record<string, FlowProtocol> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' }

export function netpolReader(file: string): FlowLineReader {
  return {
    line(text, lineNo) {
      const issue = (message: string): FlowInputIssue => ({ file, line: lineNo, message })
      const read = jsonLine(text, file, lineNo)
      if (read === null) return []
      if (!read.ok) return read.issue
      const j = read.value
      const verdict = VERDICTS[String(j.verdict ?? '')]
      if (verdict === undefined) return issue(`unknown verdict ${JSON.stringify(j.verdict ?? null)}`)
      const protoText = String(j.protocol ?? '').toUpperCase()
      const protocol: FlowProtocol = PROTOCOLS[protoText] ?? 'other'
      if (protoText === '') return issue('no protocol')
      const port = Number(j.port)
      if (protocol !== 'other' && !(Number.isInteger(port) && port >= 1 && port <= 65535)) return issue(`no destination port (port: ${JSON.stringify(j.port ?? null)})`)
      const src = endpoint(j.src)
      if (typeof src === 'string') return issue(`src: ${src}`)
      const dst = endpoint(j.dst)
      if (typeof dst === 'string') return issue(`dst: ${dst}`)
      let time: number | undefined
      if (j.time !== undefined) {
        time = Date.parse(String(j.time))
        if (Number.isNaN(time)) return issue(`time: not a date: ${JSON.stringify(j.time)}`)
      }
      const repeated = Number(j.repeated ?? 0)
      const rec: FlowRecord = {
        format: 'netpol',
        file,
        line: lineNo,
        ...(time !== undefined ? { time } : {}),
        source: src,
        destination: dst,
        protocol,
        ...(protocol !== 'other' ? { port } : {}),
        verdict,
        count: 1 + (Number.isInteger(repeated) && repeated > 0 ? repeated : 0),
        ...(typeof j.reason === 'string' && j.reason !== '' ? { reason: j.reason } : {}),
      }
      return [rec]
    },
  }
}

function endpoint(v: unknown): FlowEndpoint | string {
  if (typeof v !== 'object' || v === null) return 'missing'
  const e = v as Record<string, unknown>
  const ip = parseIp(String(e.ip ?? ''))
  if (ip === null) return `not an IP address: ${JSON.stringify(e.ip ?? null)}`
  const ns = typeof e.namespace === 'string' && e.namespace !== '' ? e.namespace : undefined
  const pod = typeof e.pod === 'string' && e.pod !== '' ? e.pod : undefined
  return { ip, ...(ns ? { namespace: ns } : {}), ...(pod ? { pod } : {}), kind: pod ? 'pod' : 'unknown' }
}
