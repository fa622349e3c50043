/**
 * Inputs that look like manifests but are not: Helm charts, Go template files, and the files of tools that
 * sit beside manifests (kustomization.yaml, Helm values). Recognised by name and by text, so that netpol can
 * say once what to run instead of reporting a syntax error per template line or "kind missing" per values file.
 */
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

export const chartIssue = (chart: string): LocatedIssue => ({ file: chart, doc: 0, issue: { code: 'helm_chart', path: [], chart } })

/**
 * The 1-based line of the first template action of each YAML document of `text` that has one, by document
 * index as the splitter counts them (documents start at `---` lines; text before the first marker is a
 * document of its own unless it is only comments and blank lines). A JSON text is one document.
 */
export function templateLinesByDoc(text: string): Map<number, number> {
  const out = new Map<number, number>()
  const lines = text.split('\n')
  let doc = 0
  let content = false // the current document has more than comments and blank lines
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (/^---(\s|$)/.test(l)) {
      if (content) doc++
      content = true // a marker starts a document even when nothing follows on its line
      if (!ACTION.test(l)) continue
    } else if (!content && (l.trim() === '' || l.trimStart().startsWith('#'))) continue
    else content = true
    if (!out.has(doc) && ACTION.test(l)) out.set(doc, i + 1)
  }
  return out
}

/**
 * Replaces the issues of the documents that hold template actions by one `go_template` issue per file, at the
 * first action: the syntax and validation errors of unrendered template text only hide what to do. Issues of
 * the file's other documents stay, and so does template text in a document without issues (a ConfigMap
 * holding an alerting template).
 */
export async function collapseTemplateIssues(
  issues: readonly LocatedIssue[],
  texts: { get(file: string): string | undefined },
  chartOfTemplate: (file: string) => Promise<string | undefined> = async () => undefined,
): Promise<LocatedIssue[]> {
  const byFile = new Map<string, Map<number, number> | null>()
  const templated = (i: LocatedIssue): number | undefined => {
    let docs = byFile.get(i.file)
    if (docs === undefined) {
      const text = texts.get(i.file)
      const lines = text === undefined || firstTemplateLine(text) === undefined ? null : /^\uFEFF?\s*[{[]/.test(text) ? new Map([[0, firstTemplateLine(text)!]]) : templateLinesByDoc(text)
      byFile.set(i.file, (docs = lines))
    }
    return docs?.get(i.doc)
  }
  // per file, the first template line among the documents with issues
  const first = new Map<string, number>()
  for (const i of issues) {
    const line = templated(i)
    if (line !== undefined && line < (first.get(i.file) ?? Infinity)) first.set(i.file, line)
  }
  if (first.size === 0) return [...issues]
  const out: LocatedIssue[] = []
  for (const i of issues) {
    if (templated(i) === undefined) {
      out.push(i)
      continue
    }
    const line = first.get(i.file)
    if (line === undefined) continue // already reported
    first.delete(i.file)
    const chart = await chartOfTemplate(i.file)
    out.push({ file: i.file, doc: i.doc, ...(i.origin ? { origin: i.origin } : {}), line, issue: { code: 'go_template', path: [], ...(chart ? { chart } : {}) } })
  }
  return out
}
