/**
 * `/api/describe/pod` drawn: which policies select the pod, its isolation each way, its named ports, who may
 * reach it and whom it may reach per port, and its lint findings.
 */
import type { DescribePodResponse } from '../../src/web/api.js'
import { h } from './dom.js'
import { t } from './i18n.js'

/** `external`: the address blocks allowed, or "any" for every address outside the cluster */
interface PortRow { port: number; protocol: string; name?: string; allowed: { pods: number; namespaces: string[] }; external?: readonly string[] | string }
interface PodJson { pod: string; labels: Record<string, string>; ips: string[]; selectedBy: string[]; ingress: { isolated: boolean; by: string[] }; egress: { isolated: boolean; by: string[] }; inbound: PortRow[]; outbound: PortRow[] }
interface Finding { id?: string; severity?: string; message?: string; path?: string }

function isolation(dir: string, v: { isolated: boolean; by: string[] }): HTMLElement {
  return h('div', { class: 'kv' }, h('b', {}, dir), ' ', v.isolated ? t('pod.isolatedBy', { list: v.by.join(', ') }) : t('pod.notIsolated'))
}

const externalText = (e: PortRow['external']): string => (e === undefined ? '' : typeof e === 'string' ? (e === 'any' ? t('pod.anyAddress') : e) : e.join(', '))

function ports(title: string, rows: PortRow[]): HTMLElement {
  return h('div', {},
    h('h4', {}, title),
    h('table', { class: 'ports' }, rows.map((r) => h('tr', {},
      h('td', {}, `${r.port}/${r.protocol}${r.name ? ` (${r.name})` : ''}`),
      h('td', {}, r.allowed.pods > 0 ? t('pod.pods', { n: r.allowed.pods, ns: r.allowed.namespaces.join(', ') }) : externalText(r.external) ? '' : t('pod.nobody')),
      h('td', {}, externalText(r.external)),
    ))))
}

export function renderDescribePod(res: DescribePodResponse, actions: HTMLElement): HTMLElement {
  const pod = ((res.describe as { pods?: PodJson[] }).pods ?? [])[0]
  if (!pod) return h('div', {}, t('pod.none'))
  const named = pod.inbound.filter((r) => r.name)
  const findings = res.lint as Finding[]
  return h('div', { class: 'describe' },
    h('h3', {}, pod.pod), actions,
    h('div', { class: 'kv' }, h('b', {}, t('pod.labels')), ' ', Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '—'),
    h('div', { class: 'kv' }, h('b', {}, t('pod.ips')), ' ', pod.ips.join(', ') || '—'),
    h('div', { class: 'kv' }, h('b', {}, t('pod.selectedBy')), ' ', pod.selectedBy.join(', ') || t('pod.noPolicy')),
    isolation(t('pod.ingress'), pod.ingress),
    isolation(t('pod.egress'), pod.egress),
    h('div', { class: 'kv' }, h('b', {}, t('pod.namedPorts')), ' ', named.map((r) => `${r.name} = ${r.port}/${r.protocol}`).join(', ') || '—'),
    ports(t('pod.inbound'), pod.inbound),
    ports(t('pod.outbound'), pod.outbound),
    res.lintPending ? h('h4', { class: 'lint-pending' }, t('pod.lintPending')) : h('h4', {}, t('pod.lint', { n: findings.length })),
    h('ul', { class: 'findings' }, findings.map((f) => h('li', { class: `sev-${f.severity ?? 'info'}` }, `${f.id ?? ''} ${f.severity ?? ''}: ${f.message ?? ''}`))),
  )
}
