import { expect, test } from 'vitest'
import { cluster, pod, policy, podsPeer, port, rule, sel } from '../../test/builders.js'
import { checkConnections, planCheck } from './check-plan.js'
import { checkReport } from './check-report.js'

const c = cluster({
  pods: [
    pod('shop/web', { app: 'web' }, { ips: ['10.0.0.1'] }),
    pod('shop/db', { app: 'db' }, { ips: ['10.0.0.2'] }),
    pod('shop/api-0', { app: 'api' }, { ips: ['10.0.0.3'], workloads: [{ kind: 'StatefulSet', name: 'api' }] }),
    pod('shop/api-1', { app: 'api' }, { ips: ['10.0.0.4'], workloads: [{ kind: 'StatefulSet', name: 'api' }] }),
  ],
  policies: [policy('shop', 'db', { podSelector: sel({ app: 'db' }), ingress: [rule([podsPeer(sel({ app: 'web' }))], [port(5432)])] })],
})

test.each([
  { name: 'an unknown source', query: { from: 'shop/wbe', to: 'shop/db', port: '5432' }, field: 'from', message: /^--from "shop\/wbe": no such pod in the input; did you mean .*shop\/web\?$/ },
  { name: 'a destination that is no endpoint', query: { from: 'shop/web', to: 'db', port: '5432' }, field: 'to', message: /^--to "db": expected NAMESPACE\/POD/ },
  { name: 'a bad port', query: { from: 'shop/web', to: 'shop/db', port: '99999' }, field: 'port', message: /^--port "99999": expected PORT\[\/PROTOCOL\]/ },
  { name: 'no port for a pod', query: { from: 'shop/web', to: 'shop/db' }, field: 'port', message: '--port is required (PORT[/PROTOCOL], e.g. 5432/TCP) unless --to is svc/NS/NAME:PORT' },
])('errors come back as values: $name', ({ query, field, message }) => {
  const r = planCheck(c, query)
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(r.error.field).toBe(field)
  expect(r.error.message).toMatch(message)
})

test('a workload to itself plans each pod to the others', () => {
  const r = planCheck(c, { from: 'sts/shop/api', to: 'sts/shop/api', port: '80' })
  expect(r.ok && r.value.map((f) => `${f.shown.from}->${f.shown.to} ${f.shown.via}`)).toEqual(['shop/api-0->shop/api-1 via sts/shop/api', 'shop/api-1->shop/api-0 via sts/shop/api'])
})

test('checkConnections evaluates the plan; checkReport is the -o json object', () => {
  const allowed = checkConnections(c, { from: 'shop/web', to: 'shop/db', port: '5432/tcp' })
  const denied = checkConnections(c, { from: 'shop/api-0', to: '10.0.0.2', port: '5432', family: 4 })
  if (!allowed.ok || !denied.ok) throw new Error('expected plans')
  expect(checkReport(allowed.value, c.policies)).toMatchObject({ allowed: true, results: [{ from: 'shop/web', to: 'shop/db', fromIp: '10.0.0.1', toIp: '10.0.0.2', port: 5432, protocol: 'TCP', allowed: true }] })
  expect(checkReport(denied.value, c.policies)).toMatchObject({ allowed: false, results: [{ from: 'shop/api-0', to: 'shop/db', allowed: false }] })
})

test('the check JSON says each peer and port it names by index in the words of the check text', () => {
  const allowed = checkConnections(c, { from: 'shop/web', to: 'shop/db', port: '5432' })
  const denied = checkConnections(c, { from: 'shop/api-0', to: 'shop/db', port: '80' })
  if (!allowed.ok || !denied.ok) throw new Error('expected plans')
  const ok = checkReport(allowed.value, c.policies).results[0]!.ingress
  expect(ok).toMatchObject({ kind: 'allowed', allowedBy: [{ rule: 0, peer: 0, port: 0, peerText: "pods app=web in the policy's namespace", portText: '5432/TCP' }] })
  const bad = checkReport(denied.value, c.policies).results[0]!.ingress
  expect(bad).toMatchObject({
    kind: 'denied',
    misses: [{ rules: [{ peers: { ok: false, misses: [{ code: 'pod-labels', peer: 0, peerText: "pods app=web in the policy's namespace" }] }, ports: { ok: false, misses: [{ code: 'number', port: 0, portText: '5432/TCP' }] } }] }],
  })
})
