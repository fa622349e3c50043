/**
 * The graph's controls: port, level, collapsed namespaces (at class level), namespace and label filters, export.
 * Changes call back with the new query.
 */
import type { ClusterSummary } from '../../src/web/api.js'
import type { GraphQuery } from './api-client.js'
import { fill, h } from './dom.js'
import { t } from './i18n.js'

export interface Toolbar {
  readonly el: HTMLElement
  setSummary(s: ClusterSummary): void
  /** the query set from outside (the port the server proposes at start) */
  setQuery(q: GraphQuery): void
  /** the graph drawn: whether its namespaces are collapsed (null: not at class level, the box is hidden) */
  setCollapsed(collapsed: boolean | null): void
  render(): void
}

const LEVELS = ['auto', 'namespace', 'class', 'workload', 'pod'] as const

export function createToolbar(query: GraphQuery, onQuery: (q: GraphQuery) => void, onExport: (kind: 'svg' | 'png') => void): Toolbar {
  let summary: ClusterSummary | null = null
  let q = query
  const port = h('select', { class: 'port-picker', onchange: () => change({ port: port.value }) })
  const level = h('select', { class: 'level-picker', onchange: () => change({ level: level.value as GraphQuery['level'], collapse: undefined, open: [] }) })
  const nsList = h('div', { class: 'ns-list' })
  const nsSummary = h('summary')
  const ns = h('details', { class: 'ns-filter' }, nsSummary, nsList)
  const label = h('input', { class: 'label-filter', size: 16, onchange: () => change({ labels: label.value.split(',').map((s) => s.trim()).filter(Boolean) }) })
  const labels = { port: h('span'), level: h('span'), collapse: h('span') }
  // a level change lets the server choose again (collapsed above 500 classes)
  const collapse = h('input', { type: 'checkbox', class: 'collapse-toggle', onchange: () => change({ collapse: collapse.checked, open: [] }) })
  const collapseBox = h('label', { class: 'collapse', hidden: true }, collapse, labels.collapse)
  const svg = h('button', { 'data-action': 'export-svg', onclick: () => onExport('svg') })
  const png = h('button', { 'data-action': 'export-png', onclick: () => onExport('png') })
  const el = h('div', { class: 'toolbar' }, h('label', {}, labels.port, port), h('label', {}, labels.level, level), collapseBox, ns, label, h('span', { class: 'spacer' }), svg, png)

  function change(part: Partial<GraphQuery>): void {
    q = { ...q, ...part }
    if (q.collapse === undefined) {
      const { collapse: _, ...rest } = q
      q = rest
    }
    renderNamespaces()
    onQuery(q)
  }

  function renderNamespaces(): void {
    nsSummary.textContent = q.namespaces.length ? t('toolbar.namespacesSome', { n: q.namespaces.length }) : t('toolbar.namespacesAll')
    fill(nsList, (summary?.namespaces ?? []).map((n) => h('label', {}, h('input', {
      type: 'checkbox', value: n.name, checked: q.namespaces.includes(n.name),
      onchange: (e: Event) => change({ namespaces: (e.target as HTMLInputElement).checked ? [...q.namespaces, n.name] : q.namespaces.filter((x) => x !== n.name) }),
    }), n.name)))
  }

  function render(): void {
    labels.port.textContent = t('toolbar.port')
    labels.level.textContent = t('toolbar.level')
    labels.collapse.textContent = t('toolbar.collapse')
    collapseBox.title = t('toolbar.collapseTitle')
    fill(port, h('option', { value: 'any' }, t('toolbar.anyPort')), (summary?.ports ?? []).map((p) => h('option', { value: p }, p)))
    port.value = q.port
    fill(level, LEVELS.map((l) => h('option', { value: l }, l === 'auto' ? t('level.auto', { level: t(`level.${summary?.defaultLevel ?? 'workload'}`) }) : t(`level.${l}`))))
    level.value = q.level
    label.placeholder = t('toolbar.labelPlaceholder')
    label.title = t('toolbar.labelTitle')
    svg.textContent = t('toolbar.exportSvg')
    png.textContent = t('toolbar.exportPng')
    renderNamespaces()
  }

  return {
    el,
    setSummary(s) {
      summary = s
      render()
    },
    setQuery(next) {
      q = next
      render()
    },
    setCollapsed(on) {
      collapseBox.hidden = on === null
      collapse.checked = on === true
    },
    render,
  }
}
