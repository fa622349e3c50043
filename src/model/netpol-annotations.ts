import { isObject, type Json } from './parse-fields.js'

/** The prefix of the annotations netpol reads, e.g. `netpol.dev/lint-ignore`. */
export const NETPOL_ANNOTATION_PREFIX = 'netpol.dev/'

/** The annotations of an object that netpol itself reads; the model keeps only these. */
export type NetpolAnnotations = Readonly<Record<string, string>>

/**
 * netpol's own annotations of an object: the keys under `netpol.dev/` with string values; undefined when there
 * are none. Other annotations are not kept (kubectl's last-applied-configuration alone is as large as the
 * object). Annotation keys and values are validated with the rest of the metadata, not here.
 */
export function netpolAnnotations(input: Json): NetpolAnnotations | undefined {
  const meta = input.metadata
  if (!isObject(meta) || !isObject(meta.annotations)) return undefined
  let out: Record<string, string> | undefined
  for (const [k, v] of Object.entries(meta.annotations)) {
    if (!k.startsWith(NETPOL_ANNOTATION_PREFIX) || typeof v !== 'string') continue
    ;(out ??= {})[k] = v
  }
  return out
}
