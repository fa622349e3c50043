/**
 * What domain names resolve to, as the user writes it: `--resolve NAME=IP[,IP]` (repeatable) and
 * `--resolve-file FILE`, whose lines are `NAME IP [IP...]` (`#` starts a comment; blank lines are skipped).
 * The engine takes the result as its {@link NameResolution}; netpol never asks DNS. A name given several times
 * has every address given. Mistakes come back as the text the CLI prints after "error: ", with file:line:col.
 */
import { parseIp, type IpAddress } from '../model/ip.js'
import { normalizeName, type NameResolution } from '../engine/name-resolution.js'

export type ResolveParse = { readonly ok: true; readonly value: NameResolution } | { readonly ok: false; readonly errors: readonly string[] }

/** A DNS name: labels of letters, digits and inner hyphens, 1-63 characters each, 253 in all; not a wildcard. */
export function isDomainName(name: string): boolean {
  const n = normalizeName(name)
  if (n.length === 0 || n.length > 253) return false
  const labels = n.split('.')
  return labels.length >= 2 && labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) && /[a-z]/.test(labels[labels.length - 1]!)
}

type Entry = { name: string; ips: IpAddress[] }

/** `--resolve` values and the text of each `--resolve-file` (with its path), together. */
export function parseResolution(args: readonly string[], files: readonly { path: string; text: string }[]): ResolveParse {
  const errors: string[] = []
  const entries: Entry[] = []
  for (const a of args) {
    const eq = a.indexOf('=')
    const where = `--resolve "${a}"`
    if (eq < 0) {
      errors.push(`${where}: expected NAME=IP[,IP] (e.g. example.com=93.184.216.34)`)
      continue
    }
    const e = entry(a.slice(0, eq), a.slice(eq + 1).split(','), where, errors)
    if (e) entries.push(e)
  }
  for (const f of files) {
    f.text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*/, '')
      const words = [...line.matchAll(/\S+/g)]
      if (words.length === 0) return
      const at = (w: RegExpMatchArray) => `${f.path}:${i + 1}:${w.index! + 1}`
      if (words.length === 1) {
        errors.push(`${at(words[0]!)}: expected NAME IP [IP...] (e.g. example.com 93.184.216.34)`)
        return
      }
      const e = entry(words[0]![0], words.slice(1).map((w) => w[0]), at(words[0]!), errors, words.slice(1).map(at))
      if (e) entries.push(e)
    })
  }
  if (errors.length > 0) return { ok: false, errors }
  const out = new Map<string, IpAddress[]>()
  for (const e of entries) {
    const known = out.get(e.name) ?? []
    for (const ip of e.ips) if (!known.some((k) => k.family === ip.family && k.value === ip.value)) known.push(ip)
    out.set(e.name, known)
  }
  return { ok: true, value: out }
}

function entry(name: string, ips: readonly string[], where: string, errors: string[], ipWhere?: readonly string[]): Entry | null {
  let ok = true
  if (!isDomainName(name)) {
    errors.push(`${where}: "${name}" is not a domain name (a resolution names one host, e.g. api.example.com; no wildcards)`)
    ok = false
  }
  const parsed: IpAddress[] = []
  ips.forEach((t, i) => {
    const ip = parseIp(t)
    if (ip === null) {
      errors.push(`${ipWhere?.[i] ?? where}: "${t}" is not an IP address`)
      ok = false
    } else parsed.push(ip)
  })
  return ok ? { name: normalizeName(name), ips: parsed } : null
}

/** `NAME` or `NAME:PORT` when the text is a domain name (not an address, not NS/POD). */
export function splitNamePort(text: string): { name: string; port: string | null } | null {
  if (text.includes('/')) return null
  const colon = text.lastIndexOf(':')
  const name = colon < 0 ? text : text.slice(0, colon)
  return isDomainName(name) ? { name: normalizeName(name), port: colon < 0 ? null : text.slice(colon + 1) } : null
}
