/**
 * Reads of custom-resource fields checked as the API server checks a CRD's OpenAPI schema: required fields,
 * enums, minimum/maximum, minItems/maxItems, maxLength, minProperties/maxProperties. Like parse-fields.ts,
 * every reader records problems in `issues` and never throws.
 *
 * JSON null reads as absent: the API server drops a null field that the schema does not mark nullable before
 * validating it.
 */
import type { ModelIssue } from './issues.js'
import { arrayAt, intAt, isObject, stringAt, wrongType, type Json, type Loc, pathOf, at } from './parse-fields.js'

/** `required` in the schema: a field that must be present (an empty string or list counts as present). */
export function requireField(obj: Json, key: string, loc: Loc, issues: ModelIssue[], expected: string): boolean {
  if (obj[key] !== undefined && obj[key] !== null) return true
  issues.push({ code: 'required', path: pathOf(loc, key), expected })
  return false
}

/** A list with minItems/maxItems; undefined when absent or not a list. */
export function limitedList(obj: Json, key: string, loc: Loc, issues: ModelIssue[], limits: { min?: number; max: number }): readonly unknown[] | undefined {
  const list = arrayAt(obj, key, loc, issues)
  if (list === undefined) return undefined
  if (limits.min !== undefined && list.length < limits.min) issues.push({ code: 'too_few_items', path: pathOf(loc, key), count: list.length, min: limits.min })
  if (list.length > limits.max) issues.push({ code: 'too_many_items', path: pathOf(loc, key), count: list.length, max: limits.max })
  return list
}

/** An integer with minimum/maximum; undefined when absent, of another type, or out of range. */
export function boundedInt(obj: Json, key: string, loc: Loc, issues: ModelIssue[], min: number, max: number): number | undefined {
  const n = intAt(obj, key, loc, issues)
  if (n === undefined) return undefined
  if (n < min || n > max) {
    issues.push({ code: 'out_of_range', path: pathOf(loc, key), input: n, min, max })
    return undefined
  }
  return n
}

/** A string enum; undefined when absent, of another type, or not one of `values` (case-sensitive). */
export function enumAt<T extends string>(obj: Json, key: string, loc: Loc, issues: ModelIssue[], values: readonly T[]): T | undefined {
  const s = stringAt(obj, key, loc, issues)
  if (s === undefined) return undefined
  if ((values as readonly string[]).includes(s)) return s as T
  issues.push({ code: 'unsupported_value', path: pathOf(loc, key), input: s, supported: values })
  return undefined
}

/** A string with maxLength, counted in characters as the schema counts them. */
export function limitedString(obj: Json, key: string, loc: Loc, issues: ModelIssue[], max: number): string | undefined {
  const s = stringAt(obj, key, loc, issues)
  if (s === undefined) return undefined
  const length = [...s].length
  if (length > max) issues.push({ code: 'too_long', path: pathOf(loc, key), length, max })
  return s
}

/**
 * minProperties 1 and maxProperties 1 over the fields a type defines ("exactly one field must be set"). Unknown
 * fields are reported by the caller (checkKnownFields) and not counted. The one field set, or undefined.
 */
export function exactlyOne<K extends string>(obj: Json, fields: readonly K[], loc: Loc, issues: ModelIssue[]): K | undefined {
  const set = fields.filter((f) => obj[f] !== undefined && obj[f] !== null)
  if (set.length === 1) return set[0]
  issues.push({ code: 'exactly_one_field', path: pathOf(loc), set, fields })
  return undefined
}

/** A nested object field: undefined (with an issue) when it is of another type. */
export function objectField(obj: Json, key: string, loc: Loc, issues: ModelIssue[]): { value: Json; loc: Loc } | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (!isObject(v)) {
    issues.push(wrongType(pathOf(loc, key), 'object', v))
    return undefined
  }
  return { value: v, loc: at(loc, key) }
}

/**
 * `x-kubernetes-list-type: set`: every item is unique ("Duplicate value"). Reports each repeat once, at the
 * repeated item.
 */
export function checkUniqueStrings(items: readonly string[], loc: Loc, issues: ModelIssue[]): void {
  const seen = new Set<string>()
  for (let i = 0; i < items.length; i++) {
    const s = items[i]!
    if (seen.has(s)) issues.push({ code: 'duplicate_value', path: pathOf(loc, i), input: s })
    seen.add(s)
  }
}
