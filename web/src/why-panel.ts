/**
 * Why: pick two endpoints (or click an edge) → `/api/check`'s explanation; click a node → `/api/describe/pod`.
 * "Allow this" asks `/api/allow` for the smallest policies that allow the picked connection and hands them to
 * the what-if panel.
 */
import type { AllowResponse, CheckResponse, DescribePodResponse } from '../../src/web/api.js'
import { api, LINT_RETRY_MS } from './api-client.js'
import { fill, h } from './dom.js'
import { renderDescribePod } from './describe-pod.js'
import { renderCheck } from './explain.js'
import { t } from './i18n.js'

export interface WhyPanel {
  readonly el: HTMLElement
  check(from: string, to: string, port: string | undefined): Promise<void>
  /** asks the question of a check that is likely to follow; check() of the same question uses the answer */
  prefetch(from: string, to: string, port: string | undefined): void
  describe(pod: string): Promise<void>
  setEndpoints(pods: readonly string[], ports: readonly string[]): void
  render(): void
}

export function createWhyPanel(onAllow: (res: AllowResponse) => void, error: (e: unknown) => void): WhyPanel {
  const from = h('input', { class: 'from', list: 'netpol-pods', size: 28 })
  const to = h('input', { class: 'to', list: 'netpol-pods', size: 28 })
  const port = h('input', { class: 'port', list: 'netpol-ports', size: 10 })
  const pods = h('datalist', { id: 'netpol-pods' })
  const ports = h('datalist', { id: 'netpol-ports' })
  const checkBtn = h('button', { class: 'primary', 'data-action': 'check', onclick: () => void check(from.value.trim(), to.value.trim(), port.value.trim() || undefined) })
  const allowBtn = h('button', { 'data-action': 'allow', onclick: () => void allow() })
  const labels = { from: h('span'), to: h('span'), port: h('span') }
  const result = h('div', { class: 'why-result' })
  const describeBox = h('div', { class: 'why-describe' })
  const el = h('div', { class: 'why' },
    h('p', { class: 'hint' }),
    h('div', { class: 'endpoints' }, h('label', {}, labels.from, from), h('label', {}, labels.to, to), h('label', {}, labels.port, port), checkBtn, allowBtn, pods, ports),
    result, describeBox)
  let lastCheck: unknown = null
  let early: { key: string; answer: Promise<CheckResponse> } | null = null
  const keyOf = (f: string, tt: string, p: string | undefined) => JSON.stringify([f, tt, p ?? null])
  let lastDescribe: { pod: string; res: DescribePodResponse } | null = null

  async function check(f: string, tt: string, p: string | undefined): Promise<void> {
    from.value = f
    to.value = tt
    port.value = p ?? ''
    if (!f || !tt) return
    fill(result, t('loading'))
    try {
      performance.mark('netpol:check-asked')
      const key = keyOf(f, tt, p)
      const asked = early?.key === key ? early.answer : api.check(f, tt, p)
      early = null
      lastCheck = await asked
      performance.mark('netpol:check-answered')
      fill(result, renderCheck(lastCheck))
      performance.mark('netpol:explanation-shown')
    } catch (e) {
      fill(result)
      error(e)
    }
  }

  async function allow(): Promise<void> {
    if (!from.value || !to.value || !port.value) return error(new Error(t('why.allowNeeds')))
    try {
      const res = await api.allow({ from: from.value.trim(), to: to.value.trim(), port: port.value.trim() })
      if (res.alreadyAllowed) fill(result, h('p', { class: 'ok' }, t('why.alreadyAllowed')))
      else onAllow(res)
    } catch (e) {
      error(e)
    }
  }

  async function describe(pod: string, again = false): Promise<void> {
    if (!again) fill(describeBox, t('loading'))
    try {
      const res = await api.describePod(pod)
      // a later click asked about another pod meanwhile
      if (again && lastDescribe?.pod !== pod) return
      lastDescribe = { pod, res }
      renderDescribe()
      // the cluster's lint is still running on the server: its findings come with a later answer
      if (res.lintPending) setTimeout(() => { if (lastDescribe?.pod === pod) void describe(pod, true) }, LINT_RETRY_MS)
    } catch (e) {
      fill(describeBox)
      error(e)
    }
  }

  function renderDescribe(): void {
    if (!lastDescribe) return fill(describeBox)
    const { pod } = lastDescribe
    const actions = h('div', { class: 'buttons' },
      h('button', { 'data-action': 'use-from', onclick: () => { from.value = pod } }, t('why.useAsSource')),
      h('button', { 'data-action': 'use-to', onclick: () => { to.value = pod } }, t('why.useAsDestination')))
    fill(describeBox, renderDescribePod(lastDescribe.res, actions))
  }

  function render(): void {
    ;(el.querySelector('.hint') as HTMLElement).textContent = t('why.hint')
    labels.from.textContent = t('why.from')
    labels.to.textContent = t('why.to')
    labels.port.textContent = t('why.portLabel')
    from.placeholder = t('why.endpointPlaceholder')
    to.placeholder = t('why.endpointPlaceholder')
    port.placeholder = '5432/TCP'
    checkBtn.textContent = t('why.check')
    allowBtn.textContent = t('why.allowThis')
    if (lastCheck) fill(result, renderCheck(lastCheck))
    renderDescribe()
  }

  render()
  return {
    el,
    check,
    prefetch(f, tt, p) {
      const answer = api.check(f, tt, p)
      // a failure is reported by check(), which awaits this answer
      answer.catch(() => undefined)
      early = { key: keyOf(f, tt, p), answer }
    },
    describe,
    setEndpoints(ps, pts) {
      fill(pods, ps.slice(0, 5000).map((p) => h('option', { value: p })))
      fill(ports, pts.map((p) => h('option', { value: p })))
    },
    render,
  }
}
