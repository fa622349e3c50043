/**
 * Manifest text → decoded documents. Pure: the caller reads the file.
 *
 * Fast path: JSON text goes through JSON.parse, YAML through js-yaml's loadAll. Only a file that fails to
 * parse is parsed again with the `yaml` package, which recovers per document, so one broken document does
 * not hide the others and every syntax error is reported with its line and column.
 */
import jsyaml from 'js-yaml'
import { createRequire } from 'node:module'
import type { LocatedIssue, Path } from './issues.js'
import type { Origin } from './source.js'

/** One object to build, with where it sits: document `doc` of `file`, at `pathPrefix` inside it. */
export interface ManifestDoc {
  readonly file: string
  /** 0-based index of the YAML document in the file (0 for JSON) */
  readonly doc: number
  /** `[]` for a top-level object, `['items', 3]` for an item of a List */
  readonly pathPrefix: Path
  readonly value: unknown
  /** where `file` came from when it is not a file on disk (stdin, a git revision, a live cluster) */
  readonly origin?: Origin
}

export interface SplitResult {
  readonly docs: ManifestDoc[]
  readonly issues: LocatedIssue[]
  /**
   * Where each of `docs` lies in the text (string offsets), noted by the one YAML parse, so that an issue in one
   * object is placed by parsing that object's text alone (text-item-positions.ts). Only for YAML parsed on the
   * fast path; absent for JSON and for a file that had to be recovered.
   */
  readonly spans?: TextSpans
}

/** `starts[i]`: where the node of docs[i] was opened (white space and comments may come first); `ends[i]`: after it. */
export interface TextSpans {
  readonly starts: readonly number[]
  readonly ends: readonly number[]
}

/**
 * The YAML 1.2 core schema plus merge keys (`<<`), which the Go YAML decoder also supports. Without the
 * timestamp type a date stays a string, as it does for the API server when the field is a string.
 */
const MERGE_TYPE = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge // exported, but missing from @types/js-yaml
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [MERGE_TYPE] })
const JSON_START = /^\s*[{[]/

/**
 * Splits a manifest file into objects. A `kind: List` (any `*List` with `items`) and a top-level array
 * are flattened into their items; empty documents and null items are skipped. Syntax errors become
 * `yaml_syntax` issues with line and column. Never throws.
 */
export function splitDocuments(file: string, text: string, origin?: Origin): SplitResult {
  const split = splitText(file, text)
  if (origin === undefined) return split
  return { ...split, docs: split.docs.map((d) => ({ ...d, origin })), issues: split.issues.map((i) => ({ ...i, origin })) }
}

function splitText(file: string, text: string): SplitResult {
  const docs: ManifestDoc[] = []
  if (JSON_START.test(text)) {
    try {
      flatten(docs, file, 0, [], JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text))
      return { docs, issues: [] }
    } catch {
      // not strict JSON; YAML flow syntax is a superset, so try it as YAML
    }
  }
  let values: unknown[]
  const noted = new Map<unknown, readonly [number, number]>()
  try {
    values = jsyaml.loadAll(text, undefined, { schema: SCHEMA, filename: file, listener: noteObjects(noted) })
  } catch (err) {
    return recover(file, text, err)
  }
  for (let i = 0; i < values.length; i++) flatten(docs, file, i, [], values[i])
  const starts: number[] = []
  const ends: number[] = []
  for (const d of docs) {
    const span = noted.get(d.value)
    if (span === undefined) return { docs, issues: [] }
    starts.push(span[0])
    ends.push(span[1])
  }
  return { docs, issues: [], spans: { starts, ends } }
}

/** Objects deeper than a List's items are not documents */
const DOC_DEPTH = 3

/**
 * A js-yaml listener noting where the objects that can be documents lie: a document, the elements of a top-level
 * sequence, the elements of a List's items (depth 1 to 3). Maps and sequences only; scalars are not objects.
 */
function noteObjects(into: Map<unknown, readonly [number, number]>): (event: jsyaml.EventType, state: jsyaml.State) => void {
  const opened: number[] = []
  return (event, state) => {
    // the nesting depth of the node (js-yaml 4.1.1 and later; missing from @types/js-yaml)
    if ((state as unknown as { depth: number }).depth > DOC_DEPTH) return
    if (event === 'open') {
      opened.push(state.position)
      return
    }
    const at = opened.pop()!
    const v = state.result
    if (v !== null && typeof v === 'object') into.set(v, [at, state.position])
  }
}

function isList(v: unknown): v is { kind: string; items: unknown[] } {
  if (typeof v !== 'object' || v === null) return false
  const o = v as { kind?: unknown; items?: unknown }
  return typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)
}

/** Adds `value` to `out` as documents: a List or an array becomes its items (recursively), null nothing. */
export function flatten(out: { push(doc: ManifestDoc): unknown }, file: string, doc: number, prefix: Path, value: unknown): void {
  if (value === null || value === undefined) return
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) flatten(out, file, doc, [...prefix, i], value[i])
  } else if (isList(value)) {
    for (let i = 0; i < value.items.length; i++) flatten(out, file, doc, [...prefix, 'items', i], value.items[i])
  } else {
    out.push({ file, doc, pathPrefix: prefix, value })
  }
}

/**
 * The key a DUPLICATE_KEY error at `offset` points at, and its field path. A mapping that gives a key twice
 * is refused by the API server's YAML decoding too (`key "name" already set in map`).
 */
function duplicateKeyAt(yaml: typeof import('yaml'), doc: import('yaml').Document, offset: number): { key: string; path: Path } | undefined {
  let found: { key: string; path: Path } | undefined
  yaml.visit(doc, {
    Pair(_, pair, ancestors) {
      const k = pair.key
      if (!yaml.isScalar(k) || k.range?.[0] !== offset) return undefined
      const path: (string | number)[] = []
      for (let i = 0; i < ancestors.length; i++) {
        const n = ancestors[i]
        if (yaml.isPair(n)) path.push(yaml.isScalar(n.key) ? String(n.key.value) : String(n.key))
        else if (yaml.isSeq(n)) path.push(n.items.indexOf(ancestors[i + 1] as never))
      }
      path.push(String(k.value))
      found = { key: String(k.value), path }
      return yaml.visit.BREAK
    },
  })
  return found
}

function syntaxIssue(file: string, doc: number, message: string, line?: number, column?: number): LocatedIssue {
  const pos = line !== undefined && column !== undefined ? { line, column } : {}
  return { file, doc, ...pos, issue: { code: 'yaml_syntax', path: [], message, ...pos } }
}

/** The slow path for a file with a syntax error: parse per document, keep the good ones, report the bad. */
function recover(file: string, text: string, jsError: unknown): SplitResult {
  const docs: ManifestDoc[] = []
  const issues: LocatedIssue[] = []
  // the position-keeping parser is loaded only for a file that failed: start-up stays small
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml')
  const { LineCounter, parseAllDocuments } = yaml
  const lc = new LineCounter()
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, merge: true })
  const ranges: [number, number][] = []
  parsed.forEach((d, i) => {
    ranges.push([d.range[0], d.range[2]])
    if (d.errors.length > 0) {
      for (const e of d.errors) {
        const p = lc.linePos(e.pos[0])
        const dup = e.code === 'DUPLICATE_KEY' ? duplicateKeyAt(yaml, d, e.pos[0]) : undefined
        issues.push(dup ? { file, doc: i, line: p.line, column: p.col, issue: { code: 'duplicate_key', path: dup.path, key: dup.key } } : syntaxIssue(file, i, e.message, p.line, p.col))
      }
      return
    }
    try {
      flatten(docs, file, i, [], d.toJS({ maxAliasCount: 1000 }))
    } catch (err) {
      issues.push(syntaxIssue(file, i, err instanceof Error ? err.message : String(err)))
    }
  })
  if (issues.length > 0) return { docs, issues }
  // The two parsers disagree: keep js-yaml's verdict and drop the document it points at.
  const mark = (jsError as { mark?: { line: number; column: number; position: number } }).mark
  const reason = (jsError as { reason?: string }).reason ?? (jsError instanceof Error ? jsError.message : String(jsError))
  const at = mark ? ranges.findIndex(([s, e]) => mark.position >= s && mark.position <= e) : -1
  const doc = at >= 0 ? at : 0
  return {
    docs: docs.filter((d) => d.doc !== doc),
    issues: [syntaxIssue(file, doc, reason, mark ? mark.line + 1 : undefined, mark ? mark.column + 1 : undefined)],
  }
}
