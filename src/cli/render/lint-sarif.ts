import { toDotPath } from '../../model/issues.js'
import { originOf } from '../../model/source.js'
import { formatObject, partsText, type Finding, type LintObject, type Severity } from '../../analysis/lint/finding.js'
import type { LintResult } from '../../analysis/lint/index.js'
import type { Check } from '../../analysis/lint/check.js'

/** SARIF has no "info": its least severe level is "note". */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' }

export interface SarifOptions {
  readonly version: string
  /** turns a manifest path into an artifact URI; by default relative paths stay relative, with forward slashes */
  readonly uri?: (file: string) => string
}

const defaultUri = (file: string) => file.split('\\').join('/').split('/').map(encodeURIComponent).join('/')

function location(o: LintObject, f: Finding | null, uri: (file: string) => string) {
  const logical = [{ fullyQualifiedName: formatObject(o).replace(' ', '/'), kind: 'resource' }]
  // stdin and a live object have no artifact to point at; a file at a git revision is the file in the repository
  const origin = o.source ? originOf(o.source) : undefined
  if (!o.source || origin === undefined || origin.kind === 'stdin' || origin.kind === 'cluster') return { logicalLocations: logical }
  const file = origin.kind === 'git' ? origin.path : o.source.file
  const line = f?.location?.line ?? o.source.line
  const region = line !== undefined ? { region: { startLine: line, ...(f?.location ? { startColumn: f.location.column } : {}) } } : {}
  return { physicalLocation: { artifactLocation: { uri: uri(file) }, ...region }, logicalLocations: logical }
}

function rule(c: Check, severity: Severity) {
  return {
    id: c.id,
    name: c.slug,
    shortDescription: { text: c.title },
    fullDescription: { text: c.description },
    defaultConfiguration: { level: LEVEL[severity] },
    help: { text: c.description },
  }
}

/**
 * SARIF 2.1.0: one run whose driver lists a rule for every check of the catalog (with the severity in effect
 * for the checks that ran), one result per finding with its location (file and the line of the field when
 * known, else of the object), suppressed findings as results with `suppressions`, and the skipped checks as
 * tool notifications.
 */
export function lintSarif(r: LintResult, catalog: readonly Check[], opts: SarifOptions) {
  const uri = opts.uri ?? defaultUri
  const effective = new Map(r.ran.map((x) => [x.check.id, x.severity]))
  const rules = catalog.map((c) => rule(c, effective.get(c.id) ?? c.severity))
  const index = new Map(catalog.map((c, i) => [c.id, i]))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'netpol', version: opts.version, informationUri: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/', rules } },
        results: [...r.findings, ...r.suppressed].map((f) => {
          const path = toDotPath(f.path)
          const fix = f.fix ? ` Fix: ${partsText(f.fix.text)}.` : ''
          return {
            ruleId: f.id,
            ...(index.has(f.id) ? { ruleIndex: index.get(f.id)! } : {}),
            level: LEVEL[f.severity],
            message: { text: `${formatObject(f.object)}${path ? `: ${path}` : ''}: ${partsText(f.message)}.${fix}` },
            locations: [location(f.object, f, uri)],
            ...(f.related && f.related.length > 0
              ? { relatedLocations: f.related.map((x, i) => ({ id: i + 1, ...location(x.object, null, uri), message: { text: `${formatObject(x.object)}${x.path.length ? `: ${toDotPath(x.path)}` : ''}` } })) }
              : {}),
            ...(f.fix?.yaml ? { properties: { fixYaml: f.fix.yaml } } : {}),
            // SARIF 2.1.0 §3.35: an annotation in the manifest is "inSource", the lint config "external"
            ...(f.suppressed
              ? { suppressions: [{ kind: f.suppressed.by === 'annotation' ? 'inSource' : 'external', status: 'accepted', ...(f.suppressed.reason !== undefined ? { justification: f.suppressed.reason } : {}) }] }
              : {}),
          }
        }),
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: r.skipped.map((s) => ({
              level: 'note',
              message: { text: `${s.id} ${s.slug} did not run: ${partsText(s.reason)}` },
              descriptor: { id: s.id, ...(index.has(s.id) ? { index: index.get(s.id)! } : {}) },
            })),
          },
        ],
      },
    ],
  }
}
