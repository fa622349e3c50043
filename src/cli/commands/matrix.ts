import type { Family } from '../../model/ip.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { computeReachability } from '../../analysis/reachability.js'
import { parsePortArg } from '../args.js'
import { UsageError, writer, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { checkNamespaceFlags, liveOf } from '../shown-namespaces.js'
import { phase } from '../timings.js'
import { writeMatrixCsv, writeMatrixMarkdown, writeMatrixTable } from '../render/matrix.js'
import { planMatrix, writeMatrixReport } from '../../report/matrix-report.js'
import { graphReport } from '../../report/graph-report.js'
import type { GraphLevel } from '../../report/graph-types.js'
import { renderDot } from '../render/graph-dot.js'
import { renderMermaid } from '../render/graph-mermaid.js'

export interface MatrixOptions {
  filename: string[]
  port: string[]
  namespace: string[]
  fromNamespace: string[]
  toNamespace: string[]
  allNamespaces?: boolean
  kubeconfig?: string
  context?: string
  family?: '4' | '6'
  output: 'table' | 'json' | 'csv' | 'md' | 'dot' | 'mermaid'
  level?: 'auto' | GraphLevel
}

/**
 * `netpol matrix`: read → class-level reachability → stream the pod-level table. Rows are the pods of
 * --namespace and --from-namespace (all pods when neither is given), columns those of --namespace and
 * --to-namespace (likewise): `--to-namespace db` asks who reaches namespace db from anywhere.
 */
export async function matrix(opts: MatrixOptions, io: CliIO): Promise<void> {
  checkNamespaceFlags(opts)
  if (opts.output === 'dot' || opts.output === 'mermaid') return graph(opts, io)
  if (opts.level !== undefined && opts.level !== 'auto') throw new UsageError('--level is for -o dot and -o mermaid')
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const planned = planMatrix(cluster, {
    ...(opts.port.length > 0 ? { ports: opts.port.map(parsePortArg) } : {}),
    namespaces: opts.namespace,
    fromNamespaces: opts.fromNamespace ?? [],
    toNamespaces: opts.toNamespace ?? [],
    ...(opts.family ? { family: Number(opts.family) as Family } : {}),
  })
  if (!planned.ok) throw new UsageError(planned.error.message)
  const { pods, axes, ports, family, notes } = planned.value
  for (const n of notes) io.stderr.write(`note: ${n}\n`)
  const result = computeReachability(indexCluster(cluster), pods, ports, family)
  phase('analysis')
  const out = writer(io.stdout)
  const write = (s: string | Uint8Array) => out.write(s)
  switch (opts.output) {
    case 'json': await writeMatrixReport(result, write, axes); break
    case 'csv': await writeMatrixCsv(result, write, axes); break
    case 'md': await writeMatrixMarkdown(result, write, axes); break
    default:
      if (ports.length === 0) await write('no ports: no pod declares a container port and no policy names one; give --port\n')
      await writeMatrixTable(result, write, axes)
  }
  await out.end()
}

/**
 * `matrix -o dot|mermaid`: the graph report of one port (or of any port when none is given) at a level, drawn;
 * -n shows the nodes of those namespaces and the edges among them.
 */
async function graph(opts: MatrixOptions, io: CliIO): Promise<void> {
  if (opts.port.length > 1) throw new UsageError(`-o ${opts.output} draws one port, or every port without --port (${opts.port.length} were given)`)
  if (opts.fromNamespace.length > 0 || opts.toNamespace.length > 0) throw new UsageError(`-o ${opts.output} draws a graph: limit it with -n (--from-namespace and --to-namespace are for tables)`)
  const port = opts.port.length === 1 ? parsePortArg(opts.port[0]!) : ('any' as const)
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const have = () => [...cluster.namespaces.keys()].sort().join(', ')
  for (const ns of opts.namespace) if (!cluster.namespaces.has(ns)) throw new UsageError(`-n ${ns}: no such namespace in the input (have: ${have()})`)
  const g = graphReport(cluster, { port, level: opts.level ?? 'auto', namespaces: opts.namespace, ...(opts.family ? { family: Number(opts.family) as Family } : {}) })
  phase('analysis')
  io.stdout.write(opts.output === 'dot' ? renderDot(g) : renderMermaid(g))
}
