/**
 * What-if: edit, add or delete policies in the browser; every change list goes to POST /api/whatif and the graph
 * shows the edges it opens and closes, with `netpol diff`'s counts. Nothing is written anywhere: the edited set
 * can only be downloaded as YAML.
 */
import type { AllowResponse, PolicyChange, PolicySource, WhatIfResponse } from '../../src/web/api.js'
import type { YamlEditor } from './editor.js'
import { download, fill, h } from './dom.js'
import { num, t } from './i18n.js'
import { renderDiffChanges, type DiffJson } from './diff-changes.js'

export interface WhatIfContext {
  /** the names of every policy (for the picker): the same array while they stay the same */
  policyNames(): readonly string[]
  /** one policy's source */
  policy(name: string): Promise<PolicySource | undefined>
  /** `export`: the answer carries every policy's text after the changes */
  run(changes: readonly PolicyChange[], opts?: { export?: boolean }): Promise<WhatIfResponse>
  /** the graph shows the result, or the cluster as it is (null) */
  show(res: WhatIfResponse | null): Promise<void>
  error(e: unknown): void
}

export interface WhatIfPanel {
  readonly el: HTMLElement
  /** the tab is open: the editor (CodeMirror, its own chunk, ~40 % of the page's script) loads on first use */
  shown(): Promise<void>
  open(policy: PolicySource | null): void
  loadAllow(res: AllowResponse): Promise<void>
  /** runs the current changes again (the cluster changed) */
  refresh(): Promise<void>
  render(): void
}

const NEW_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: new-policy
  namespace: default
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: []
`

const changeName = (c: PolicyChange) => (c.op === 'add' ? /name:\s*(\S+)/.exec(c.yaml)?.[1] ?? '?' : c.policy)

interface DiffSummary { summary?: { allowed?: { groups: number; connections: number }; denied?: { groups: number; connections: number } } }

export function createWhatIfPanel(ctx: WhatIfContext): WhatIfPanel {
  let changes: PolicyChange[] = []
  let editing: { policy: string | null; original: string } = { policy: null, original: NEW_POLICY }
  let result: WhatIfResponse | null = null
  let running = false
  let pickerNames: readonly string[] | null = null
  let pickerBuilt = ''

  const picker = h('select', { class: 'policy-picker', onchange: () => void pick(picker.value) })
  const host = h('div', { class: 'editor' })
  const status = h('div', { class: 'whatif-status' })
  const list = h('ul', { class: 'changes' })
  const buttons = h('div', { class: 'buttons' })
  const el = h('div', { class: 'whatif' }, h('p', { class: 'hint' }), picker, host, buttons, status, list)
  let editor: YamlEditor | null = null
  let loading: Promise<YamlEditor> | null = null
  let text = NEW_POLICY
  const withEditor = (): Promise<YamlEditor> =>
    (loading ??= import('./editor.js').then((m) => {
      editor = m.createEditor(host, () => undefined)
      editor.set(text)
      return editor
    }))
  const current = () => editor?.get() ?? text
  const show = (yaml: string) => {
    text = yaml
    editor?.set(yaml)
    editor?.mark([])
  }

  async function pick(value: string): Promise<void> {
    if (value === '') return open(null)
    try {
      const p = await ctx.policy(value)
      if (p) open(p)
    } catch (e) {
      ctx.error(e)
    }
  }

  function open(p: PolicySource | null): void {
    const name = p ? `${p.namespace}/${p.name}` : null
    const pending = changes.find((c) => c.op === 'edit' && c.policy === name)
    editing = { policy: name, original: p?.yaml ?? NEW_POLICY }
    show(pending && pending.op === 'edit' ? pending.yaml : editing.original)
    void withEditor()
    picker.value = name ?? ''
    render()
  }

  function upsert(change: PolicyChange): void {
    const key = (c: PolicyChange) => (c.op === 'add' ? `add:${changeName(c)}` : c.policy)
    changes = [...changes.filter((c) => key(c) !== key(change)), change]
  }

  async function run(): Promise<void> {
    running = true
    render()
    try {
      result = changes.length ? await ctx.run(changes) : null
      const mine = result?.errors ?? []
      const index = changes.findIndex((c) => (c.op === 'edit' ? c.policy === editing.policy : c.op === 'add' && editing.policy === null && c.yaml === current()))
      editor?.mark(mine.filter((e) => e.change === index))
      await ctx.show(result && result.errors.length === 0 ? result : null)
    } catch (e) {
      ctx.error(e)
    } finally {
      running = false
      render()
    }
  }

  /** Every policy's text after the changes: asked for only now, being tens of megabytes on a large cluster. */
  async function exportYaml(): Promise<void> {
    try {
      const res = await ctx.run(changes, { export: true })
      if (res.yaml !== undefined) download('policies-whatif.yaml', new Blob([res.yaml], { type: 'application/yaml' }))
    } catch (e) {
      ctx.error(e)
    }
  }

  function render(): void {
    ;(el.querySelector('.hint') as HTMLElement).textContent = t('whatif.hint')
    // the list is built again only when the names or the language change: 10,000 options took ~0.2 s per render,
    // and a what-if renders twice (running, done)
    const names = ctx.policyNames()
    const pickerKey = t('whatif.newPolicy')
    if (names !== pickerNames || pickerKey !== pickerBuilt) {
      fill(picker, h('option', { value: '' }, t('whatif.newPolicy')), names.map((n) => h('option', { value: n }, n)))
      pickerNames = names
      pickerBuilt = pickerKey
    }
    picker.value = editing.policy ?? ''
    fill(buttons,
      editing.policy !== null
        ? h('button', { class: 'primary', 'data-action': 'apply-edit', onclick: () => { upsert({ op: 'edit', policy: editing.policy!, yaml: current() }); void run() } }, t('whatif.applyEdit'))
        : h('button', { class: 'primary', 'data-action': 'apply-add', onclick: () => { upsert({ op: 'add', yaml: current() }); void run() } }, t('whatif.add')),
      editing.policy !== null ? h('button', { 'data-action': 'delete', onclick: () => { upsert({ op: 'delete', policy: editing.policy! }); void run() } }, t('whatif.delete')) : null,
      h('button', { 'data-action': 'reset', onclick: () => { changes = []; void run() } }, t('whatif.reset')),
      h('button', { 'data-action': 'export-yaml', disabled: !result || result.errors.length > 0 || changes.length === 0, onclick: () => void exportYaml() }, t('whatif.export')),
    )
    fill(list, changes.map((c, i) => h('li', {}, `${t(`whatif.op.${c.op}`)} ${changeName(c)} `, h('button', { class: 'link', title: t('whatif.undo'), onclick: () => { changes = changes.filter((_, j) => j !== i); void run() } }, '✕'))))
    if (running) return fill(status, t('whatif.running'))
    if (!result) return fill(status, changes.length ? '' : t('whatif.noChanges'))
    if (result.errors.length) {
      return fill(status, h('div', { class: 'bad' }, t('whatif.errors', { n: result.errors.length })),
        h('ul', { class: 'errors' }, result.errors.map((e) => h('li', {}, `${changeName(changes[e.change]!)}:${e.line}${e.column ? `:${e.column}` : ''} ${e.path ?? ''} ${e.message}`))))
    }
    const s = (result.diff as DiffSummary | undefined)?.summary
    const opened = result.graph?.edges.filter((e) => e.change === 'opened').length ?? 0
    const closed = result.graph?.edges.filter((e) => e.change === 'closed').length ?? 0
    fill(status,
      h('div', { class: 'diff-counts' },
        h('span', { class: 'opened', 'data-count': s?.allowed?.connections ?? 0 }, t('whatif.opened', { n: s?.allowed?.connections ?? 0, g: s?.allowed?.groups ?? 0 })),
        h('span', { class: 'closed', 'data-count': s?.denied?.connections ?? 0 }, t('whatif.closed', { n: s?.denied?.connections ?? 0, g: s?.denied?.groups ?? 0 })),
      ),
      h('div', { class: 'dim' }, t('whatif.edges', { opened: num(opened), closed: num(closed) })),
      renderDiffChanges(result.diff as DiffJson | undefined, result.diffChangesLeftOut ?? 0),
    )
  }

  render()
  return {
    el,
    async shown() {
      await withEditor()
    },
    open,
    async loadAllow(res) {
      for (const p of res.policies) upsert({ op: 'add', yaml: p.yaml })
      editing = { policy: null, original: res.policies.map((p) => p.yaml).join('---\n') }
      show(editing.original)
      void withEditor()
      // the server answered the what-if of exactly these additions already
      result = changes.length === res.policies.length ? res.whatif : changes.length ? await ctx.run(changes) : null
      await ctx.show(result && result.errors.length === 0 ? result : null)
      render()
    },
    refresh: () => (changes.length ? run() : Promise.resolve()),
    render,
  }
}
