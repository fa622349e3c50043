/**
 * Inputs that look like manifests but are not: Helm charts, Go template files, and the files of tools that
 * sit beside manifests (kustomization.yaml, Helm values). Recognised by name and by text, so that netpol can
 * say once what to run instead of reporting a syntax error per template line or "kind missing" per values file.
 */
import { stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { LocatedIssue } from '../model/issues.js'

/** Helm requires this exact name; a directory holding it is a chart (helm's chartutil.IsChartDir). */
export const CHART_FILE = 'Chart.yaml'

/** kustomize's file names (kustomize's konfig.RecognizedKustomizationFileNames) and Helm values files. */
export function toolFileKind(name: string): 'kustomize' | 'helm-values' | undefined {
  if (name === 'kustomization.yaml' || name === 'kustomization.yml' || name === 'Kustomization') return 'kustomize'
  if (/^values([-_.][^/]*)?\.ya?ml$/i.test(name)) return 'helm-values'
  return undefined
}

/**
 * A Go template action as Helm charts write them: `{{ .Values.x }}`, `{{- include ... }}`, `{{ $var }}`,
 * comments, `{{ if ... }}`, `{{ toYaml ... }}`.
 */
const ACTION = /\{\{-?\s*(?:[.$("]|\/\*|(?:if|else|end|range|with|include|template|define|block|toYaml|tpl|printf|default|quote|required|lookup|nindent|indent)\b)/

/** The 1-based line of the first template action in `text`, or undefined when it has none. */
export function firstTemplateLine(text: string): number | undefined {
  const m = ACTION.exec(text)
  if (!m) return undefined
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++
  return line
}

/** The chart a file belongs to when it sits in a chart's `templates/` directory. */
async function chartOfTemplate(file: string): Promise<string | undefined> {
  const dir = dirname(file)
  if (basename(dir) !== 'templates') return undefined
  const chart = dirname(dir)
  const info = await stat(join(chart, CHART_FILE)).catch(() => undefined)
  return info?.isFile() ? chart : undefined
}

export const chartIssue = (chart: string): LocatedIssue => ({ file: chart, doc: 0, issue: { code: 'helm_chart', path: [], chart } })

/**
 * Replaces the issues of each file that holds template actions by one `go_template` issue at the first
 * action: the syntax and validation errors of unrendered template text only hide what to do. A file with
 * template text and no issue (a ConfigMap holding an alerting template) is left alone.
 */
export async function collapseTemplateIssues(issues: readonly LocatedIssue[], texts: ReadonlyMap<string, string>): Promise<LocatedIssue[]> {
  const templated = new Map<string, LocatedIssue | null>()
  for (const i of issues) {
    if (templated.has(i.file)) continue
    const text = texts.get(i.file)
    const line = text === undefined ? undefined : firstTemplateLine(text)
    if (line === undefined) templated.set(i.file, null)
    else {
      const chart = await chartOfTemplate(i.file)
      templated.set(i.file, { file: i.file, doc: 0, line, issue: { code: 'go_template', path: [], ...(chart ? { chart } : {}) } })
    }
  }
  const out: LocatedIssue[] = []
  const done = new Set<string>()
  for (const i of issues) {
    const t = templated.get(i.file)
    if (!t) out.push(i)
    else if (!done.has(i.file)) {
      done.add(i.file)
      out.push(t)
    }
  }
  return out
}
