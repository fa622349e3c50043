import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { toDotPath } from '../../model/issues.js'
import {
  CHECKS,
  EMPTY_CONFIG,
  findCheck,
  hasErrors,
  lintCluster,
  parseLintConfig,
  SEVERITIES,
  type ConfigIssue,
  type LintConfig,
  type Severity,
} from '../../analysis/lint/index.js'
import { ExitError, UsageError, writer, type CliIO } from '../io.js'
import { loadInputOrExit } from '../load.js'
import { checkNamespaceFlags, liveOf, shownNamespaces } from '../shown-namespaces.js'
import { placeFindings } from '../../report/place-findings.js'
import { packageVersion } from '../version.js'
import { phase } from '../timings.js'
import { limitFindings, lintReport, lintReportText } from '../../report/lint-report.js'
import { lintSarif } from '../render/lint-sarif.js'
import { plainLintStyle, renderLintText, type LintStyle } from '../render/lint-text.js'

export interface LintOptions {
  filename: string[]
  output: 'text' | 'json' | 'sarif'
  disable: string[]
  config?: string
  minSeverity?: Severity
  namespace?: string[]
  allNamespaces?: boolean
  kubeconfig?: string
  context?: string
}

/**
 * `netpol lint`: read the config and the manifests → run the catalog → place findings at their lines → render.
 * Exit 1 when an error-level finding remains after --disable, severity overrides and --min-severity; 2 for bad
 * input or a bad config.
 */
export async function lint(opts: LintOptions, io: CliIO): Promise<void> {
  const config = await readConfig(opts, io)
  checkNamespaceFlags(opts)
  const { cluster, texts } = await loadInputOrExit({ files: opts.filename, keepText: true, live: liveOf(opts) }, io)
  const shown = shownNamespaces(opts, cluster.namespaces)
  const found = lintCluster(cluster, config)
  phase('analysis')
  const result = await placeFindings(limitFindings(found, shown), texts)
  if (opts.output === 'json') await writeReport(lintReportText(lintReport(result)), io)
  else if (opts.output === 'sarif') io.stdout.write(JSON.stringify(lintSarif(result, CHECKS, { version: packageVersion() }), null, 2) + '\n')
  else io.stdout.write(renderLintText(result, io.stdout.isTTY ? await colors() : plainLintStyle))
  if (hasErrors(result)) throw new ExitError(1)
}


/** Writes pieces of text in chunks of ~64 KB, waiting when the output is full. */
async function writeReport(pieces: Iterable<string>, io: CliIO): Promise<void> {
  const out = writer(io.stdout)
  let chunk = ''
  for (const piece of pieces) {
    chunk += piece
    if (chunk.length > 1 << 16) {
      await out.write(chunk)
      chunk = ''
    }
  }
  await out.write(chunk)
  await out.end()
}

/** Colors for a terminal (the caller checked isTTY); NO_COLOR and TERM=dumb turn them off. */
async function colors(): Promise<LintStyle> {
  const pc = (await import('picocolors')).default.createColors(!('NO_COLOR' in process.env) && process.env.TERM !== 'dumb')
  const sev = { error: (s: string) => pc.bold(pc.red(s)), warning: pc.yellow, info: pc.blue }
  return { severity: (s, t) => sev[s](t), code: pc.cyan, ref: pc.bold, dim: pc.dim, bold: pc.bold }
}

/** The config file (if any), then the command-line flags on top of it. */
async function readConfig(opts: LintOptions, io: CliIO): Promise<LintConfig> {
  let config = EMPTY_CONFIG
  if (opts.config !== undefined) {
    let text: string
    try {
      text = await readFile(opts.config, 'utf8')
    } catch (err) {
      throw new UsageError(`--config ${opts.config}: cannot read: ${err instanceof Error ? err.message : String(err)}`)
    }
    let value: unknown
    try {
      value = parseYaml(text)
    } catch (err) {
      throw new UsageError(`--config ${opts.config}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`)
    }
    const parsed = parseLintConfig(value, CHECKS)
    if (!parsed.ok) {
      for (const i of parsed.issues) io.stderr.write(`error: ${opts.config}: ${configIssueText(i)}\n`)
      throw new ExitError(2)
    }
    config = parsed.value
  }
  const disable = [...config.disable]
  for (const d of opts.disable) {
    const c = findCheck(CHECKS, d)
    if (!c) throw new UsageError(`--disable ${d}: no such check (ids: ${CHECKS.map((x) => x.id).join(', ')}; or their slugs)`)
    disable.push(c.id)
  }
  const minSeverity = opts.minSeverity ?? config.minSeverity
  return { disable, severity: config.severity, ...(minSeverity ? { minSeverity } : {}), ...(config.ignore ? { ignore: config.ignore } : {}) }
}

export function configIssueText(i: ConfigIssue): string {
  const at = toDotPath(i.path) || '(top level)'
  switch (i.code) {
    case 'not_an_object':
      return `${at}: expected a map with disable, severity, minSeverity and ignore`
    case 'unknown_field':
      return `${at}: unknown field "${i.field}" (known: ${i.path.length > 1 ? 'check, object, reason' : 'disable, severity, minSeverity, ignore'})`
    case 'wrong_type':
      return `${at}: expected ${i.expected}`
    case 'unknown_check':
      return `${at}: no check "${i.input}"${i.suggestions.length ? `; did you mean ${i.suggestions.join(', ')}?` : ''}`
    case 'unknown_severity':
      return `${at}: "${i.input}" is not a severity (${SEVERITIES.join(', ')})`
    case 'bad_object':
      return `${at}: "${i.input}" names no object; expected NAMESPACE/NAME (any kind), KIND NAMESPACE/NAME (e.g. NetworkPolicy shop/api), a namespace NAME, or KIND NAME for a cluster policy (e.g. ClusterNetworkPolicy deny-db)`
  }
}

