import { checkConnections } from '../../report/check-plan.js'
import { checkExitCode, checkReport } from '../../report/check-report.js'
import { readResolution } from '../resolve-options.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { liveOf } from '../shown-namespaces.js'
import { renderCheckText, type Style, plain } from '../render/verdict-text.js'

export interface CheckOptions {
  filename: string[]
  from: string
  to: string
  port?: string
  family?: '4' | '6'
  resolve?: string[]
  resolveFile?: string[]
  output: 'text' | 'json'
  kubeconfig?: string
  context?: string
}

/**
 * `netpol check`: read → resolve → evaluate each (source, destination) pair → render. Exit 0 allowed, 1 denied
 * (some connection is denied whatever DNS answers), 3 the answer depends on what domain names resolve to.
 */
export async function check(opts: CheckOptions, io: CliIO): Promise<void> {
  const resolution = await readResolution(opts)
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  const query = {
    from: opts.from,
    to: opts.to,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.family ? { family: Number(opts.family) as 4 | 6 } : {}),
    ...(resolution ? { resolution } : {}),
  }
  const result = checkConnections(cluster, query)
  if (!result.ok) throw new UsageError(result.error.message)
  const checked = result.value
  if (opts.output === 'json') io.stdout.write(JSON.stringify(checkReport(checked, cluster.policies, cluster.clusterPolicies), null, 2) + '\n')
  else io.stdout.write(renderCheckText(cluster, checked, io.stdout.isTTY ? await colors() : plain))
  const code = checkExitCode(checked)
  if (code !== 0) throw new ExitError(code)
}

async function colors(): Promise<Style> {
  const pc = (await import('picocolors')).default
  return { ok: pc.green, bad: pc.red, dim: pc.dim, bold: pc.bold }
}
