/**
 * Notes for the terminal, one line per kind of note: an input such as `kubectl get all -A -o json` holds
 * hundreds of objects netpol skips (old ReplicaSets, ConfigMaps, finished pods), and one line per object would
 * bury the notes that matter. A kind of note given once keeps its full sentence (formatNote).
 */
import type { ModelNote } from '../../model/issues.js'
import { formatNote, READ_KINDS, shown } from './format-issue.js'

/** How many objects a summary names before "and N more". */
const EXAMPLES = 3

type Code = ModelNote['code']
type NoteOf<C extends Code> = Extract<ModelNote, { code: C }>

/** The notes as lines (without a `note:` prefix), in the order each kind first appears. */
export function formatNotes(notes: readonly ModelNote[]): string[] {
  const groups = new Map<Code, ModelNote[]>()
  for (const n of notes) {
    const g = groups.get(n.code)
    if (g) g.push(n)
    else groups.set(n.code, [n])
  }
  const out: string[] = []
  for (const [code, g] of groups) out.push(g.length === 1 ? formatNote(g[0]!) : summary(code, g))
  return out
}

function summary(code: Code, g: readonly ModelNote[]): string {
  const n = g.length
  const obj = (x: { kind: string; namespace: string; name: string }) => `${shown(x.kind)} ${x.namespace ? `${shown(x.namespace)}/` : ''}${shown(x.name)}`
  const of = <C extends Code>(_c: C) => g as NoteOf<C>[]
  switch (code) {
    case 'unknown_kind_skipped':
      return `skipped ${counts(of('unknown_kind_skipped').map((x) => (x.apiVersion === undefined ? shown(x.kind) : `${shown(x.kind)} (${shown(x.apiVersion)})`)))}: ${READ_KINDS}`
    case 'generated_name':
      return `${n} objects have generateName and no name; the API server adds 5 random characters, netpol 5 derived from each object: ${examples(of('generated_name').map(obj))}`
    case 'namespace_created':
      return `${n} namespaces are not declared; assumed to exist because objects are in them: ${examples(of('namespace_created').map((x) => shown(x.namespace)))}`
    case 'template_skipped_pods_present':
      return `pod templates of ${n} workloads not used because their pods are present: ${examples(of('template_skipped_pods_present').map(obj))}`
    case 'pod_not_running_skipped': {
      const list = of('pod_not_running_skipped')
      return `skipped ${n} pods that have finished (${counts(list.map((x) => shown(x.phase)))}): ${examples(list.map((x) => `${shown(x.namespace)}/${shown(x.name)}`))}`
    }
    case 'duplicate_object':
      return `${n} objects are given more than once; the last of each is used: ${examples(of('duplicate_object').map(obj))}`
    case 'workload_no_replicas_skipped':
      return `skipped ${n} workloads that run no pod (replicas 0, suspended, or a finished Job): ${examples(of('workload_no_replicas_skipped').map(obj))}`
    case 'template_owned_skipped':
      return `skipped ${n} workloads whose owner in the input stands for their pods: ${examples(of('template_owned_skipped').map((x) => `${obj(x)} (${x.owner})`))}`
    case 'tool_files_skipped':
      return formatNote({ code, files: of('tool_files_skipped').flatMap((x) => x.files) })
    case 'no_manifests':
      return `no manifests in ${n} paths: ${examples(of('no_manifests').map((x) => shown(x.path)))}`
    case 'template_skipped_no_live_pods':
      return `skipped ${n} workloads of a live cluster whose pods are in the input, none of them theirs (they run no pod now): ${examples(of('template_skipped_no_live_pods').map(obj))}`
  }
}

/** `50 ConfigMap, 3 Kustomization`: most frequent first, then by name. */
function counts(values: readonly string[]): string {
  const c = new Map<string, number>()
  for (const v of values) c.set(v, (c.get(v) ?? 0) + 1)
  return [...c].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).map(([v, k]) => `${k} ${v}`).join(', ')
}

function examples(items: readonly string[]): string {
  const list = items.slice(0, EXAMPLES).join(', ')
  return items.length > EXAMPLES ? `${list} and ${items.length - EXAMPLES} more` : list
}
