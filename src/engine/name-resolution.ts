/**
 * What domain names resolve to, as the user says (`--resolve NAME=IP[,IP]`, `--resolve-file`): the only way an
 * address can match a `domainNames` peer. netpol never asks DNS itself and never guesses.
 *
 * - An address the resolution lists is taken to be exactly the names that map to it: a pattern matches it when
 *   it matches one of those names, and does not otherwise.
 * - An address it does not list: an exact name the resolution maps (to other addresses) does not match it; a
 *   name it does not map, and a wildcard, leave the answer to DNS (undecided).
 */
import type { IpAddress } from '../model/ip.js'

/** name (lower case, no trailing dot) → its addresses */
export type NameResolution = ReadonlyMap<string, readonly IpAddress[]>

export const NO_RESOLUTION: NameResolution = new Map()

/** "case-insensitive"; a trailing dot (a fully-qualified name) names the same domain. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower.slice(0, -1) : lower
}

/**
 * Does a domainNames pattern match a name? "`*.example.com` matches `www.example.com` and
 * `blog.dev.example.com`", one or more whole labels; it does not match `example.com` itself.
 */
export function patternMatchesName(pattern: string, name: string): boolean {
  const p = normalizeName(pattern)
  const n = normalizeName(name)
  if (!p.startsWith('*.')) return p === n
  const suffix = p.slice(1) // ".example.com"
  return n.length > suffix.length && n.endsWith(suffix)
}

/** The answer for one domainNames peer against an address: matches, does not, or depends on these patterns. */
export type NamesMatch = { readonly kind: 'yes'; readonly name: string } | { readonly kind: 'no' } | { readonly kind: 'undecided'; readonly names: readonly string[] }

export function matchNames(patterns: readonly string[], ip: IpAddress, resolution: NameResolution): NamesMatch {
  const namesOfIp: string[] = []
  for (const [name, ips] of resolution) if (ips.some((a) => a.family === ip.family && a.value === ip.value)) namesOfIp.push(name)
  for (const p of patterns) {
    const hit = namesOfIp.find((n) => patternMatchesName(p, n))
    if (hit !== undefined) return { kind: 'yes', name: hit }
  }
  if (namesOfIp.length > 0) return { kind: 'no' }
  const undecided = patterns.filter((p) => p.startsWith('*.') || !resolution.has(normalizeName(p)))
  return undecided.length === 0 ? { kind: 'no' } : { kind: 'undecided', names: undecided }
}
