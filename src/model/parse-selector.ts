/**
 * metav1.LabelSelector and plain label-map selectors, validated as ValidateLabelSelector does and converted
 * as LabelSelectorAsSelector does.
 */
import type { ModelIssue, Parsed, Path } from './issues.js'
import { makeSelector, type LabelSelector, type Operator, type Requirement } from './label-selector.js'
import { arrayAt, at, checkKnownFields, elementObject, isObject, type Loc, NO_ITEMS, parseLabels, pathOf, result, stringAt, wrongType, nameIssue } from './parse-fields.js'
import { labelKeyProblem, labelValueProblem } from './validate-names.js'

const SELECTOR_FIELDS: ReadonlySet<string> = new Set(['matchLabels', 'matchExpressions'])
const REQUIREMENT_FIELDS: ReadonlySet<string> = new Set(['key', 'operator', 'values'])
const OPERATORS: ReadonlySet<string> = new Set<Operator>(['In', 'NotIn', 'Exists', 'DoesNotExist'])

/**
 * A LabelSelector object. null reads as the empty selector, which "matches all objects"; callers that
 * must tell an absent selector from `{}` check for null themselves.
 */
export function parseSelector(input: unknown, path: Path): Parsed<LabelSelector> {
  const issues: ModelIssue[] = []
  return result(readSelector(input, path, issues), issues)
}

/**
 * A selector written as a plain label map (Service spec.selector, ReplicationController spec.selector):
 * every entry is an equality requirement.
 */
export function parseSelectorMap(input: unknown, path: Path): Parsed<LabelSelector> {
  const issues: ModelIssue[] = []
  const labels = parseLabels(input, path, issues)
  return result(selectorFromLabels(labels), issues)
}

/** `{k: v}` → the requirements `k in (v)`, marked as written in matchLabels. */
export function selectorFromLabels(labels: Readonly<Record<string, string>>): LabelSelector {
  return makeSelector(labelRequirements(labels))
}

function labelRequirements(labels: Readonly<Record<string, string>>): Requirement[] {
  const reqs: Requirement[] = []
  for (const key in labels) reqs.push({ key, operator: 'In', values: [labels[key]!], fromMatchLabels: true })
  return reqs
}

/** The issue-collecting form of parseSelector, for callers that gather issues of a whole object. */
export function readSelector(input: unknown, path: Loc, issues: ModelIssue[]): LabelSelector {
  if (input === undefined || input === null) return makeSelector([])
  if (!isObject(input)) {
    issues.push(wrongType(path, 'label selector object', input))
    return makeSelector([])
  }
  checkKnownFields(input, SELECTOR_FIELDS, path, issues)
  // "matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent
  // to an element of matchExpressions, whose key field is "key", the operator is "In", and the values
  // array contains only "value"."
  const reqs = labelRequirements(parseLabels(input.matchLabels, at(path, 'matchLabels'), issues))
  const exprs = arrayAt(input, 'matchExpressions', path, issues)
  if (exprs) {
    for (let i = 0; i < exprs.length; i++) {
      const req = readRequirement(exprs[i], at(at(path, 'matchExpressions'), i), issues)
      if (req) reqs.push(req)
    }
  }
  return makeSelector(reqs)
}

function readRequirement(input: unknown, path: Loc, issues: ModelIssue[]): Requirement | undefined {
  const expr = elementObject(input, path, issues)
  if (!expr) return undefined
  checkKnownFields(expr, REQUIREMENT_FIELDS, path, issues)
  const key = stringAt(expr, 'key', path, issues) ?? ''
  const operator = stringAt(expr, 'operator', path, issues) ?? ''
  const rawValues = arrayAt(expr, 'values', path, issues) ?? NO_ITEMS
  const values: string[] = []
  let ok = true
  for (let i = 0; i < rawValues.length; i++) {
    // Go's JSON decoding into []string turns a null element into "" (and "" is a valid label value)
    const v = rawValues[i] === null ? '' : rawValues[i]
    if (typeof v !== 'string') {
      issues.push(wrongType(pathOf(path, 'values', i), 'string', v))
      ok = false
      continue
    }
    // "each value must be a valid label value" (ValidateLabelSelectorRequirement)
    const problem = labelValueProblem(v)
    if (problem !== null) {
      issues.push(nameIssue('invalid_label_value', pathOf(path, 'values', i), v, problem))
      ok = false
    }
    values.push(v)
  }
  const keyProblem = labelKeyProblem(key)
  if (keyProblem !== null) {
    issues.push(nameIssue('invalid_label_key', pathOf(path, 'key'), key, keyProblem))
    ok = false
  }
  if (!OPERATORS.has(operator)) {
    // "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists
    // and DoesNotExist." The names are case-sensitive.
    issues.push({ code: 'unknown_operator', path: pathOf(path, 'operator'), operator })
    return undefined
  }
  const op = operator as Operator
  // "If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or
  // DoesNotExist, the values array must be empty."
  if ((op === 'In' || op === 'NotIn') && rawValues.length === 0) {
    issues.push({ code: 'values_required', path: pathOf(path, 'values'), operator: op })
    ok = false
  }
  if ((op === 'Exists' || op === 'DoesNotExist') && rawValues.length > 0) {
    issues.push({ code: 'values_forbidden', path: pathOf(path, 'values'), operator: op })
    ok = false
  }
  return ok ? { key, operator: op, values } : undefined
}
