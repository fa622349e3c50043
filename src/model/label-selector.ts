import type { Labels } from './labels.js'

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

/**
 * One requirement of a selector. matchLabels `{k: v}` becomes `{key: k, operator: 'In', values: [v]}`,
 * as the API server's own conversion does (metav1.LabelSelectorAsSelector).
 */
export interface Requirement {
  readonly key: string
  readonly operator: Operator
  readonly values: readonly string[]
  /** true when it came from matchLabels (only changes how it is shown) */
  readonly fromMatchLabels?: boolean
}

/**
 * A parsed, validated label selector. "An empty label selector matches all objects"
 * (LabelSelector): no requirements means everything.
 */
export interface LabelSelector {
  readonly requirements: readonly Requirement[]
  /** canonical text, equal for selectors that select the same sets; used to intern selectors */
  readonly key: string
}

export function makeSelector(requirements: readonly Requirement[]): LabelSelector {
  const key = requirements
    .map((r) => `${r.key}${opSymbol(r.operator)}${[...new Set(r.values)].sort().join('|')}`)
    .sort()
    .join('&')
  return { requirements, key }
}

export const MATCH_ALL: LabelSelector = makeSelector([])

function opSymbol(op: Operator): string {
  switch (op) {
    case 'In': return ' in '
    case 'NotIn': return ' notin '
    case 'Exists': return ' exists'
    case 'DoesNotExist': return ' !exists'
  }
}

/** "The requirements are ANDed" (LabelSelector). */
export function requirementHolds(req: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key)
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(labels[req.key]!)
    case 'NotIn':
      // NotIn also matches objects that lack the key (k8s.io/apimachinery labels.Requirement.Matches)
      return !has || !req.values.includes(labels[req.key]!)
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
  }
}

export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  for (const req of sel.requirements) if (!requirementHolds(req, labels)) return false
  return true
}

/** The requirements that the labels fail, for explanations. Empty iff the selector matches. */
export function failedRequirements(sel: LabelSelector, labels: Labels): Requirement[] {
  return sel.requirements.filter((r) => !requirementHolds(r, labels))
}

export function formatRequirement(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(', ')})`
    case 'NotIn':
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(', ')})`
    case 'Exists':
      return r.key
    case 'DoesNotExist':
      return `!${r.key}`
  }
}

export function formatSelector(sel: LabelSelector): string {
  return sel.requirements.length === 0 ? '{} (all)' : sel.requirements.map(formatRequirement).join(', ')
}
