import { expect, test } from 'vitest'
import { cluster, namespace, pod, policy } from '../../test/builders.js'
import type { NetworkPolicy } from '../model/policy.js'
import { diffClusters } from './diff.js'
import { limitDiff } from './diff-limit.js'

const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }]
const make = (policies: NetworkPolicy[]) =>
  cluster({
    namespaces: [namespace('web'), namespace('api'), namespace('db')],
    pods: [pod('web/fe', { app: 'fe' }, { ips: ['10.0.1.1'], ports: http }), pod('api/orders', { app: 'orders' }, { ips: ['10.0.2.1'], ports: http }), pod('db/pg', { app: 'pg' }, { ips: ['10.0.3.1'], ports: http })],
    policies,
  })
// a default deny in api and one in db: four connections into them become denied
const d = diffClusters(make([]), make([policy('api', 'deny'), policy('db', 'deny')]))
const shown = (ns: string[] | null) => {
  const l = limitDiff(d, ns === null ? null : new Set(ns))
  return { changes: l.changes.map((c) => `${l.classes[c.from]!.pods.join('+')} → ${l.classes[c.to]!.pods.join('+')}`).sort(), policies: l.policies.map((p) => p.policy.name + '@' + p.policy.namespace) }
}

test.each([
  { name: 'null shows everything', ns: null, want: { changes: ['api/orders → db/pg', 'db/pg → api/orders', 'web/fe → api/orders', 'web/fe → db/pg'], policies: ['deny@api', 'deny@db'] } },
  { name: 'a namespace shows changes from or to it, and its policies', ns: ['db'], want: { changes: ['api/orders → db/pg', 'db/pg → api/orders', 'web/fe → db/pg'], policies: ['deny@db'] } },
  { name: 'a namespace of sources only shows what it loses', ns: ['web'], want: { changes: ['web/fe → api/orders', 'web/fe → db/pg'], policies: [] } },
])('$name', ({ ns, want }) => expect(shown(ns)).toEqual(want))
