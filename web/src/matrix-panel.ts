/** Matrix: `/api/matrix` (exactly `netpol matrix -o json`) for chosen namespaces and a port, as a truth table. */
import { api } from './api-client.js'
import { fill, h } from './dom.js'
import { t } from './i18n.js'

interface MatrixJson { pods?: string[]; from?: string[]; to?: string[]; results: { port: number; protocol: string; allowed: boolean[][] }[] }

export interface MatrixPanel {
  readonly el: HTMLElement
  setChoices(namespaces: readonly string[], ports: readonly string[]): void
  render(): void
}

export function createMatrixPanel(error: (e: unknown) => void): MatrixPanel {
  let namespaces: readonly string[] = []
  let ports: readonly string[] = []
  const chosen = new Set<string>()
  const nsBox = h('div', { class: 'ns-choice' })
  const port = h('select', { class: 'matrix-port' })
  const table = h('div', { class: 'matrix' })
  const show = h('button', { class: 'primary matrix-show', onclick: () => void load() })
  const el = h('div', {}, h('p', { class: 'hint' }), nsBox, h('div', { class: 'row' }, port, show), table)

  async function load(): Promise<void> {
    fill(table, t('loading'))
    try {
      const m = (await api.matrix(port.value, [...chosen])) as MatrixJson
      const rows = m.pods ?? m.from ?? []
      const cols = m.pods ?? m.to ?? []
      fill(table, m.results.map((r) => h('table', { class: 'truth' },
        h('caption', {}, `${r.port}/${r.protocol}`),
        h('tr', {}, h('th', { class: 'corner' }, t('matrix.corner')), cols.map((c) => h('th', { class: 'col' }, h('span', {}, c)))),
        r.allowed.map((row, i) => h('tr', {}, h('th', {}, rows[i] ?? ''), row.map((ok, j) => h('td', { class: ok ? 'yes' : 'no', title: `${rows[i]} → ${cols[j]}` }, ok ? '✓' : '·')))),
      )))
    } catch (e) {
      fill(table)
      error(e)
    }
  }

  function render(): void {
    ;(el.querySelector('.hint') as HTMLElement).textContent = t('matrix.hint')
    show.textContent = t('matrix.show')
    fill(nsBox, namespaces.map((ns) => h('label', {}, h('input', { type: 'checkbox', checked: chosen.has(ns), onchange: (e: Event) => { if ((e.target as HTMLInputElement).checked) chosen.add(ns); else chosen.delete(ns) } }), ns)))
    const cur = port.value
    fill(port, ports.map((p) => h('option', { value: p }, p)))
    if (cur) port.value = cur
  }

  return {
    el,
    setChoices(ns, ps) {
      namespaces = ns
      ports = ps
      render()
    },
    render,
  }
}
