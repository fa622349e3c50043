/**
 * The page: header (source, live, language), the graph with its toolbar and legend, and the side panel's tabs
 * (Why, Policies, What-if, Matrix). It holds the state the views share — the graph query, the cluster's graph,
 * the what-if result — and turns clicks into API calls. It has no policy logic of its own.
 */
import type { ClusterSummary, GraphEdge, GraphNode, GraphReport, WhatIfResponse } from '../../src/web/api.js'
import { applyGraphDelta } from '../../src/report/graph-delta.js'
import { api, ApiFailure, LINT_RETRY_MS, type GraphQuery } from './api-client.js'
import { download, fill, h } from './dom.js'
import { SHOWN } from './diff-changes.js'
import { graphPng, graphSvg } from './graph-export.js'
import { createGraphView } from './graph-view.js'
import { currentLang, num, t, type Key } from './i18n.js'
import { chooseLang, initialLang } from './lang-choice.js'
import { renderLegend } from './legend.js'
import { watchCluster } from './live.js'
import { createMatrixPanel } from './matrix-panel.js'
import { renderPolicies } from './policies-panel.js'
import { createToolbar } from './toolbar.js'
import { filterGraph } from './graph-filter.js'
import { createWhatIfPanel } from './whatif-panel.js'
import { createWhyPanel } from './why-panel.js'

type Tab = 'why' | 'policies' | 'whatif' | 'matrix'
/** up to this many policies the Policies tab shows them all at once */
const FEW_POLICIES = 200
const TABS: readonly Tab[] = ['why', 'policies', 'whatif', 'matrix']

/** "cidr:10.0.0.0/8" → an address inside it that `check` accepts; pods: the node's first pod. */
export function endpointOf(n: GraphNode): string {
  if (n.kind !== 'external') return n.pods[0] ?? n.id
  const m = /^cidr:([0-9.]+)\/(\d+)/.exec(n.id)
  if (!m) return n.id.startsWith('cidr:') && n.id.includes(':', 5) ? n.id.slice(5).replace(/\/.*$/, '') : '198.51.100.1'
  const parts = m[1]!.split('.').map(Number)
  if (Number(m[2]) < 31) parts[3] = (parts[3] ?? 0) + 1
  return parts.join('.')
}

/** The graph asked for in the page's address: `?port=P&level=L&collapse=true|false&open=NS…` (each optional). */
export function queryFromAddress(search: string): Partial<GraphQuery> {
  const q = new URLSearchParams(search)
  const level = q.get('level')
  const collapse = q.get('collapse')
  return {
    ...(q.get('port') ? { port: q.get('port')! } : {}),
    ...(level && ['auto', 'namespace', 'class', 'workload', 'pod'].includes(level) ? { level: level as GraphQuery['level'] } : {}),
    ...(collapse === 'true' || collapse === 'false' ? { collapse: collapse === 'true' } : {}),
    ...(q.getAll('open').length ? { open: q.getAll('open') } : {}),
  }
}

/** `f` after the browser has painted what is in the document now (the frame after this one). */
const afterPaint = (f: () => void): void => {
  requestAnimationFrame(() => setTimeout(f))
}

export async function startApp(root: HTMLElement): Promise<void> {
  chooseLang(initialLang(), false)
  let summary: ClusterSummary | null = null
  let query: GraphQuery = { port: 'any', level: 'auto', namespaces: [], labels: [], open: [] }
  let base: GraphReport | null = null
  /** the cluster's version `base` was drawn from, and its query */
  let baseVersion: number | undefined
  let baseQuery = ''
  const queryKey = (q: GraphQuery) => JSON.stringify([q.port, q.level, q.namespaces, q.labels, q.collapse, q.open])
  let whatif: WhatIfResponse | null = null
  let policiesNs = ''
  let tab: Tab = 'why'

  const errorBar = h('div', { class: 'error-bar', role: 'alert', hidden: true })
  const showError = (e: unknown) => {
    const msg = e instanceof ApiFailure ? e.message : e instanceof Error ? e.message : String(e)
    fill(errorBar, h('span', {}, msg), h('button', { class: 'link', onclick: () => { errorBar.hidden = true } }, '✕'))
    errorBar.hidden = false
  }
  const source = h('span', { class: 'source' })
  const live = h('span', { class: 'live', hidden: true })
  const langBtns = (['en', 'zh-CN'] as const).map((l) => h('button', { class: 'lang', 'data-lang': l, onclick: () => { chooseLang(l); renderAll(); void draw(false) } }, l === 'en' ? 'English' : '中文'))
  const title = h('h1', {})
  const header = h('header', {}, title, source, live, h('span', { class: 'spacer' }), ...langBtns)
  const info = h('div', { class: 'graph-info' })
  const cyBox = h('div', { id: 'cy' })
  const legendBox = h('div')
  const tabBtns = TABS.map((k) => h('button', { class: 'tab', 'data-tab': k, onclick: () => openTab(k) }))
  const body = h('div', { class: 'tab-body' })

  const toolbar = createToolbar(query, (q) => void changeQuery(q), (kind) => exportGraph(kind))
  let toolbarOpen = query.open
  // the graph's box is in the document before cytoscape measures it
  root.append(header, errorBar, h('div', { class: 'main' },
    h('section', { class: 'graph-pane' }, toolbar.el, info, cyBox, legendBox),
    h('aside', { class: 'panel' }, h('nav', { class: 'tabs' }, tabBtns), body)))
  const graph = createGraphView(cyBox, {
    onNode: (n) => {
      // a collapsed namespace opens into its classes
      if (n.kind === 'namespace' && shown()?.collapsed?.includes(n.id)) return void openNamespace(n.id)
      openTab('why')
      // the question first, the highlight (a style pass over the whole graph) after the next frame
      if (n.kind !== 'external' && n.pods[0]) void why.describe(n.pods[0])
      afterPaint(() => {
        graph.select(n.id)
        graph.pickEdge(null)
      })
    },
    onEdge: (e) => void explainEdge(e),
    // the question leaves while the graph still handles the click (a redraw of tens of ms at 10,000 pods)
    onEdgeDown: (e) => {
      const q = edgeQuestion(e)
      if (q) why.prefetch(q.from, q.to, q.port)
    },
    onBackground: () => {
      graph.select(null)
      graph.pickEdge(null)
    },
  })
  ;(window as unknown as { netpolGraph: unknown }).netpolGraph = graph.cy

  const why = createWhyPanel((res) => {
    openTab('whatif')
    void whatifPanel.loadAllow(res)
  }, showError)
  let names: { of: ClusterSummary | null; names: readonly string[] } = { of: null, names: [] }
  const whatifPanel = createWhatIfPanel({
    policyNames: () => {
      if (names.of !== summary) names = { of: summary, names: (summary?.policies ?? []).map((p) => `${p.namespace}/${p.name}`) }
      return names.names
    },
    policy: async (name) => (await api.policies({ policy: [name] })).policies[0],
    run: async (changes, opts) => {
      // the server sends only what differs from the graph this page holds, when it holds the server's version of
      // the same question (port, level, filters, namespaces collapsed and opened)
      const held = base
      const since = held !== null && baseQuery === queryKey(query) ? baseVersion : undefined
      performance.mark('netpol:whatif-asked')
      const res = await api.whatif({ changes, port: query.port, level: query.level, namespaces: query.namespaces, labels: query.labels, ...(query.collapse !== undefined ? { collapse: query.collapse } : {}), open: query.open, diffChanges: SHOWN, ...(since !== undefined ? { since } : {}), ...(opts?.export ? { export: true } : {}) })
      performance.mark('netpol:whatif-answered')
      return res.graphChanges !== undefined && held !== null ? { ...res, graph: applyGraphDelta(held, res.graphChanges) } : res
    },
    show: async (res) => {
      whatif = res
      await draw(false)
      performance.mark('netpol:whatif-drawn')
    },
    error: showError,
  })
  const matrix = createMatrixPanel(showError)
  const policiesBox = h('div', { class: 'policies-box' })
  const panels: Record<Tab, HTMLElement> = { why: why.el, policies: policiesBox, whatif: whatifPanel.el, matrix: matrix.el }


  function openTab(k: Tab): void {
    tab = k
    for (const b of tabBtns) b.classList.toggle('active', b.dataset.tab === k)
    fill(body, panels[k])
    if (k === 'policies') void loadPolicies()
    if (k === 'whatif') void whatifPanel.shown()
  }

  /**
   * The Policies tab: a namespace's policies (every policy at once while there are few; at 10,000 the answer is
   * tens of megabytes, so one namespace at a time).
   */
  async function loadPolicies(): Promise<void> {
    const withPolicies = [...new Set((summary?.policies ?? []).map((p) => p.namespace))].sort()
    const few = (summary?.policies.length ?? 0) <= FEW_POLICIES
    if (!few && !withPolicies.includes(policiesNs)) policiesNs = withPolicies[0] ?? ''
    const pick = h('select', { class: 'policies-ns', onchange: () => { policiesNs = pick.value; void loadPolicies() } },
      few ? h('option', { value: '' }, t('policies.allNamespaces')) : null,
      withPolicies.map((ns) => h('option', { value: ns }, ns)))
    pick.value = policiesNs
    const list = h('div', {}, t('loading'))
    fill(policiesBox, h('div', { class: 'row' }, h('label', {}, t('policies.namespace'), ' ', pick)), list)
    await fillPolicies(list, policiesNs)
  }

  /** The policies of `ns` into `list`; while the server's lint still runs, again later with its findings. */
  async function fillPolicies(list: HTMLElement, ns: string): Promise<void> {
    try {
      const res = await api.policies(ns ? { namespace: [ns] } : {})
      // the user picked another namespace or left meanwhile
      if (!list.isConnected || ns !== policiesNs) return
      fill(list, res.lintPending ? h('p', { class: 'dim lint-pending' }, t('policies.lintPending')) : null, renderPolicies(res, (p) => { openTab('whatif'); whatifPanel.open(p) }))
      if (res.lintPending) setTimeout(() => void fillPolicies(list, ns), LINT_RETRY_MS)
    } catch (e) {
      fill(list)
      showError(e)
    }
  }

  function edgeQuestion(e: GraphEdge): { from: string; to: string; port: string | undefined } | null {
    const from = graph.node(e.from)
    const to = graph.node(e.to)
    if (!from || !to) return null
    return { from: endpointOf(from), to: endpointOf(to), port: query.port !== 'any' ? query.port : e.ports?.[0] }
  }

  async function explainEdge(e: GraphEdge): Promise<void> {
    const q = edgeQuestion(e)
    if (!q) return
    if (tab !== 'why') openTab('why')
    // the explanation first: restyling the graph redraws it (hundreds of ms at thousands of elements), which
    // would hold the answer's paint; the edge is marked after the frame that paints the answer
    await why.check(q.from, q.to, q.port)
    afterPaint(() => {
      performance.mark('netpol:explanation-painted')
      graph.pickEdge(e.id)
    })
  }

  /** The graph drawn: the what-if's when there is one, else the cluster's; filters apply to both. */
  const shown = (): GraphReport | null => (whatif?.graph ? filterGraph(whatif.graph, query) : base)

  /** A collapsed namespace opened into its classes (the others stay where they are), or an opened one closed. */
  async function openNamespace(ns: string): Promise<void> {
    performance.mark('netpol:namespace-open-asked')
    await changeQuery({ ...query, open: [...query.open, ns] })
    performance.mark('netpol:namespace-opened')
  }
  const closeNamespaces = (ns: readonly string[]) => void changeQuery({ ...query, open: query.open.filter((x) => !ns.includes(x)) })

  async function draw(relayout: boolean): Promise<void> {
    const report = shown()
    if (!report) return
    await graph.show(report, { relayout })
    toolbar.setCollapsed(report.collapsed !== undefined ? true : report.level === 'class' ? false : null)
    // the graph is drawn (and clickable: cytoscape hit-tests what its last frame drew) once a frame has passed
    await new Promise<void>((r) => afterPaint(r))
    document.body.dataset.graphPort = report.port
    renderInfo()
  }

  function renderInfo(): void {
    const r = shown()
    if (!r) return fill(info)
    const level = t(`level.${r.level}` as Key)
    const hidden = graph.hiddenEdges()
    const opened = r.collapsed !== undefined ? query.open.filter((ns) => r.nodes.some((n) => n.namespace === ns && n.kind !== 'namespace')) : []
    fill(info,
      t('graph.showing', { nodes: num(r.nodes.length), totalNodes: num(r.totals.nodes), edges: num(r.edges.length), pods: num(r.totals.pods), level }),
      r.collapsed !== undefined ? h('span', { class: 'collapsed-note' }, ' · ', t('graph.collapsed', { n: r.collapsed.length })) : null,
      opened.length > 0 ? h('span', { class: 'opened' }, ' · ', t('graph.opened'), ' ',
        opened.map((ns) => h('button', { class: 'chip', 'data-close': ns, title: t('graph.close', { ns }), onclick: () => closeNamespaces([ns]) }, ns, ' ✕')),
        opened.length > 1 ? h('button', { class: 'link', 'data-action': 'close-all', onclick: () => closeNamespaces(opened) }, t('graph.closeAll')) : null) : null,
      hidden > 0 ? h('span', { class: 'dim' }, ' · ', t('graph.hiddenEdges', { n: hidden })) : null,
      whatif?.graph ? h('span', { class: 'whatif-badge' }, ' · ', t('graph.whatifShown')) : null)
    // a line more or less moves the graph: cytoscape keeps where its box was, and a click would hit the node
    // drawn a line above or below the pointer until it is told
    if (info.offsetHeight !== infoHeight) {
      infoHeight = info.offsetHeight
      graph.cy.resize()
    }
  }
  let infoHeight = -1

  async function changeQuery(q: GraphQuery): Promise<void> {
    const relayout = q.level !== query.level || q.namespaces.join() !== query.namespaces.join() || q.labels.join() !== query.labels.join()
    query = q
    try {
      base = await api.graph(q)
      baseVersion = summary?.version
      baseQuery = queryKey(q)
      if (whatif) await whatifPanel.refresh()
      await draw(relayout)
      // after the drawing: 5,000 pods to pick from take tens of milliseconds
      why.setEndpoints(base.nodes.flatMap((n) => n.pods), summary?.ports ?? [])
      // the toolbar's next change starts from this query (the namespaces opened with it)
      if (q.open !== toolbarOpen) toolbar.setQuery(q)
      toolbarOpen = q.open
    } catch (e) {
      showError(e)
    }
  }

  function exportGraph(kind: 'svg' | 'png'): void {
    if (kind === 'svg') download('netpol-graph.svg', new Blob([graphSvg(graph.cy)], { type: 'image/svg+xml' }))
    else download('netpol-graph.png', graphPng(graph.cy))
  }

  function renderAll(): void {
    document.documentElement.lang = currentLang()
    title.textContent = t('app.title')
    source.textContent = summary ? `${summary.source} · ${t('app.pods', { n: summary.pods })} · ${t('app.policies', { n: summary.policies.length })}` : ''
    live.textContent = t('app.live')
    for (const b of langBtns) b.classList.toggle('active', b.dataset.lang === currentLang())
    for (const b of tabBtns) b.textContent = t(`tab.${b.dataset.tab as Tab}`)
    fill(legendBox, renderLegend())
    toolbar.render()
    why.render()
    whatifPanel.render()
    matrix.render()
    renderInfo()
    if (tab === 'policies') void loadPolicies()
  }

  async function refreshCluster(): Promise<void> {
    summary = await api.cluster()
    toolbar.setSummary(summary)
    matrix.setChoices(summary.namespaces.map((n) => n.name), summary.ports)
    base = await api.graph(query)
    baseVersion = summary.version
    baseQuery = queryKey(query)
    why.setEndpoints(base.nodes.flatMap((n) => n.pods), summary.ports)
    if (whatif) await whatifPanel.refresh()
    await draw(false)
    renderAll()
  }

  openTab('why')
  renderAll()
  try {
    summary = await api.cluster()
    toolbar.setSummary(summary)
    matrix.setChoices(summary.namespaces.map((n) => n.name), summary.ports)
    live.hidden = !summary.live
    // a large cluster opens on the port the server proposes (its graph is ready there; "any" takes seconds);
    // the address may ask for another graph (?port=…&level=…&collapse=true|false&open=NS…)
    query = { ...query, port: summary.defaultPort, ...queryFromAddress(location.search) }
    toolbar.setQuery(query)
    renderAll()
    base = await api.graph(query)
    baseVersion = summary.version
    baseQuery = queryKey(query)
    performance.mark('netpol:graph-fetched')
    await draw(true)
    performance.mark('netpol:graph-painted')
    document.body.dataset.graph = 'ready'
    why.setEndpoints(base.nodes.flatMap((n) => n.pods), summary.ports)
    for (const note of summary.notes) console.info(note)
  } catch (e) {
    showError(e)
    return
  }
  // files do not change under a running server: only a cluster sends events
  if (summary.live) watchCluster(() => summary?.version ?? 0, () => refreshCluster().catch(showError))
}
