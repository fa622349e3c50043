/**
 * Typed reads of decoded manifest values, shared by the parse-* modules. Every reader records a problem
 * in `issues` and returns undefined instead of throwing. JSON `null` reads as "absent", as Go's decoder
 * leaves a field unset for null.
 */
import type { Labels } from './labels.js'
import type { ModelIssue, NameRule, Parsed, Path } from './issues.js'
import { dnsLabelProblem, labelKeyProblem, labelValueProblem, type Problem } from './validate-names.js'

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

/** The issue for a name, label key, label value or port name that breaks a rule (see Problem). */
export function nameIssue(
  code: 'invalid_name' | 'invalid_label_key' | 'invalid_label_value' | 'invalid_annotation_key' | 'invalid_port_name',
  path: Path,
  input: string,
  problem: Problem,
): ModelIssue {
  const rule: NameRule = typeof problem === 'string' ? { expected: problem } : problem
  return { code, path, input, ...rule } as ModelIssue
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
    if (keyProblem !== null) issues.push(nameIssue('invalid_label_key', pathOf(path, key), key, keyProblem))
    if (typeof value !== 'string') {
      issues.push(wrongType(pathOf(path, key), 'string', value))
      continue
    }
    const valueProblem = labelValueProblem(value)
    if (valueProblem !== null) issues.push(nameIssue('invalid_label_value', pathOf(path, key), value, valueProblem))
    out[key] = value
  }
  return out
}

export interface Metadata {
  readonly name: string
  /** '' for cluster-scoped kinds */
  readonly namespace: string
  readonly labels: Labels
  /** metadata.generateName, when the name was made from it (see generatedName) */
  readonly generateName?: string
}

export interface MetadataRules {
  /** the name rule of the kind, e.g. dnsSubdomainProblem */
  readonly name: (s: string) => Problem | null
  readonly namespaced: boolean
}

export const DEFAULT_NAMESPACE = 'default'

/** The fields of every object netpol reads (TypeMeta, ObjectMeta, spec and status). */
const OBJECT_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status'])
/** ObjectMeta as of Kubernetes 1.26 (clusterName is gone since 1.25). */
const META_FIELDS: ReadonlySet<string> = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
])
/** "TotalAnnotationSizeLimitB": the keys and values of all annotations of an object, in bytes. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024

/**
 * ValidateObjectMeta: `metadata.name` (or `generateName`) is required and follows the kind's rule;
 * `metadata.namespace` defaults to "default" for namespaced kinds and must be an RFC 1123 label; labels and
 * annotations are validated. Fields that TypeMeta, ObjectMeta, spec and status do not define are rejected at
 * the top level and in metadata, as kubectl's strict field validation does.
 */
export function parseMetadata(obj: Json, path: Loc, issues: ModelIssue[], rules: MetadataRules): Metadata {
  checkKnownFields(obj, OBJECT_FIELDS, path, issues)
  const metaPath = at(path, 'metadata')
  const meta = objectAt(obj, 'metadata', path, issues)
  if (obj.metadata !== undefined && obj.metadata !== null && meta === undefined) return { name: '', namespace: '', labels: EMPTY as Labels }
  const m = meta ?? EMPTY
  const labels = checkObjectMeta(m, metaPath, issues)
  const generateName = stringAt(m, 'generateName', metaPath, issues) || undefined
  // ValidateObjectMeta checks generateName as a prefix: a trailing "-" is allowed (maskTrailingDash)
  const genProblem = generateName === undefined ? null : rules.name(maskTrailingDash(generateName))
  if (genProblem !== null) issues.push(nameIssue('invalid_name', pathOf(metaPath, 'generateName'), generateName!, genProblem))
  const rawName = m.name
  let name = ''
  if ((rawName === undefined || rawName === null || rawName === '') && generateName !== undefined) {
    name = generatedName(generateName, obj)
    // the made name is checked too (a 58-character prefix plus 5 is too long for a 63-character rule)
    const problem = genProblem === null ? rules.name(name) : null
    if (problem !== null) issues.push(nameIssue('invalid_name', pathOf(metaPath, 'generateName'), generateName, problem))
  } else if (rawName === undefined || rawName === null || rawName === '') {
    issues.push({ code: 'required', path: pathOf(metaPath, 'name'), expected: 'the object name (metadata.name, or metadata.generateName)' })
  } else if (typeof rawName !== 'string') {
    issues.push(wrongType(pathOf(metaPath, 'name'), 'string', rawName))
  } else {
    name = rawName
    const problem = rules.name(name)
    if (problem !== null) issues.push(nameIssue('invalid_name', pathOf(metaPath, 'name'), name, problem))
  }
  let namespace = ''
  if (rules.namespaced) {
    namespace = stringAt(m, 'namespace', metaPath, issues) ?? ''
    if (namespace === '') namespace = DEFAULT_NAMESPACE
    else {
      const problem = dnsLabelProblem(namespace)
      if (problem !== null) issues.push(nameIssue('invalid_name', pathOf(metaPath, 'namespace'), namespace, problem))
    }
  }
  const made = name !== '' && name !== rawName && generateName !== undefined
  return made ? { name, namespace, labels, generateName } : { name, namespace, labels }
}

/**
 * The ObjectMeta checks every object and pod template gets: known fields, labels (returned) and annotations.
 */
export function checkObjectMeta(m: Json, metaPath: Loc, issues: ModelIssue[]): Labels {
  checkKnownFields(m, META_FIELDS, metaPath, issues)
  checkAnnotations(m.annotations, at(metaPath, 'annotations'), issues)
  return parseLabels(m.labels, at(metaPath, 'labels'), issues)
}

/**
 * ValidateAnnotations: each key is a qualified name, checked in lower case (so unlike a label key it may
 * hold capitals), each value a string; keys and values together at most 256 KiB.
 */
function checkAnnotations(v: unknown, path: Loc, issues: ModelIssue[]): void {
  if (v === undefined || v === null) return
  if (!isObject(v)) {
    issues.push(wrongType(path, 'map of strings', v))
    return
  }
  let bytes = 0
  for (const key in v) {
    const value = v[key]
    const keyProblem = labelKeyProblem(key.toLowerCase())
    if (keyProblem !== null) issues.push(nameIssue('invalid_annotation_key', pathOf(path, key), key, keyProblem))
    if (value !== null && typeof value !== 'string') issues.push(wrongType(pathOf(path, key), 'string', value))
    bytes += utf8Length(key) + (typeof value === 'string' ? utf8Length(value) : 0)
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) issues.push({ code: 'annotations_too_large', path: pathOf(path), bytes, max: ANNOTATIONS_MAX_BYTES })
}

function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1 // a surrogate pair: 2 units, 4 bytes
  }
  return n
}

/** upstream's maskTrailingDash: `name[:len(name)-2] + "a"` when a prefix longer than 1 ends in "-" */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name
}

/** utilrand's alphabet: no vowels (no words), no 0, 1 or 3 (no confusion) */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
/** maxGeneratedNameLength: 63 - 5 */
const GENERATED_PREFIX_MAX = 58

/**
 * The name of an object that has metadata.generateName and no name. The API server appends 5 random
 * characters (SimpleNameGenerator: the prefix cut to 58 characters, then 5 of NAME_ALPHABET). netpol cannot
 * know them, so it appends 5 characters of the same alphabet taken from a hash of the object: the same object
 * gets the same name on every run, and two different objects with one generateName get different names
 * (identical copies are told apart when the cluster is assembled; see assembleCluster). `salt` is for that.
 */
export function generatedName(generateName: string, obj: unknown, salt = 0): string {
  let h = 0x811c9dc5 ^ salt
  const text = JSON.stringify(obj) ?? ''
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  let suffix = ''
  for (let i = 0; i < 5; i++) {
    suffix += NAME_ALPHABET[h % NAME_ALPHABET.length]
    h = Math.floor(h / NAME_ALPHABET.length)
  }
  return generateName.slice(0, GENERATED_PREFIX_MAX) + suffix
}
