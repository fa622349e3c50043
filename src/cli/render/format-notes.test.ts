import { expect, test } from 'vitest'
import type { ModelNote } from '../../model/issues.js'
import { formatNotes } from './format-notes.js'

const skipped = (kind: string, name: string): ModelNote => ({ code: 'unknown_kind_skipped', kind, name })
const many = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i))

test.each<{ name: string; notes: ModelNote[]; want: string[] }>([
  {
    name: 'skipped kinds: one line with counts, most frequent first',
    notes: [...many(50, (i) => skipped('ConfigMap', `cfg-${i}`)), ...many(3, (i) => skipped('Kustomization', `k${i}`)), skipped('Secret', 's')],
    want: ['skipped 50 ConfigMap, 3 Kustomization, 1 Secret: netpol reads Namespace, Pod, Service, Node, workload kinds, NetworkPolicy and the cluster policy kinds only'],
  },
  {
    name: 'a note given once keeps its sentence',
    notes: [skipped('ConfigMap', 'cfg')],
    want: ['ConfigMap cfg skipped: netpol reads Namespace, Pod, Service, Node, workload kinds, NetworkPolicy and the cluster policy kinds only'],
  },
  {
    name: 'workloads at replicas 0: one line naming three and counting the rest',
    notes: many(5, (i): ModelNote => ({ code: 'workload_no_replicas_skipped', kind: 'ReplicaSet', namespace: 'shop', name: `web-${i}` })),
    want: ['skipped 5 workloads that run no pod (replicas 0, suspended, or a finished Job): ReplicaSet shop/web-0, ReplicaSet shop/web-1, ReplicaSet shop/web-2 and 2 more'],
  },
  {
    name: 'kinds of notes keep the order in which each first appears',
    notes: [
      { code: 'template_skipped_pods_present', kind: 'Deployment', namespace: 'a', name: 'x' },
      skipped('ConfigMap', 'c1'),
      { code: 'template_skipped_pods_present', kind: 'StatefulSet', namespace: 'a', name: 'y' },
      skipped('ConfigMap', 'c2'),
    ],
    want: [
      'pod templates of 2 workloads not used because their pods are present: Deployment a/x, StatefulSet a/y',
      'skipped 2 ConfigMap: netpol reads Namespace, Pod, Service, Node, workload kinds, NetworkPolicy and the cluster policy kinds only',
    ],
  },
  {
    name: 'finished pods: counted by phase',
    notes: [
      { code: 'pod_not_running_skipped', namespace: 'ops', name: 'a', phase: 'Succeeded' },
      { code: 'pod_not_running_skipped', namespace: 'ops', name: 'b', phase: 'Failed' },
      { code: 'pod_not_running_skipped', namespace: 'ops', name: 'c', phase: 'Succeeded' },
    ],
    want: ['skipped 3 pods that have finished (2 Succeeded, 1 Failed): ops/a, ops/b, ops/c'],
  },
  {
    name: 'a kind name that is not plain text stays quoted on one line',
    notes: [skipped('Config\nMap', 'a'), skipped('Config\nMap', 'b')],
    want: ['skipped 2 "Config\\nMap": netpol reads Namespace, Pod, Service, Node, workload kinds, NetworkPolicy and the cluster policy kinds only'],
  },
])('$name', ({ notes, want }) => {
  expect(formatNotes(notes)).toEqual(want)
})

test('every kind of note has a summary without "undefined"', () => {
  const all: ModelNote[] = [
    skipped('A', 'a'),
    { code: 'namespace_created', namespace: 'n', referencedBy: 'Pod n/p' },
    { code: 'template_skipped_pods_present', kind: 'Deployment', namespace: 'n', name: 'd' },
    { code: 'pod_not_running_skipped', namespace: 'n', name: 'p', phase: 'Failed' },
    { code: 'duplicate_object', kind: 'Pod', namespace: 'n', name: 'p' },
    { code: 'workload_no_replicas_skipped', kind: 'Deployment', namespace: 'n', name: 'd' },
    { code: 'template_owned_skipped', kind: 'ReplicaSet', namespace: 'n', name: 'r', owner: 'Deployment d' },
    { code: 'template_skipped_no_live_pods', kind: 'Job', namespace: 'n', name: 'j' },
  ]
  const lines = formatNotes([...all, ...all])
  expect(lines).toHaveLength(all.length)
  for (const l of lines) expect(l).not.toContain('undefined')
})
