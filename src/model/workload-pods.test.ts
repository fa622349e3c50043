import { describe, expect, test } from 'vitest'
import { buildCluster } from './build-cluster.js'
import { splitDocuments } from './documents.js'
import { toDotPath } from './issues.js'
import { parseWorkload } from './parse-pod.js'

const build = (...objects: object[]) => buildCluster(objects.map((value, doc) => ({ file: 'in.json', doc, pathPrefix: [], value })))
const buildYaml = (text: string) => buildCluster(splitDocuments('in.yaml', text).docs)

const T = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c' }] } })
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'shop', ...extra })
const owned = (kind: string, name: string, uid?: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name, controller: true, ...(uid ? { uid } : {}) }] })
const deploy = (name: string, spec: Record<string, unknown> = {}, m: Record<string, unknown> = {}, kind = 'Deployment') => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: meta(name, m),
  spec: { selector: { matchLabels: { app: name } }, template: T({ app: name }), ...spec },
})
const rs = (name: string, app: string, hash: string, replicas: number, m: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: meta(name, m),
  spec: { replicas, selector: { matchLabels: { app, 'pod-template-hash': hash } }, template: T({ app, 'pod-template-hash': hash }) },
})
const pod = (name: string, labels: Record<string, string>, m: Record<string, unknown> = {}, status: Record<string, unknown> = { phase: 'Running' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { ...meta(name, m), labels },
  spec: { containers: [{ name: 'c' }] },
  status,
})
const job = (spec: Record<string, unknown>) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('j'), spec: { template: T({ app: 'j' }), ...spec } })
const cron = (spec: Record<string, unknown>, jobSpec: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: meta('c'),
  spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: T({ app: 'c' }), ...jobSpec } }, ...spec },
})

describe('how many pods a workload stands for', () => {
  test.each<{ name: string; input: object; want: number | 'per-node' }>([
    { name: 'Deployment without replicas: the default 1', input: deploy('web'), want: 1 },
    { name: 'Deployment replicas 3', input: deploy('web', { replicas: 3 }), want: 3 },
    { name: 'StatefulSet replicas 0', input: deploy('db', { replicas: 0 }, {}, 'StatefulSet'), want: 0 },
    { name: 'ReplicaSet replicas 2', input: deploy('web', { replicas: 2 }, {}, 'ReplicaSet'), want: 2 },
    { name: 'ReplicationController replicas 4', input: { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta('rc'), spec: { replicas: 4, template: T({ app: 'rc' }) } }, want: 4 },
    { name: 'DaemonSet: one per node', input: deploy('agent', {}, {}, 'DaemonSet'), want: 'per-node' },
    { name: 'Job without parallelism: 1', input: job({}), want: 1 },
    { name: 'Job parallelism 4 (a work queue, no completions)', input: job({ parallelism: 4 }), want: 4 },
    { name: 'Job parallelism 5, completions 2: no more than 2 at once', input: job({ parallelism: 5, completions: 2 }), want: 2 },
    { name: 'Job suspended: no pods', input: job({ parallelism: 3, suspend: true }), want: 0 },
    { name: 'Job complete: no pods any more', input: { ...job({}), status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }, want: 0 },
    { name: 'Job failed: no pods any more', input: { ...job({}), status: { conditions: [{ type: 'Failed', status: 'True' }] } }, want: 0 },
    { name: 'Job running, a condition not true: its pods run', input: { ...job({}), status: { active: 1, conditions: [{ type: 'Complete', status: 'False' }] } }, want: 1 },
    { name: 'CronJob: its jobTemplate’s parallelism', input: cron({}, { parallelism: 3 }), want: 3 },
    { name: 'CronJob suspended: no pods', input: cron({ suspend: true }), want: 0 },
  ])('$name', ({ input, want }) => {
    const r = parseWorkload(input)
    expect(r.ok && r.value.replicas).toBe(want)
    expect(r.ok && r.value.pod.template?.replicas).toBe(want)
  })

  test.each([
    { name: 'negative replicas', input: deploy('web', { replicas: -1 }), want: [['negative_count', 'spec.replicas']] },
    { name: 'negative parallelism', input: job({ parallelism: -2 }), want: [['negative_count', 'spec.parallelism']] },
    { name: 'replicas not an integer', input: deploy('web', { replicas: '3' }), want: [['wrong_type', 'spec.replicas']] },
    { name: 'ownerReferences not a list', input: deploy('web', {}, { ownerReferences: {} }), want: [['wrong_type', 'metadata.ownerReferences']] },
  ])('refused: $name', ({ input, want }) => {
    const r = parseWorkload(input)
    expect(r.ok ? [] : r.issues.map((i) => [i.code, toDotPath(i.path)])).toEqual(want)
  })
})

const names = (r: ReturnType<typeof build>) => r.cluster.pods.map((p) => (p.template ? `${p.template.kind} ${p.name}` : p.name))
const codes = (r: ReturnType<typeof build>) => r.notes.map((n) => ('kind' in n && 'name' in n ? `${n.code} ${n.kind} ${n.name}` : n.code))

describe('each pod once: real pods win, owners stand for what they own', () => {
  test.each<{ name: string; objects: object[]; pods: string[]; notes: string[] }>([
    {
      name: 'replicas 0: not a pod',
      objects: [deploy('web', { replicas: 0 })],
      pods: [],
      notes: ['workload_no_replicas_skipped Deployment web'],
    },
    {
      name: 'a Deployment and the ReplicaSet it owns, no pods: the Deployment stands for them',
      objects: [deploy('web', { replicas: 3 }), rs('web-5d8', 'web', '5d8', 3, owned('Deployment', 'web'))],
      pods: ['Deployment web'],
      notes: ['template_owned_skipped ReplicaSet web-5d8', 'namespace_created'],
    },
    {
      name: 'a ReplicaSet whose owner is not in the input stands for itself',
      objects: [rs('web-5d8', 'web', '5d8', 2, owned('Deployment', 'web'))],
      pods: ['ReplicaSet web-5d8'],
      notes: ['namespace_created'],
    },
    {
      name: 'an owner reference with another uid is another object',
      objects: [deploy('web', { replicas: 3 }, { uid: 'u-new' }), rs('web-5d8', 'web', '5d8', 1, owned('Deployment', 'web', 'u-old'))],
      pods: ['Deployment web', 'ReplicaSet web-5d8'],
      notes: ['namespace_created'],
    },
    {
      name: 'pods owned through a ReplicaSet: no template, whatever the labels',
      objects: [
        deploy('web', { replicas: 2 }),
        rs('web-5d8', 'web', '5d8', 2, owned('Deployment', 'web')),
        rs('web-4c7', 'web', '4c7', 0, owned('Deployment', 'web')),
        pod('web-5d8-a', { app: 'web', 'pod-template-hash': '5d8' }, owned('ReplicaSet', 'web-5d8')),
        pod('web-5d8-b', { relabeled: 'yes' }, owned('ReplicaSet', 'web-5d8')),
      ],
      pods: ['web-5d8-a', 'web-5d8-b'],
      notes: ['template_skipped_pods_present Deployment web', 'template_skipped_pods_present ReplicaSet web-5d8', 'template_owned_skipped ReplicaSet web-4c7', 'namespace_created'],
    },
    {
      name: 'a CronJob, its Job and the Job’s running pod: the pod only',
      objects: [
        cron({}),
        { ...job({}), metadata: meta('c-2940', owned('CronJob', 'c')) },
        pod('c-2940-x', { app: 'c', 'job-name': 'c-2940' }, owned('Job', 'c-2940')),
      ],
      pods: ['c-2940-x'],
      notes: ['template_skipped_pods_present CronJob c', 'template_skipped_pods_present Job c-2940', 'namespace_created'],
    },
    {
      name: 'live workloads beside live pods, none theirs: they run no pod now',
      objects: [deploy('web', {}, { uid: 'u1' }), pod('other', { app: 'other' }, { uid: 'u2' }), pod('done', { app: 'j' }, { uid: 'u3' }, { phase: 'Succeeded' })],
      pods: ['other'],
      notes: ['pod_not_running_skipped', 'template_skipped_no_live_pods Deployment web', 'namespace_created'],
    },
    {
      name: 'live workloads without any pod in the input (kubectl get deploy): templates',
      objects: [deploy('web', {}, { uid: 'u1' })],
      pods: ['Deployment web'],
      notes: ['namespace_created'],
    },
  ])('$name', ({ objects, pods, notes }) => {
    const r = build(...objects)
    expect(r.issues).toEqual([])
    expect(names(r)).toEqual(pods)
    expect(codes(r)).toEqual(notes)
  })

  test('a real pod knows its workloads, nearest first: owner chain, then selectors', () => {
    const r = build(
      deploy('web'),
      rs('web-5d8', 'web', '5d8', 2, owned('Deployment', 'web')),
      pod('web-5d8-a', { app: 'web', 'pod-template-hash': '5d8' }, owned('ReplicaSet', 'web-5d8')),
      pod('hand-made', { app: 'web' }),
      pod('lonely', { app: 'none' }),
    )
    expect(Object.fromEntries(r.cluster.pods.map((p) => [p.name, p.workloads]))).toEqual({
      'web-5d8-a': [{ kind: 'ReplicaSet', name: 'web-5d8' }, { kind: 'Deployment', name: 'web' }],
      'hand-made': [{ kind: 'Deployment', name: 'web' }],
      lonely: undefined,
    })
  })

  test('the template carries its replicas', () => {
    const r = buildYaml('apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: db, namespace: shop }\nspec:\n  replicas: 3\n  selector: { matchLabels: { app: db } }\n  template:\n    metadata: { labels: { app: db } }\n    spec: { containers: [ { name: c } ] }')
    expect(r.cluster.pods.map((p) => p.template)).toEqual([{ kind: 'StatefulSet', name: 'db', replicas: 3 }])
  })
})
