import { describe, expect, test } from 'vitest'
import { cluster, pod } from '../../test/builders.js'
import { nearest } from './nearest.js'
import { resolveEndpoint } from './resolve-endpoint.js'

// a Deployment's real pods (owned through a ReplicaSet), a StatefulSet's template of 3 replicas, a hand-made pod
const c = cluster({
  pods: [
    pod('backend/api-5c4', { app: 'api' }, { ips: ['10.0.0.1'] }),
    pod('backend/api-6d1', { app: 'api' }, { ips: ['10.0.0.2'] }),
    pod('shop/web-7d9-a', { app: 'web' }, { ips: ['10.0.1.1'], workloads: [{ kind: 'ReplicaSet', name: 'web-7d9' }, { kind: 'Deployment', name: 'web' }] }),
    pod('shop/web-7d9-b', { app: 'web' }, { ips: ['10.0.1.2'], workloads: [{ kind: 'ReplicaSet', name: 'web-7d9' }, { kind: 'Deployment', name: 'web' }] }),
    pod('shop/db', { app: 'db' }, { template: { kind: 'StatefulSet', name: 'db', replicas: 3 } }),
    pod('shop/agent-daemonset', { app: 'agent' }, { template: { kind: 'DaemonSet', name: 'agent', replicas: 'per-node' } }),
  ],
})

describe('a workload named as kubectl names it resolves to its pods', () => {
  test.each([
    { input: 'deploy/shop/web', pods: ['shop/web-7d9-a', 'shop/web-7d9-b'] },
    { input: 'deployment/shop/web', pods: ['shop/web-7d9-a', 'shop/web-7d9-b'] },
    { input: 'deployments.apps/shop/web', pods: ['shop/web-7d9-a', 'shop/web-7d9-b'] },
    { input: 'rs/shop/web-7d9', pods: ['shop/web-7d9-a', 'shop/web-7d9-b'] },
    { input: 'sts/shop/db', pods: ['shop/db'] },
    { input: 'statefulset/shop/db', pods: ['shop/db'] },
    { input: 'ds/shop/agent', pods: ['shop/agent-daemonset'] },
  ])('$input', ({ input, pods }) => {
    const r = resolveEndpoint(c, input)
    expect(r.ok && r.value.kind === 'workload' ? r.value.pods.map((p) => `${p.namespace}/${p.name}`) : r).toEqual(pods)
  })
})

describe('did you mean', () => {
  test.each([
    { name: 'a pod named by its workload’s prefix', input: 'backend/api', want: ['backend/api-5c4', 'backend/api-6d1'] },
    { name: 'a prefix cut short', input: 'backend/ap', want: ['backend/api-5c4', 'backend/api-6d1'] },
    { name: 'a workload’s name given as a pod: the workload first', input: 'shop/web', want: ['deploy/shop/web', 'shop/web-7d9-a', 'shop/web-7d9-b', 'shop/db'] },
    { name: 'a typo still finds the closest', input: 'backend/api-5c5', want: ['backend/api-5c4', 'backend/api-6d1'] },
    { name: 'a workload of another kind', input: 'deploy/shop/db', want: ['sts/shop/db', 'deploy/shop/web'] },
    { name: 'a workload typo', input: 'deploy/shop/wbe', want: ['deploy/shop/web'] },
    { name: 'no such workload: pods named like it', input: 'deploy/backend/api', want: ['backend/api-5c4', 'backend/api-6d1'] },
  ])('$name: $input', ({ input, want }) => {
    const r = resolveEndpoint(c, input)
    expect(!r.ok && 'suggestions' in r.error ? r.error.suggestions : r).toEqual(want)
  })

  test.each([
    { input: 'backend/api', candidates: ['backend/api-5c4', 'backend/api-6d1', 'backend/worker-3a9'], want: ['backend/api-5c4', 'backend/api-6d1'] },
    { input: 'web', candidates: ['web-2', 'web-10', 'wbe'], want: ['web-2', 'web-10', 'wbe'] },
    { input: '', candidates: ['a', 'bb'], want: ['a', 'bb'] },
  ])('nearest($input)', ({ input, candidates, want }) => expect(nearest(input, candidates)).toEqual(want))
})
