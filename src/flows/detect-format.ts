/**
 * Which format an input is in, from its first non-blank line:
 * - hubble: a `GetFlowsResponse` (`{"flow": …}`) or a bare flow (`verdict` with `IP`, `l4`, `source` or `event_type`);
 * - calico: a flow log record (`source_ip`, `dest_port`, `reporter`, `source_name_aggr`) or an Elasticsearch hit (`_source`);
 * - netpol: the agent's flow log (`src` and `dst` objects, or `verdict`, `direction` and `port`);
 * - csv: a line that is not JSON and has a comma (the header `src,dst,port,proto[,count]`, or a first record).
 * A JSON line that is cut short is recognised by its keys. Null when none fits.
 */
import type { FlowFormat } from './flow-record.js'

type Json = Record<string, unknown>

export function detectFormat(firstLine: string): FlowFormat | null {
  const text = firstLine.trim().replace(/^\uFEFF/, '')
  if (text === '') return null
  if (!text.startsWith('{')) return text.startsWith('[') || !text.includes(',') ? null : 'csv'
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return byKeys(text)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null
  const o = doc as Json
  const has = (k: string) => o[k] !== undefined
  const isObj = (k: string) => typeof o[k] === 'object' && o[k] !== null
  if (isObj('flow')) return 'hubble'
  if (has('verdict') && (has('IP') || has('l4') || isObj('source') || has('event_type') || has('Type'))) return 'hubble'
  if (isObj('_source') || has('source_ip') || has('dest_port') || has('reporter') || has('source_name_aggr')) return 'calico'
  if ((isObj('src') && isObj('dst')) || (has('verdict') && has('direction') && has('port'))) return 'netpol'
  return null
}

/** a truncated JSON line, by the keys it shows */
function byKeys(text: string): FlowFormat | null {
  const key = (k: string) => text.includes(`"${k}":`) || text.includes(`"${k}" :`)
  if (key('flow') || (key('verdict') && key('IP'))) return 'hubble'
  if (key('_source') || key('source_ip') || key('dest_port') || key('reporter')) return 'calico'
  if (key('src') && key('verdict')) return 'netpol'
  return null
}
