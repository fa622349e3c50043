/**
 * A node's label in the language in use. The graph report writes its labels in English (the command line's
 * `matrix -o dot` draws them as they are): "any address" / "any other address" for the node "world", "N pods"
 * and "no labels" in a class's label, "except" in an ipBlock's. The page says those words from its tables; the
 * rest of a label (names, labels, CIDRs) is the cluster's own and stays as written.
 */
import type { GraphNode } from '../../src/web/api.js'
import { num, t } from './i18n.js'

/** src/report/graph-nodes.ts writes a class as `WORDS (N pod[s])`, a repeated one with ` #K` after */
const CLASS_LABEL = /^(.*) \((\d+) pods?\)( #\d+)?$/

/** `others`: whether the graph has external nodes besides "world" (it is then "any other address"). */
export function nodeLabel(n: Pick<GraphNode, 'id' | 'kind' | 'label'>, others: boolean): string {
  if (n.id === 'world') return t(others ? 'node.anyOtherAddress' : 'node.anyAddress')
  if (n.kind === 'external') return n.label.split(' except ').join(` ${t('node.except')} `)
  if (n.kind === 'class') {
    const m = CLASS_LABEL.exec(n.label)
    if (!m) return n.label
    const words = m[1] === 'no labels' ? t('node.noLabels') : m[1]!
    return `${words} (${t(m[2] === '1' ? 'node.pod' : 'node.pods', { n: num(Number(m[2])) })})${m[3] ?? ''}`
  }
  return n.label
}

/** Whether the graph has external nodes other than "world". */
export const hasOtherExternal = (nodes: readonly Pick<GraphNode, 'id' | 'kind'>[]): boolean => nodes.some((n) => n.kind === 'external' && n.id !== 'world')
