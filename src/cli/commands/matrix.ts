import type { Family } from '../../model/ip.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { computeReachability } from '../../analysis/reachability.js'
import { matrixPorts } from '../../analysis/matrix-ports.js'
import { parsePortArg } from '../args.js'
import { UsageError, writer, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { checkNamespaceFlags, liveOf } from '../shown-namespaces.js'
import { phase } from '../timings.js'
import { writeMatrixCsv, writeMatrixJson, writeMatrixMarkdown, writeMatrixTable } from '../render/matrix.js'

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
  output: 'table' | 'json' | 'csv' | 'md'
}

/**
 * `netpol matrix`: read → class-level reachability → stream the pod-level table. Rows are the pods of
 * --namespace and --from-namespace (all pods when neither is given), columns those of --namespace and
 * --to-namespace (likewise): `--to-namespace db` asks who reaches namespace db from anywhere.
 */
export async function matrix(opts: MatrixOptions, io: CliIO): Promise<void> {
  checkNamespaceFlags(opts)
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const ports = opts.port.length > 0 ? opts.port.map(parsePortArg) : matrixPorts(cluster)
  const have = () => [...cluster.namespaces.keys()].sort().join(', ')
  for (const [flag, list] of [['-n', opts.namespace], ['--from-namespace', opts.fromNamespace ?? []], ['--to-namespace', opts.toNamespace ?? []]] as const) {
    for (const ns of list) if (!cluster.namespaces.has(ns)) throw new UsageError(`${flag} ${ns}: no such namespace in the input (have: ${have()})`)
  }
  const rowNs = new Set([...opts.namespace, ...(opts.fromNamespace ?? [])])
  const colNs = new Set([...opts.namespace, ...(opts.toNamespace ?? [])])
  const isRow = (ns: string) => rowNs.size === 0 || rowNs.has(ns)
  const isCol = (ns: string) => colNs.size === 0 || colNs.has(ns)
  // the pods of either axis, in cluster order: a verdict depends only on its two ends, never on other pods
  const pods = rowNs.size === 0 && colNs.size === 0 ? cluster.pods : cluster.pods.filter((p) => isRow(p.namespace) || isCol(p.namespace))
  const axes = { from: [] as number[], to: [] as number[] }
  pods.forEach((p, i) => {
    if (isRow(p.namespace)) axes.from.push(i)
    if (isCol(p.namespace)) axes.to.push(i)
  })
  if (pods.length === 0) io.stderr.write(`note: no pods${rowNs.size + colNs.size > 0 ? ' in the namespaces asked for' : ' in the input'}: the matrix is empty\n`)
  const hostNetwork = pods.filter((p) => p.hostNetwork)
  if (hostNetwork.length > 0) {
    // evaluated by their labels like any pod; Kubernetes leaves their enforcement undefined
    io.stderr.write(`note: ${hostNetwork.length} hostNetwork pod${hostNetwork.length === 1 ? '' : 's'} (${hostNetwork.slice(0, 3).map((p) => `${p.namespace}/${p.name}`).join(', ')}${hostNetwork.length > 3 ? ', …' : ''}): their rows and columns follow the policies, but NetworkPolicy enforcement for hostNetwork pods is undefined in Kubernetes and netpol's agent does not filter them\n`)
  }
  const family: Family = opts.family ? (Number(opts.family) as Family) : pods.some((p) => p.ips.some((a) => a.family === 4)) || !pods.some((p) => p.ips.length) ? 4 : 6
  const result = computeReachability(indexCluster(cluster), pods, ports, family)
  phase('analysis')
  const out = writer(io.stdout)
  const write = (s: string | Uint8Array) => out.write(s)
  switch (opts.output) {
    case 'json': await writeMatrixJson(result, write, axes); break
    case 'csv': await writeMatrixCsv(result, write, axes); break
    case 'md': await writeMatrixMarkdown(result, write, axes); break
    default:
      if (ports.length === 0) await write('no ports: no pod declares a container port and no policy names one; give --port\n')
      await writeMatrixTable(result, write, axes)
  }
  await out.end()
}
