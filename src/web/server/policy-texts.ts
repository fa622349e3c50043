/**
 * Each policy's own text: for a file, the slice of the file that holds the object (a document, or an item of a
 * List), as the user wrote it and with its first line in the file; for a live object, the object as read,
 * without `status` and `metadata.managedFields`, rendered as YAML. Computed once per snapshot, on first use.
 */
import { isCollection, LineCounter, parseAllDocuments, stringify, type Document } from 'yaml'
import type { NetworkPolicy } from '../../model/policy.js'
import type { Path } from '../../model/issues.js'
import type { KubeObject } from '../../io/kube/kube-object.js'
import type { Snapshot } from './serve-input.js'
import { cached } from './snapshot-cache.js'
import { jsonItemSpans } from './json-spans.js'

export interface PolicyText {
  readonly namespace: string
  readonly name: string
  /** the YAML (or JSON) of the object alone */
  readonly yaml: string
  /** files: where the object was read, and the line of `yaml`'s first line in it */
  readonly file?: string
  readonly line?: number
}

/** The text of every policy of the snapshot and every NetworkPolicy object the model refused, by "ns/name". */
export function policyTexts(s: Snapshot): ReadonlyMap<string, PolicyText> {
  return cached(s, 'policy-texts', compute)
}

function compute(s: Snapshot): Map<string, PolicyText> {
  const out = new Map<string, PolicyText>()
  const files = new Map<string, FileSlices | null>()
  for (const p of s.cluster.policies) {
    const src = p.source
    if (src === undefined || src.origin?.kind === 'cluster') continue
    let f = files.get(src.file)
    if (f === undefined) {
      const text = s.texts.get(src.file)
      files.set(src.file, (f = text === undefined ? null : fileSlices(text)))
    }
    const slice = f?.slice(src.doc, src.at ?? [])
    if (slice) out.set(key(p), { namespace: p.namespace, name: p.name, yaml: slice.text, file: src.file, line: slice.line })
  }
  for (const o of s.objects) {
    if (o.kind !== 'NetworkPolicy') continue
    const k = `${o.metadata.namespace ?? ''}/${o.metadata.name}`
    if (!out.has(k)) out.set(k, { namespace: o.metadata.namespace ?? '', name: o.metadata.name, yaml: liveYaml(o) })
  }
  return out
}

const key = (p: Pick<NetworkPolicy, 'namespace' | 'name'>) => `${p.namespace}/${p.name}`

interface FileSlices {
  slice(doc: number, at: Path): { text: string; line: number } | undefined
}

/** One read of a file's text; slices of its objects. A JSON List is cut by a scan of its text, YAML parsed with positions. */
function fileSlices(text: string): FileSlices {
  const spans = /^\uFEFF?\s*[[{]/.test(text) ? jsonItemSpans(text) : null
  if (spans !== null) {
    let lineStarts: number[] | undefined
    const lineOf = (offset: number) => {
      lineStarts ??= [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)]
      let lo = 0
      let hi = lineStarts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (lineStarts[mid]! <= offset) lo = mid
        else hi = mid - 1
      }
      return lo + 1
    }
    const yamlSlices = once(() => yamlFileSlices(text))
    return {
      slice(doc, at) {
        const span = doc === 0 && at.length <= 2 ? spans.get(at.join('\u0000')) : undefined
        if (!span) return at.length === 0 ? { text: `${text.trim()}\n`, line: lineOf(text.search(/\S/)) } : yamlSlices().slice(doc, at)
        return { text: cut(text, span[0], span[1]), line: lineOf(span[0]) }
      },
    }
  }
  return yamlFileSlices(text)
}

function once<T>(f: () => T): () => T {
  let v: { value: T } | undefined
  return () => (v ??= { value: f() }).value
}

function yamlFileSlices(text: string): FileSlices {
  const lc = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false }) as Document.Parsed[]
  return {
    slice(doc, at) {
      const d = docs[doc]
      if (!d) return undefined
      const node = at.length === 0 ? d.contents : d.getIn(at, true)
      if (!isCollection(node) || !node.range) return undefined
      const [start, end] = node.range
      return { text: cut(text, start, end), line: lc.linePos(start).line }
    },
  }
}

/**
 * The text from `start` to `end`, as a block of its own: the part of the first line before `start` (a List
 * item's `- `) becomes spaces, then the indentation every line shares is removed.
 */
export function cut(text: string, start: number, end: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1
  const lines = (' '.repeat(start - lineStart) + text.slice(start, end).replace(/\s+$/, '')).split('\n')
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length))
  return lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length))).join('\n') + '\n'
}

/** A live object as YAML: apiVersion, kind, metadata (without managedFields), spec, and the rest but status. */
export function liveYaml(o: KubeObject): string {
  const { apiVersion, kind, metadata, spec, status: _status, ...rest } = o as KubeObject & { spec?: unknown; status?: unknown }
  const { managedFields: _managed, ...meta } = metadata
  return stringify({ apiVersion, kind, metadata: meta, ...(spec !== undefined ? { spec } : {}), ...rest }, { lineWidth: 0 })
}
