import { formatRequirement, type LabelSelector, type Requirement } from '../../model/label-selector.js'
import type { Labels } from '../../model/labels.js'
import { code, count, joinParts, msg, type Part } from './finding.js'

/** Nouns for what is being selected: pods or namespaces. */
export interface Noun {
  readonly one: string
  readonly many: string
}
export const POD: Noun = { one: 'pod', many: 'pods' }
export const NAMESPACE: Noun = { one: 'namespace', many: 'namespaces' }

/** A label that exists on some candidates, and how many carry it. */
export interface LabelCount {
  readonly key: string
  readonly value: string
  readonly count: number
}

const near = (d: number, s: string) => d <= Math.max(1, Math.floor(s.length / 3))

/**
 * Edits between two strings, counting a swap of two neighbouring characters as one edit (optimal string
 * alignment distance): `wbe` is one typo away from `web`.
 */
export function typoDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      row.push(d)
    }
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}

/**
 * The labels of some candidates, each with how many carry it, in the order they first appear, and how many
 * candidates there are: all that the hints read of them.
 */
export interface LabelTally {
  readonly total: number
  readonly counts: readonly LabelCount[]
}

/** `weights`: how many candidates each entry of `candidates` stands for (one each without it). */
export function tallyLabels(candidates: readonly Labels[], weights?: readonly number[]): LabelTally {
  const counts = new Map<string, { key: string; value: string; count: number }>()
  let total = 0
  candidates.forEach((labels, i) => {
    const n = weights === undefined ? 1 : weights[i]!
    total += n
    for (const [key, value] of Object.entries(labels)) {
      const k = `${key}\n${value}`
      const c = counts.get(k)
      if (c) c.count += n
      else counts.set(k, { key, value, count: n })
    }
  })
  return { total, counts: [...counts.values()] }
}

/** The tally of the candidates of `parts` one after another (first appearances in that order). */
export function mergeTallies(parts: readonly LabelTally[]): LabelTally {
  if (parts.length === 1) return parts[0]!
  const counts = new Map<string, { key: string; value: string; count: number }>()
  let total = 0
  for (const t of parts) {
    total += t.total
    for (const l of t.counts) {
      const k = `${l.key}\n${l.value}`
      const c = counts.get(k)
      if (c) c.count += l.count
      else counts.set(k, { ...l })
    }
  }
  return { total, counts: [...counts.values()] }
}

const asTally = (candidates: readonly Labels[] | LabelTally): LabelTally => ('total' in candidates ? candidates : tallyLabels(candidates))

/** How many of the tallied candidates requirement `r` holds for (each carries one value per key). */
function holdCount(r: Requirement, t: LabelTally): number {
  const values = new Set(r.values)
  let withKey = 0
  let inValues = 0
  for (const l of t.counts) {
    if (l.key !== r.key) continue
    withKey += l.count
    if (values.has(l.value)) inValues += l.count
  }
  switch (r.operator) {
    case 'In': return inValues
    case 'NotIn': return t.total - inValues
    case 'Exists': return withKey
    case 'DoesNotExist': return t.total - withKey
  }
}

/**
 * The existing labels closest to what requirement `r` asks for, by edit distance on key and value: a near key
 * with a near value, the same key with a near value, or the same (non-trivial) value under another key.
 * At most two, closest first, then most common.
 */
export function nearestLabels(r: Requirement, candidates: readonly Labels[] | LabelTally): LabelCount[] {
  const scored: { l: LabelCount; d: number }[] = []
  const keyDistance = new Map<string, number>()
  for (const l of asTally(candidates).counts) {
    let kd = keyDistance.get(l.key)
    if (kd === undefined) keyDistance.set(l.key, (kd = typoDistance(r.key, l.key)))
    if (r.operator === 'Exists') {
      if (kd > 0 && near(kd, r.key)) scored.push({ l, d: kd })
      continue
    }
    if (r.operator !== 'In') continue
    let best = Infinity
    for (const v of r.values) {
      // the distance is at least the difference in length: a value that far is neither near nor equal
      if (Math.abs(v.length - l.value.length) > Math.max(1, Math.floor(v.length / 3))) continue
      const vd = typoDistance(v, l.value)
      if (kd + vd === 0) continue
      const ok = (near(kd, r.key) && near(vd, v)) || (vd === 0 && v.length >= 3 && !l.key.includes('/')) || (kd === 0 && near(vd, v))
      if (ok) best = Math.min(best, kd + vd)
    }
    if (best < Infinity) scored.push({ l, d: best })
  }
  return scored
    .sort((a, b) => a.d - b.d || b.l.count - a.l.count || (a.l.key + a.l.value < b.l.key + b.l.value ? -1 : 1))
    .slice(0, 2)
    .map((s) => s.l)
}

const labelWithCount = (l: LabelCount, noun: Noun): Part[] =>
  l.value === '' && l.key !== '' ? msg`${code(l.key)} (${count(l.count, noun.one, noun.many)})` : msg`${code(`${l.key}=${l.value}`)} (${count(l.count, noun.one, noun.many)})`

/**
 * Why `sel` matches none of `candidates`, with the nearest labels that do exist:
 * "no pod has app=fronted; did you mean app=frontend (3 pods)?". `scope` follows the noun ("in namespace shop").
 * When every requirement holds for some candidate but never all at once, each is listed with its count.
 * Call only when the selector matches no candidate.
 */
export function emptySelectorHint(sel: LabelSelector, candidates: readonly Labels[] | LabelTally, noun: Noun, scope: readonly Part[]): Part[] {
  const tally = asTally(candidates)
  const reqs = sel.requirements
  const holds = reqs.map((r) => holdCount(r, tally))
  const dead = reqs.filter((_, i) => holds[i] === 0)
  if (dead.length === 0) {
    const each = reqs.map((r, i) => msg`${code(formatRequirement(r))} (${count(holds[i]!, noun.one, noun.many)})`)
    return msg`no ${noun.one}${scope} matches all of ${joinParts(each)} at once`
  }
  const out: Part[] = []
  dead.forEach((r, i) => out.push(...(i > 0 ? ['; '] : []), ...deadHint(r, tally, noun, scope)))
  return out
}

function deadHint(r: Requirement, candidates: LabelTally, noun: Noun, scope: readonly Part[]): Part[] {
  if (r.operator === 'NotIn' || r.operator === 'DoesNotExist') {
    return msg`every ${noun.one}${scope} fails ${code(formatRequirement(r))}`
  }
  const what = r.operator === 'Exists' ? msg`a label ${code(r.key)}` : msg`${code(formatRequirement(r))}`
  const head = msg`no ${noun.one}${scope} has ${what}`
  const nearest = nearestLabels(r, candidates)
  if (nearest.length > 0) return msg`${head}; did you mean ${joinParts(nearest.map((l) => labelWithCount(l, noun)), 'or')}?`
  const sameKey = candidates.counts
    .filter((l) => l.key === r.key)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
  if (sameKey.length > 0) {
    const shown = sameKey.slice(0, 3).map((l) => labelWithCount(l, noun))
    return msg`${head} (${noun.many} carry ${joinParts(shown)}${sameKey.length > 3 ? ', …' : ''})`
  }
  return r.operator === 'Exists' ? head : msg`${head} (no ${noun.one} carries the key ${code(r.key)})`
}
