/**
 * `netpol generate --flows F… -f CLUSTER…`: read flows → resolve against the cluster → generate least-privilege
 * policies → write them (one file per namespace into -o DIR, or one YAML stream to stdout) → verify them with
 * the engine and summarise what they newly deny compared to the cluster today. Exit 1 when the verification
 * fails, 2 on bad input.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { diffClusters } from '../../analysis/diff.js'
import { readFlows } from '../../flows/read-flows.js'
import { ConnectionCollector } from '../../flows/resolve-flows.js'
import { generatePolicies } from '../../flows/generate-policies.js'
import { renderPolicies } from '../../flows/render-policies.js'
import { verifyGenerated } from '../../flows/verify-generated.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { liveOf } from '../shown-namespaces.js'
import { diffSides, renderDiffText } from '../render/diff-text.js'
import { formatPath, issueMessage } from '../render/format-issue.js'
import { flowStdin } from '../flow-args.js'
import { generateSummary } from '../render/generate-text.js'

export interface GenerateCommandOptions {
  flows: string[]
  filename: string[]
  output?: string
  baseline: boolean
  mergeCidrs?: string
  kubeconfig?: string
  context?: string
}

/** `/24` or `24` → 24; IPv6 addresses merge at this length plus 96. */
export function parseMergeCidrs(text: string): number {
  const m = /^\/?(\d{1,2})$/.exec(text.trim())
  const n = m ? Number(m[1]) : NaN
  if (!(n >= 8 && n <= 31)) throw new UsageError(`--merge-cidrs ${text}: expected a prefix length /8 to /31 (e.g. /24)`)
  return n
}

export async function generate(opts: GenerateCommandOptions, io: CliIO): Promise<void> {
  if (opts.flows.length === 0) throw new UsageError('generate: name the observed flows with --flows FILE (or - for stdin); repeatable')
  const mergeCidrs = opts.mergeCidrs === undefined ? undefined : parseMergeCidrs(opts.mergeCidrs)
  const cluster = await loadClusterOrExit({ files: opts.filename, live: liveOf(opts) }, io)
  // streamed: records are resolved as they are read, and only the connections are kept
  const collector = new ConnectionCollector(cluster)
  const read = await readFlows(opts.flows, { stdin: flowStdin(io), onRecord: (r) => collector.add(r) })
  for (const i of read.issues.slice(0, 20)) io.stderr.write(`warning: ${i.file}:${i.line}: ${i.message}\n`)
  if (read.issues.length > 20) io.stderr.write(`warning: … and ${read.issues.length - 20} more unreadable lines\n`)
  const resolved = collector.result()
  const gen = generatePolicies(cluster, resolved.connections, { baseline: opts.baseline, ...(mergeCidrs !== undefined ? { mergeCidrs } : {}) })
  const verified = verifyGenerated(cluster, gen.policies, gen.allowed)

  // the policies: to stdout as one stream, or one file per namespace
  const report: string[] = []
  if (opts.output === undefined) io.stdout.write(renderPolicies(gen.policies))
  else {
    await mkdir(opts.output, { recursive: true })
    const byNs = new Map<string, typeof gen.policies>()
    for (const p of gen.policies) byNs.set(p.namespace, [...(byNs.get(p.namespace) ?? []), p])
    for (const [ns, list] of byNs) {
      const file = join(opts.output, `${ns}.yaml`)
      await writeFile(file, renderPolicies(list))
      report.push(`wrote ${file} (${list.length} polic${list.length === 1 ? 'y' : 'ies'})`)
    }
  }
  const diff = diffClusters(cluster, verified.after)
  const summary = [
    ...report,
    ...generateSummary({ lines: read.lines, unreadable: read.issues.length, resolve: resolved, gen, verified }),
    '',
    renderDiffText(diff, diffSides(cluster, verified.after)).trimEnd(),
  ].join('\n')
  // the summary goes where it does not mix with the YAML
  ;(opts.output === undefined ? io.stderr : io.stdout).write(summary + '\n')
  for (const i of verified.invalid) for (const issue of i.issues) io.stderr.write(`error: generated NetworkPolicy ${i.policy}: ${formatPath(issue.path)}: ${issueMessage(issue)}\n`)
  if (verified.failures.length > 0 || verified.invalid.length > 0) throw new ExitError(1)
}
