/** The shared first step of the JSON line readers (Hubble, Calico, netpol's log). */
import type { FlowInputIssue } from './flow-record.js'

export type JsonObject = Record<string, unknown>

/** `v` when it is a JSON object (not an array), else undefined. */
export const jsonObject = (v: unknown): JsonObject | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined)

/**
 * One line as a JSON object; null for a blank line; else the issue (`not JSON`, `truncated or malformed JSON` for
 * a line that starts as an object, `not a JSON object`). Never throws.
 */
export function jsonLine(text: string, file: string, line: number): { ok: true; value: JsonObject } | { ok: false; issue: FlowInputIssue } | null {
  if (text.trim() === '') return null
  const issue = (message: string) => ({ ok: false as const, issue: { file, line, message } })
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return issue(text.trimStart().startsWith('{') ? 'truncated or malformed JSON' : 'not JSON')
  }
  const value = jsonObject(doc)
  return value === undefined ? issue('not a JSON object') : { ok: true, value }
}
