/**
 * The format of a flow input from its first non-blank line. (Minimal version: netpol's own log and CSV; the
 * Hubble and Calico formats are recognised by their readers' own detection.)
 */
import type { FlowFormat } from './flow-record.js'

export function detectFormat(firstLine: string): FlowFormat | null {
  const t = firstLine.trim()
  if (t.startsWith('{')) {
    // netpol's agent log: verdict denied|audited with src/dst objects
    if (/"src"\s*:\s*\{/.test(t) && /"dst"\s*:\s*\{/.test(t) && /"verdict"\s*:/.test(t)) return 'netpol'
    return null
  }
  const fields = t.split(',')
  if (fields.length === 4 || fields.length === 5) return 'csv'
  return null
}
