/**
 * The graph's question as the page asks it: `port` (PORT/PROTOCOL or "any"), `level` (auto, namespace, class,
 * workload, pod), `namespace` and `label` (K=V) filters, each repeatable. Checked here; a mistake names the
 * parameter it is about.
 */
import type { GraphLevel } from '../api.js'

export interface GraphQuery {
  /** "any", or "PORT/PROTOCOL" as the CLI writes it */
  readonly port: string
  readonly level: GraphLevel
  readonly namespaces: readonly string[]
  readonly labels: Readonly<Record<string, string>>
}

export const LEVELS: readonly GraphLevel[] = ['namespace', 'class', 'workload', 'pod']

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; path: string }

/** `8080`, `8080/tcp`, `53/UDP`, `any` → "any" or "PORT/PROTOCOL". */
export function parsePortChoice(text: string, path = 'port'): Parsed<string> {
  if (text === 'any') return { ok: true, value: 'any' }
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text.trim())
  const port = m ? Number(m[1]) : NaN
  if (!m || port < 1 || port > 65535) return { ok: false, error: `"${text}": expected "any" or PORT[/PROTOCOL] with PORT 1-65535 and PROTOCOL TCP, UDP or SCTP (e.g. 5432/TCP)`, path }
  return { ok: true, value: `${port}/${(m[2] ?? 'TCP').toUpperCase()}` }
}

/** The query's graph question; "auto" is `auto` (the level /api/cluster names as defaultLevel). */
export function parseGraphQuery(q: { port?: string | null; level?: string | null; namespaces?: readonly string[]; labels?: readonly string[] }, auto: () => GraphLevel, namespaces: { has(ns: string): boolean }): Parsed<GraphQuery> {
  const port = parsePortChoice(q.port ?? 'any')
  if (!port.ok) return port
  const levelText = q.level ?? 'auto'
  if (levelText !== 'auto' && !LEVELS.includes(levelText as GraphLevel)) return { ok: false, error: `"${levelText}": expected auto, ${LEVELS.join(', ')}`, path: 'level' }
  for (const ns of q.namespaces ?? []) if (!namespaces.has(ns)) return { ok: false, error: `"${ns}": no such namespace`, path: 'namespace' }
  const labels: Record<string, string> = {}
  for (const l of q.labels ?? []) {
    const eq = l.indexOf('=')
    if (eq <= 0) return { ok: false, error: `"${l}": expected KEY=VALUE`, path: 'label' }
    labels[l.slice(0, eq)] = l.slice(eq + 1)
  }
  return { ok: true, value: { port: port.value, level: levelText === 'auto' ? auto() : (levelText as GraphLevel), namespaces: q.namespaces ?? [], labels } }
}
