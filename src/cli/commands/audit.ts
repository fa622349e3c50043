import type { Cluster } from '../../model/cluster.js'
import { ManifestCache, manifestSources } from '../../io/load-manifests.js'
import type { Source } from '../../io/sources.js'
import { auditConnections } from '../../flows/audit-flows.js'
import type { FlowFormat } from '../../flows/flow-record.js'
import { readFlows } from '../../flows/read-flows.js'
import { ConnectionCollector } from '../../flows/resolve-flows.js'
import { ExitError, UsageError, writer, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { liveOf } from '../shown-namespaces.js'
import { flowStdin, parseTimeArg } from '../flow-args.js'
import { auditJsonChunks, type AuditReport } from '../render/audit-json.js'
import { auditMarkdownChunks } from '../render/audit-md.js'
import { auditTextChunks } from '../render/audit-text.js'
import { phase } from '../timings.js'

export interface AuditOptions {
  flows: string[]
  filename: string[]
  proposed: string[]
  format?: FlowFormat
  since?: string
  until?: string
  output: 'text' | 'json' | 'md'
  kubeconfig?: string
  context?: string
}

/** How many unreadable lines are printed on stderr (all are counted). */
const SHOWN_ISSUES = 10

/**
 * `netpol audit --flows F… [-f CLUSTER…] --proposed P…`: read the cluster (the -f manifests, or the live cluster),
 * apply the proposed objects over it as `kubectl apply` would (as `diff --live` does), stream the flows into
 * connections resolved against the cluster, and check each with the engine against the proposed side. Exit 1
 * when an observed connection would be denied, 2 on bad input (a flow file that cannot be read, bad manifests).
 */
export async function audit(opts: AuditOptions, io: CliIO): Promise<void> {
  if (opts.flows.length === 0) throw new UsageError('audit: name the observed flows with --flows FILE (or - for stdin); repeatable')
  if (opts.proposed.length === 0) throw new UsageError('audit: name the proposed policies with --proposed PATH (file or directory); repeatable')
  const dashes = [...opts.flows, ...opts.filename, ...opts.proposed].filter((p) => p === '-').length
  if (dashes > 1) throw new UsageError('audit: only one of --flows, -f and --proposed can read stdin (-)')
  const now = Date.now()
  const since = opts.since !== undefined ? parseTimeArg('--since', opts.since, now) : undefined
  const until = opts.until !== undefined ? parseTimeArg('--until', opts.until, now) : undefined
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError(`--since ${opts.since} is not before --until ${opts.until}`)

  const stdin = () => io.readStdin()
  // the cluster's files are read twice (today, and with the proposal over it) and parsed once
  const cache = new ManifestCache()
  let base: Source[]
  if (opts.filename.length > 0) base = manifestSources(opts.filename, { stdin, cache })
  else {
    const { liveSource, readLiveOrExit } = await import('../live.js')
    base = [liveSource(await readLiveOrExit(liveOf(opts), io))]
  }
  const current = await loadClusterOrExit({ files: [], sources: base, quiet: true }, io)
  const proposed: Cluster = await loadClusterOrExit({ files: [], sources: [...base, ...manifestSources(opts.proposed, { stdin })], quiet: true }, io)

  phase('parse')
  const collector = new ConnectionCollector(current, { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) })
  const read = await readFlows(opts.flows, {
    ...(opts.format ? { format: opts.format } : {}),
    stdin: flowStdin(io),
    onRecord: (r) => collector.add(r),
  })
  const fatal = read.stopped
  for (const i of fatal) io.stderr.write(`error: ${i.file}${i.line > 0 ? `:${i.line}` : ''}: ${i.message}\n`)
  if (fatal.length > 0) throw new ExitError(2)
  const lineIssues = read.issues.filter((i) => !fatal.includes(i))
  for (const i of lineIssues.slice(0, SHOWN_ISSUES)) io.stderr.write(`warning: ${i.file}:${i.line}: ${i.message} (line skipped)\n`)
  if (lineIssues.length > SHOWN_ISSUES) io.stderr.write(`warning: ${lineIssues.length - SHOWN_ISSUES} more unreadable lines\n`)

  const resolved = collector.result()
  phase('read')
  const result = auditConnections(proposed, resolved.connections, current)
  phase('audit')
  const report: AuditReport = {
    result,
    stats: { ...resolved.stats, lines: read.lines, unreadable: lineIssues.length },
    connections: resolved.connections.length,
    unresolved: resolved.unresolved,
    issues: lineIssues,
  }
  const chunks = opts.output === 'json' ? auditJsonChunks(report) : opts.output === 'md' ? auditMarkdownChunks(proposed, report) : auditTextChunks(proposed, report)
  await writeChunks(io, chunks)
  if (result.wouldBreak.length > 0) throw new ExitError(1)
}

/** Writes a report as it is made, in pieces of about 64 KiB, waiting for a slow reader (nothing is held whole). */
async function writeChunks(io: CliIO, chunks: Iterable<string>): Promise<void> {
  const out = writer(io.stdout)
  let buf = ''
  for (const c of chunks) {
    buf += c
    if (buf.length >= 65_536) {
      await out.write(buf)
      buf = ''
    }
  }
  if (buf !== '') await out.write(buf)
  await out.end()
}
