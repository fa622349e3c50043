/**
 * The lint of a snapshot as a job of its own: the catalog takes seconds on a large cluster (15 s at 10,000 pods
 * and policies), so the server runs it in a worker thread (lint-runner.ts) and keeps answering meanwhile. A job
 * carries the input as read (texts by unit name, or live objects), is loaded by the same loader, and returns
 * plain data: the `netpol lint -o json` report and the findings on policies, unplaced.
 */
import type { Path } from '../../model/issues.js'
import { STDIN_NAME, type Origin } from '../../model/source.js'
import { loadSources } from '../../io/load-manifests.js'
import type { Source, SourceUnit } from '../../io/sources.js'
import type { SourceTexts } from '../../io/source-texts.js'
import type { KubeObject } from '../../io/kube/kube-object.js'
import { originOf as liveOrigin } from '../../io/kube/kube-object.js'
import { lintCluster } from '../../analysis/lint/index.js'
import { partsText, type Severity } from '../../analysis/lint/finding.js'
import { lintReport, placeFindings } from '../../report/index.js'

/** One unit of input: a text (a file, stdin) or one live object. */
export type LintUnit = { readonly name: string; readonly origin: Origin; readonly text: string } | { readonly name: string; readonly origin: Origin; readonly object: unknown }

export interface LintJob {
  readonly units: readonly LintUnit[]
}

export interface PolicyFinding {
  readonly namespace: string
  readonly name: string
  readonly severity: Severity
  readonly code: string
  readonly path: Path
  readonly message: string
}

export interface LintOutcome {
  /** exactly `netpol lint -o json` */
  readonly report: unknown
  readonly onPolicies: readonly PolicyFinding[]
}

/** The job of files read: every text kept, by the name the loader gave it. */
export function textsJob(texts: SourceTexts): LintJob {
  return { units: texts.names().map((name) => ({ name, origin: name === STDIN_NAME ? { kind: 'stdin' } : { kind: 'file', path: name }, text: texts.get(name)! })) }
}

/** The job of a live cluster's objects, each named by its origin as the loader names it. */
export function objectsJob(context: string, objects: readonly KubeObject[]): LintJob {
  return {
    units: objects.map((o) => {
      const ns = o.metadata.namespace
      return { name: liveOrigin(context, o), origin: { kind: 'cluster', context, objectKind: o.kind, ...(ns ? { namespace: ns } : {}), name: o.metadata.name }, object: o }
    }),
  }
}

export async function runLintJob(job: LintJob): Promise<LintOutcome> {
  const source: Source = {
    read: async () => ({
      units: job.units.map((u): SourceUnit => ({ origin: u.origin, name: u.name, content: 'text' in u ? { kind: 'text', text: u.text } : { kind: 'objects', objects: [u.object] } })),
      issues: [],
      skipped: [],
      byPath: [],
      missing: [],
      chartOf: async () => undefined,
    }),
  }
  const loaded = await loadSources([source], { keepText: true })
  const result = lintCluster(loaded.cluster)
  const onPolicies = result.findings
    .filter((f) => f.object.kind === 'NetworkPolicy')
    .map((f) => ({ namespace: f.object.namespace ?? '', name: f.object.name, severity: f.severity, code: f.id, path: f.path, message: partsText(f.message) }))
  return { report: lintReport(await placeFindings(result, loaded.texts)), onPolicies }
}
