/**
 * Typed reads of decoded manifest values, shared by the parse-* modules. Every reader records a problem
 * in `issues` and returns undefined instead of throwing. JSON `null` reads as "absent", as Go's decoder
 * leaves a field unset for null.
 */
import type { Labels } from './labels.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import { dnsLabelProblem, labelKeyProblem, labelValueProblem } from './validate-names.js'

export type Json = { readonly [key: string]: unknown }

/**
 * Where a value sits: a Path, or a key under another Loc. Parsers descend with `at` and make a Path with
 * `pathOf` only when they record an issue, so valid input allocates no path arrays.
 */
export type Loc = Path | { readonly up: Loc; readonly key: string | number }

export function at(up: Loc, key: string | number): Loc {
  return { up, key }
}

/** The Path of `loc`, with `keys` appended. */
export function pathOf(loc: Loc, ...keys: (string | number)[]): Path {
  const tail: (string | number)[] = []
  let cur = loc
  while (!isPath(cur)) {
    tail.push(cur.key)
    cur = cur.up
  }
  return [...cur, ...tail.reverse(), ...keys]
}

function isPath(loc: Loc): loc is Path {
  return Array.isArray(loc)
}

/** For building a readonly model object field by field (optional fields are set only when present). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const EMPTY: Json = Object.freeze({})
/** The list read for a missing list field. */
export const NO_ITEMS: readonly unknown[] = Object.freeze([])

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The JSON type of a value, for `got` in issues. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

export function wrongType(loc: Loc, expected: string, got: unknown): ModelIssue {
  return { code: 'wrong_type', path: pathOf(loc), expected, got: typeName(got) }
}

/** `{ok: true}` when no issue was recorded, else the issues. */
export function result<T>(value: T, issues: ModelIssue[]): Parsed<T> {
  return issues.length === 0 ? { ok: true, value } : { ok: false, issues }
}

/** The value of a nested parse, with its issues moved into `issues`. */
export function take<T>(parsed: Parsed<T>, issues: ModelIssue[]): T | undefined {
  if (parsed.ok) return parsed.value
  for (const i of parsed.issues) issues.push(i)
  return undefined
}

export function objectAt(obj: Json, key: string, path: Loc, issues: ModelIssue[]): Json | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (isObject(v)) return v
  issues.push(wrongType(pathOf(path, key), 'object', v))
  return undefined
}

export function arrayAt(obj: Json, key: string, path: Loc, issues: ModelIssue[]): readonly unknown[] | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v)) return v
  issues.push(wrongType(pathOf(path, key), 'array', v))
  return undefined
}

export function stringAt(obj: Json, key: string, path: Loc, issues: ModelIssue[]): string | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  issues.push(wrongType(pathOf(path, key), 'string', v))
  return undefined
}

/** An integer field (int32 in the API); a fraction or a string is a decoding error there too. */
export function intAt(obj: Json, key: string, path: Loc, issues: ModelIssue[]): number | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number' && Number.isInteger(v)) return v
  issues.push(wrongType(pathOf(path, key), 'integer', v))
  return undefined
}

export function boolAt(obj: Json, key: string, path: Loc, issues: ModelIssue[]): boolean | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'boolean') return v
  issues.push(wrongType(pathOf(path, key), 'boolean', v))
  return undefined
}

/**
 * An element of a list of structs. Go decodes a null element as the zero struct, so null reads as `{}`
 * (which is why `ingress: [null]` allows everything, exactly like `ingress: [{}]`).
 */
export function elementObject(v: unknown, path: Loc, issues: ModelIssue[]): Json | undefined {
  if (v === undefined || v === null) return EMPTY
  if (isObject(v)) return v
  issues.push(wrongType(path, 'object', v))
  return undefined
}

/**
 * Rejects fields the API does not define. kubectl's default strict field validation refuses them, and a
 * misspelt field (`podselector`) would otherwise silently widen a policy.
 */
export function checkKnownFields(obj: Json, known: ReadonlySet<string>, path: Loc, issues: ModelIssue[]): void {
  for (const k in obj) {
    if (!known.has(k)) issues.push({ code: 'unknown_field', path: pathOf(path, k), field: k, known: [...known] })
  }
}

/**
 * A label map (metadata.labels, matchLabels, a Service or ReplicationController selector), checked as
 * ValidateLabels does: each key a qualified name, each value a string that is a valid label value.
 * A null value decodes as the empty string.
 */
export function parseLabels(v: unknown, path: Loc, issues: ModelIssue[]): Labels {
  if (v === undefined || v === null) return EMPTY as Labels
  if (!isObject(v)) {
    issues.push(wrongType(path, 'map of strings', v))
    return EMPTY as Labels
  }
  const out: Record<string, string> = {}
  for (const key in v) {
    const raw = v[key]
    const value = raw === null ? '' : raw
    const keyProblem = labelKeyProblem(key)
    if (keyProblem !== null) issues.push({ code: 'invalid_label_key', path: pathOf(path, key), input: key, expected: keyProblem })
    if (typeof value !== 'string') {
      issues.push(wrongType(pathOf(path, key), 'string', value))
      continue
    }
    const valueProblem = labelValueProblem(value)
    if (valueProblem !== null) issues.push({ code: 'invalid_label_value', path: pathOf(path, key), input: value, expected: valueProblem })
    out[key] = value
  }
  return out
}

export interface Metadata {
  readonly name: string
  /** '' for cluster-scoped kinds */
  readonly namespace: string
  readonly labels: Labels
}

export interface MetadataRules {
  /** the name rule of the kind, e.g. dnsSubdomainProblem */
  readonly name: (s: string) => string | null
  readonly namespaced: boolean
}

export const DEFAULT_NAMESPACE = 'default'

/**
 * ValidateObjectMeta for the fields netpol uses: `metadata.name` is required and follows the kind's
 * rule; `metadata.namespace` defaults to "default" for namespaced kinds and must be an RFC 1123 label;
 * labels are validated.
 */
export function parseMetadata(obj: Json, path: Loc, issues: ModelIssue[], rules: MetadataRules): Metadata {
  const metaPath = at(path, 'metadata')
  const meta = objectAt(obj, 'metadata', path, issues)
  if (obj.metadata !== undefined && obj.metadata !== null && meta === undefined) return { name: '', namespace: '', labels: EMPTY as Labels }
  const m = meta ?? EMPTY
  const rawName = m.name
  let name = ''
  if (rawName === undefined || rawName === null || rawName === '') {
    issues.push({ code: 'required', path: pathOf(metaPath, 'name'), expected: 'the object name' })
  } else if (typeof rawName !== 'string') {
    issues.push(wrongType(pathOf(metaPath, 'name'), 'string', rawName))
  } else {
    name = rawName
    const problem = rules.name(name)
    if (problem !== null) issues.push({ code: 'invalid_name', path: pathOf(metaPath, 'name'), input: name, expected: problem })
  }
  let namespace = ''
  if (rules.namespaced) {
    namespace = stringAt(m, 'namespace', metaPath, issues) ?? ''
    if (namespace === '') namespace = DEFAULT_NAMESPACE
    else {
      const problem = dnsLabelProblem(namespace)
      if (problem !== null) issues.push({ code: 'invalid_name', path: pathOf(metaPath, 'namespace'), input: namespace, expected: problem })
    }
  }
  const labels = parseLabels(m.labels, at(metaPath, 'labels'), issues)
  return { name, namespace, labels }
}
