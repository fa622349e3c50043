/**
 * The changes of a what-if as `netpol diff -o json` lists them: which group of pods gains or loses which
 * connections, on which ports, and the policy change responsible — the answer to "what would this break?".
 */
import { h } from './dom.js'
import { t } from './i18n.js'

interface DiffClass { id: number; namespace: string; labels: Record<string, string>; pods: string[] }
interface DiffChange { change: 'allowed' | 'denied'; from: number | string; to: number | string; ports: string[]; connections: number; causes?: { policy?: string; status?: string }[] }
export interface DiffJson { classes?: DiffClass[]; changes?: DiffChange[] }

/** the changes listed (the server is asked for no more: `diffChanges`) */
export const SHOWN = 50

/** `leftOut`: changes the server did not send (past SHOWN) */
export function renderDiffChanges(diff: DiffJson | undefined, leftOut = 0): HTMLElement | null {
  const changes = diff?.changes ?? []
  if (changes.length === 0) return null
  const classes = new Map((diff?.classes ?? []).map((c) => [c.id, c]))
  const who = (id: number | string): string => {
    const c = typeof id === 'number' ? classes.get(id) : undefined
    if (!c) return String(id)
    if (c.pods.length <= 2) return c.pods.join(', ')
    return `${c.namespace} {${Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(', ')}} ${t('diff.pods', { n: c.pods.length })}`
  }
  return h('ul', { class: 'diff-changes' },
    changes.slice(0, SHOWN).map((c) => h('li', { class: c.change === 'allowed' ? 'opened' : 'closed' },
      h('b', {}, c.change === 'allowed' ? t('diff.opened') : t('diff.closed')), ' ',
      `${who(c.from)} → ${who(c.to)}  ${c.ports.join(', ')}  ${t('diff.connections', { n: c.connections })}`,
      (c.causes ?? []).length ? h('div', { class: 'dim' }, t('diff.because', { list: [...new Set((c.causes ?? []).map((x) => `${x.policy ?? ''} ${x.status ?? ''}`.trim()))].join('; ') })) : null)),
    changes.length + leftOut > SHOWN ? h('li', { class: 'dim' }, t('diff.more', { n: changes.length + leftOut - SHOWN })) : null)
}
