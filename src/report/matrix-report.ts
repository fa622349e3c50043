/**
 * The JSON contract of `matrix -o json`, written as a stream (a 10k-pod matrix is 100M cells): the shape lives
 * here, the caller supplies the sink (the CLI's stdout writer, or a server's response). {@link planMatrix} picks
 * the pods, axes, ports and family from the same options the command takes, so `netpol serve` computes exactly
 * the matrix the command line prints.
 */
import type { Cluster, Pod } from '../model/cluster.js'
import type { Family } from '../model/ip.js'
import { matrixPorts } from '../analysis/matrix-ports.js'
import type { PortProtocol, Reachability } from '../analysis/reachability.js'
import { MatrixRows } from './matrix-rows.js'

export type Sink = (chunk: string | Uint8Array) => Promise<void> | void

/**
 * Which pods of a result are the rows (sources) and which the columns (destinations), as indexes into
 * `r.pods` in order. Absent: every pod both ways, the square matrix.
 */
export interface MatrixAxes {
  readonly from: readonly number[]
  readonly to: readonly number[]
}

export const podName = (r: Reachability, i: number) => `${r.pods[i]!.namespace}/${r.pods[i]!.name}`
const allPods = (r: Reachability): number[] => r.pods.map((_, i) => i)
const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** The axes to draw, and whether rows and columns are the same pods (one list of names serves both). */
export function axesOf(r: Reachability, axes: MatrixAxes | undefined): { from: readonly number[]; to: readonly number[]; square: boolean } {
  if (axes === undefined) {
    const all = allPods(r)
    return { from: all, to: all, square: true }
  }
  return { from: axes.from, to: axes.to, square: sameList(axes.from, axes.to) }
}

/**
 * `{"pods": [...], "results": [{"port": 80, "protocol": "TCP", "allowed": [[...], ...]}]}` — the stable
 * contract; allowed[i][j] is pods[i] → pods[j]. When rows and columns differ (--from-namespace,
 * --to-namespace), `from` and `to` take the place of `pods` and allowed[i][j] is from[i] → to[j]: a reader
 * that expects a square matrix fails on the missing `pods` instead of misreading the cells. Written row by row.
 */
export async function writeMatrixReport(r: Reachability, write: Sink, axes?: MatrixAxes): Promise<void> {
  const a = axesOf(r, axes)
  const names = (list: readonly number[]) => JSON.stringify(list.map((i) => podName(r, i)))
  await write(a.square ? `{"pods": ${names(a.from)},\n "results": [` : `{"from": ${names(a.from)},\n "to": ${names(a.to)},\n "results": [`)
  for (let k = 0; k < r.results.length; k++) {
    const m = r.results[k]!
    await write(`${k ? ',' : ''}\n  {"port": ${m.port}, "protocol": "${m.protocol}", "allowed": [`)
    const rows = new MatrixRows(r, m, 'true', 'false', ',', a.to)
    for (let i = 0; i < a.from.length; i++) {
      const cells = rows.row(a.from[i]!)
      await write(`${i ? ',' : ''}\n   [`)
      await write(cells.subarray(0, Math.max(0, cells.length - 1)))
      await write(']')
    }
    await write(`${a.from.length ? '\n  ' : ''}]}`)
  }
  await write(`${r.results.length ? '\n ' : ''}]}\n`)
}


/** What `matrix` is asked: ports (none: {@link matrixPorts}), namespaces of both axes, of the rows, of the columns. */
export interface MatrixQuery {
  readonly ports?: readonly PortProtocol[]
  readonly namespaces?: readonly string[]
  readonly fromNamespaces?: readonly string[]
  readonly toNamespaces?: readonly string[]
  readonly family?: Family
}

/** The pods to compute (either axis, in cluster order), the axes as indexes into them, and notes for the user. */
export interface MatrixPlan {
  readonly pods: readonly Pod[]
  readonly axes: MatrixAxes
  readonly ports: readonly PortProtocol[]
  readonly family: Family
  /** "no pods …", "N hostNetwork pods …": what the CLI prints as `note:` lines */
  readonly notes: readonly string[]
}

export type MatrixPlanResult = { readonly ok: true; readonly value: MatrixPlan } | { readonly ok: false; readonly error: { readonly field: 'namespace' | 'fromNamespace' | 'toNamespace'; readonly message: string } }

/** Never throws for bad input: an unknown namespace comes back with the CLI's message (it names the flag). */
export function planMatrix(cluster: Cluster, q: MatrixQuery): MatrixPlanResult {
  const ports = q.ports && q.ports.length > 0 ? q.ports : matrixPorts(cluster)
  const have = () => [...cluster.namespaces.keys()].sort().join(', ')
  const lists = [['namespace', '-n', q.namespaces ?? []], ['fromNamespace', '--from-namespace', q.fromNamespaces ?? []], ['toNamespace', '--to-namespace', q.toNamespaces ?? []]] as const
  for (const [field, flag, list] of lists) {
    for (const ns of list) if (!cluster.namespaces.has(ns)) return { ok: false, error: { field, message: `${flag} ${ns}: no such namespace in the input (have: ${have()})` } }
  }
  const rowNs = new Set([...(q.namespaces ?? []), ...(q.fromNamespaces ?? [])])
  const colNs = new Set([...(q.namespaces ?? []), ...(q.toNamespaces ?? [])])
  const isRow = (ns: string) => rowNs.size === 0 || rowNs.has(ns)
  const isCol = (ns: string) => colNs.size === 0 || colNs.has(ns)
  // the pods of either axis, in cluster order: a verdict depends only on its two ends, never on other pods
  const pods = rowNs.size === 0 && colNs.size === 0 ? cluster.pods : cluster.pods.filter((p) => isRow(p.namespace) || isCol(p.namespace))
  const axes = { from: [] as number[], to: [] as number[] }
  pods.forEach((p, i) => {
    if (isRow(p.namespace)) axes.from.push(i)
    if (isCol(p.namespace)) axes.to.push(i)
  })
  const notes: string[] = []
  if (pods.length === 0) notes.push(`no pods${rowNs.size + colNs.size > 0 ? ' in the namespaces asked for' : ' in the input'}: the matrix is empty`)
  const hostNetwork = pods.filter((p) => p.hostNetwork)
  if (hostNetwork.length > 0) {
    // evaluated by their labels like any pod; Kubernetes leaves their enforcement undefined
    notes.push(`${hostNetwork.length} hostNetwork pod${hostNetwork.length === 1 ? '' : 's'} (${hostNetwork.slice(0, 3).map((p) => `${p.namespace}/${p.name}`).join(', ')}${hostNetwork.length > 3 ? ', …' : ''}): their rows and columns follow the policies, but NetworkPolicy enforcement for hostNetwork pods is undefined in Kubernetes and netpol's agent does not filter them`)
  }
  const family: Family = q.family ?? (pods.some((p) => p.ips.some((a) => a.family === 4)) || !pods.some((p) => p.ips.length) ? 4 : 6)
  return { ok: true, value: { pods, axes, ports, family, notes } }
}

/** Cells the JSON would hold: rows × columns × ports (a server refuses what it cannot send). */
export const matrixCells = (plan: MatrixPlan): number => plan.axes.from.length * plan.axes.to.length * plan.ports.length
