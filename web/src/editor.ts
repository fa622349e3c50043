/**
 * The YAML editor of the what-if panel: CodeMirror 6 with YAML highlighting and the server's validation errors
 * as lint markers at their lines. (A textarea cannot put a marker on line 12; CodeMirror's cost is in the bundle
 * size the build prints.) The editor lives in a shadow root: there CodeMirror puts its styles into a constructed
 * stylesheet, where in the document it would add <style> elements that the page's CSP (style-src 'self') refuses.
 */
import { basicSetup, EditorView } from 'codemirror'
import { yaml } from '@codemirror/lang-yaml'
import { setDiagnostics, lintGutter, type Diagnostic } from '@codemirror/lint'
import type { Problem } from '../../src/web/api.js'

export interface YamlEditor {
  readonly view: EditorView
  get(): string
  set(text: string): void
  /** Marks problems (1-based lines and columns within the text); an empty list clears them. */
  mark(problems: readonly Problem[]): void
}

const theme = EditorView.theme({ '&': { maxHeight: '46vh', fontSize: '12.5px' }, '.cm-scroller': { overflow: 'auto' } })

export function createEditor(parent: HTMLElement, onChange: () => void): YamlEditor {
  const shadow = parent.attachShadow({ mode: 'open' })
  const box = document.createElement('div')
  shadow.append(box)
  const view = new EditorView({
    parent: box,
    root: shadow,
    extensions: [basicSetup, yaml(), lintGutter(), theme, EditorView.lineWrapping, EditorView.updateListener.of((u) => { if (u.docChanged) onChange() })],
  })
  return {
    view,
    get: () => view.state.doc.toString(),
    set(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } })
    },
    mark(problems) {
      const doc = view.state.doc
      const diags: Diagnostic[] = problems.map((p) => {
        const line = doc.line(Math.min(Math.max(1, p.line), doc.lines))
        const from = Math.min(line.from + Math.max(0, (p.column ?? 1) - 1), line.to)
        return { from, to: line.to, severity: p.severity === 'error' ? 'error' : p.severity === 'warning' ? 'warning' : 'info', message: `${p.code}: ${p.message}${p.path ? ` (${p.path})` : ''}` }
      })
      view.dispatch(setDiagnostics(view.state, diags))
    },
  }
}
