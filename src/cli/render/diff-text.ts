import type { Cluster } from '../../model/cluster.js'
import { formatRef, type NetworkPolicy } from '../../model/policy.js'
import { formatPortSpec } from '../../model/port.js'
import type { RuleHit } from '../../engine/verdict.js'
import type { Cause, ClusterDiff, ConnectionChange, DiffClass, PolicyStatus, PolicyWithStatus } from '../../analysis/diff.js'
import { count, peerWords, readableLabels } from '../../report/words.js'
import { totals } from '../../report/diff-report.js'
import { portText } from '../../report/port-text.js'
import { tierStepText } from '../../report/tier-step-words.js'
import { formatClusterRef } from '../../model/cluster-policy.js'

/** How many pods the text lists per class. */
const SHOWN_PODS = 10

/** The policies of both sides by `namespace/name`, to put rules into words. */
export interface DiffSides {
  readonly before: ReadonlyMap<string, NetworkPolicy>
  readonly after: ReadonlyMap<string, NetworkPolicy>
}

export function diffSides(before: Cluster, after: Cluster): DiffSides {
  return { before: new Map(before.policies.map((p) => [formatRef(p), p])), after: new Map(after.policies.map((p) => [formatRef(p), p])) }
}

/** `web {app=frontend} (2 pods)`, with the labels before when they changed. */
export function classLabel(c: DiffClass): string {
  const was = c.labelsBefore !== undefined ? ` (was ${readableLabels(c.labelsBefore)})` : ''
  return `${c.namespace} ${readableLabels(c.labels)}${was} (${count(c.pods.length, 'pod')})`
}


/** "newly allowed: 6 connections in 4 class pairs; newly denied: none" */
export function summaryLine(diff: ClusterDiff): string {
  if (diff.comparedPods === 0) return 'nothing compared: no pod is present on both sides'
  const t = totals(diff)
  const part = (x: { groups: number; connections: number }) => (x.groups === 0 ? 'none' : `${count(x.connections, 'connection')} in ${count(x.groups, 'class pair')}`)
  return `newly allowed: ${part(t.allowed)}; newly denied: ${part(t.denied)} (${count(diff.ports.length, 'port')} compared; a connection is one pod pair on one port)`
}

/** "not reported: 6 newly denied connections to ports ..." when the diff left some out, else null. */
export function unservedLine(diff: ClusterDiff): string | null {
  const { allowed, denied } = diff.unserved
  if (allowed + denied === 0) return null
  const parts = [allowed > 0 ? `${allowed} newly allowed` : '', denied > 0 ? `${denied} newly denied` : ''].filter((x) => x !== '')
  return `not reported: ${parts.join(' and ')} connection${allowed + denied === 1 ? '' : 's'} to ports that the destination pod neither serves (no container port) nor has named by a policy; --port P reports port P on every pod`
}

/** The line that replaces "no connection changes" when no pod was on both sides. */
export const NOTHING_COMPARED = 'Nothing was compared: no pod is present on both sides (give the pods and namespaces with --cluster PATH).'

const STATUS_WORDS: Record<PolicyStatus, string> = { added: 'added', removed: 'removed', changed: 'changed', unchanged: 'unchanged; labels changed' }
const statusText = (s: PolicyStatus) => STATUS_WORDS[s]
const refsText = (ps: readonly PolicyWithStatus[]) => ps.map((p) => `${formatRef(p.policy)} (${statusText(p.status)})`).join(', ')
const sideText = (side: 'egress' | 'ingress') => (side === 'egress' ? 'egress of the source' : 'ingress of the destination')

/** One cause in a sentence, e.g. `ingress of the destination: allowed by api/x ingress[0] (added): from[0] ..., ports[0] 9090/TCP`. */
export function causeText(c: Cause, sides: DiffSides): string {
  switch (c.code) {
    case 'allowed-by':
      return `${sideText(c.side)}: allowed by ${hitText(c.hit, sides.after, c.status)}`
    case 'allow-lost':
      return `${sideText(c.side)}: no longer allowed by ${hitText(c.hit, sides.before, c.status)}`
    case 'isolation-lifted':
      return `${sideText(c.side)}: no longer isolated; it was isolated by ${refsText(c.policies)}`
    case 'newly-isolated':
      return `${sideText(c.side)}: now isolated by ${refsText(c.policies)}, and no rule allows it`
    case 'tier-decides':
      return `${sideText(c.side)}: ${tierStepText(c.step)} (${statusText(c.status)})`
    case 'tier-decided':
      return `${sideText(c.side)}: no longer ${tierStepText(c.step)} (${statusText(c.status)})`
  }
}

/** `ns/name (added) ingress[0]: from[1] pods app=x in namespaces team=y, ports[0] 9090/TCP` */
export function hitText(h: RuleHit, policies: ReadonlyMap<string, NetworkPolicy>, status: PolicyStatus): string {
  const rule = policies.get(formatRef(h.policy))?.[h.direction]?.[h.rule]
  const field = h.direction === 'ingress' ? 'from' : 'to'
  const peer = rule === undefined || rule.peers === 'any' || h.peer === 'any' ? `any ${field === 'from' ? 'source' : 'destination'}` : `${field}[${h.peer}] ${peerWords(rule.peers[h.peer]!)}`
  const spec = rule !== undefined && rule.ports !== 'any' && h.port !== 'any' ? rule.ports[h.port] : undefined
  const port = spec === undefined ? 'any port' : `ports[${h.port}] ${formatPortSpec(spec)}${h.resolvedPort !== undefined && spec.port.kind === 'named' ? ` → ${h.resolvedPort}` : ''}`
  return `${formatRef(h.policy)} (${statusText(status)}) ${h.direction}[${h.rule}]: ${peer}, ${port}`
}

export function changeHead(c: ConnectionChange, classes: readonly DiffClass[]): string {
  return `${classLabel(classes[c.from]!)} → ${classLabel(classes[c.to]!)}: ${c.ports.map(portText).join(', ')}`
}

/** One group of the inventory: a title with counts and its items, at most INVENTORY_SHOWN of them. */
export interface InventoryGroup {
  readonly title: string
  readonly items: readonly string[]
  /** items left out */
  readonly more: number
}

/** Items listed per inventory group; the rest are counted. */
const INVENTORY_SHOWN = 20

/** The policies, pods and namespaces that were added, removed or changed; groups with nothing are left out. */
export function inventory(diff: ClusterDiff): InventoryGroup[] {
  const groups: InventoryGroup[] = []
  const group = (title: string, items: string[]) => {
    if (items.length > 0) groups.push({ title, items: items.slice(0, INVENTORY_SHOWN), more: Math.max(0, items.length - INVENTORY_SHOWN) })
  }
  const counts = (x: { added: readonly unknown[]; removed: readonly unknown[]; relabeled?: readonly unknown[]; changed?: readonly unknown[] }) =>
    [
      x.added.length > 0 ? `${x.added.length} added` : '',
      x.removed.length > 0 ? `${x.removed.length} removed` : '',
      (x.changed?.length ?? 0) > 0 ? `${x.changed!.length} changed` : '',
      (x.relabeled?.length ?? 0) > 0 ? `${x.relabeled!.length} relabeled` : '',
    ].filter((t) => t !== '').join(', ')
  const mark = { added: '+', removed: '-', changed: '~' } as const
  const by = (s: 'added' | 'removed' | 'changed') => diff.policies.filter((p) => p.status === s)
  group(`Policies: ${counts({ added: by('added'), removed: by('removed'), changed: by('changed') })}`, diff.policies.map((p) => `${mark[p.status]} ${formatRef(p.policy)}`))
  const byTier = (s: 'added' | 'removed' | 'changed') => diff.clusterPolicies.filter((p) => p.status === s)
  group(`Cluster policies: ${counts({ added: byTier('added'), removed: byTier('removed'), changed: byTier('changed') })}`, diff.clusterPolicies.map((p) => `${mark[p.status]} ${formatClusterRef(p.policy)}`))
  const items = (x: { added: readonly string[]; removed: readonly string[]; relabeled: readonly string[] }) => [...x.added.map((n) => `+ ${n}`), ...x.removed.map((n) => `- ${n}`), ...x.relabeled.map((n) => `~ ${n} (labels)`)]
  const oneSide = diff.pods.added.length + diff.pods.removed.length > 0 ? ' (pods on one side only are not compared)' : ''
  group(`Pods: ${counts(diff.pods)}${oneSide}`, items(diff.pods))
  group(`Namespaces: ${counts(diff.namespaces)}`, items(diff.namespaces))
  return groups
}

/** The text report: a summary, the inventory of changed objects, then each change with its causes. */
export function renderDiffText(diff: ClusterDiff, sides: DiffSides): string {
  const lines = [`netpol diff: ${summaryLine(diff)}`]
  const unserved = unservedLine(diff)
  if (unserved !== null) lines.push(unserved)
  for (const g of inventory(diff)) {
    lines.push(g.title, ...g.items.map((i) => `  ${i}`))
    if (g.more > 0) lines.push(`  … and ${g.more} more`)
  }
  if (diff.ports.length === 0) lines.push('no ports to compare: no pod declares a container port and no policy names one; give --port')
  for (const kind of ['allowed', 'denied'] as const) {
    const list = diff.changes.filter((c) => c.change === kind)
    if (list.length === 0) continue
    lines.push('', kind === 'allowed' ? 'Newly allowed:' : 'Newly denied:')
    for (const c of list) {
      lines.push(`  ${changeHead(c, diff.classes)}`)
      for (const cause of c.causes) lines.push(`    ${causeText(cause, sides)}`)
    }
  }
  if (diff.comparedPods === 0) lines.push('', NOTHING_COMPARED)
  else if (diff.changes.length === 0) lines.push('', 'No connection between pods present on both sides changes.')
  else {
    lines.push('', 'Pods of each class:')
    for (const c of diff.classes) {
      const more = c.pods.length > SHOWN_PODS ? `, and ${c.pods.length - SHOWN_PODS} more` : ''
      lines.push(`  ${c.namespace} ${readableLabels(c.labels)}: ${c.pods.slice(0, SHOWN_PODS).join(', ')}${more}`)
    }
  }
  return lines.join('\n') + '\n'
}
