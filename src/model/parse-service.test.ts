import { expect, test } from 'vitest'
import { toDotPath } from './issues.js'
import { parseService } from './parse-service.js'

const svc = (spec: unknown, name = 'web') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec })
const issuesOf = (input: unknown): [string, string][] => {
  const r = parseService(input)
  return r.ok ? [] : r.issues.map((i) => [i.code, toDotPath(i.path)])
}

test.each<{ name: string; input: unknown; want: [string, string][] }>([
  { name: 'name must start with a letter', input: svc({}, '1web'), want: [['invalid_name', 'metadata.name']] },
  { name: 'name with a dot', input: svc({}, 'web.v1'), want: [['invalid_name', 'metadata.name']] },
  { name: 'selector key invalid', input: svc({ selector: { '-app': 'web' } }), want: [['invalid_label_key', 'spec.selector.-app']] },
  { name: 'port missing', input: svc({ ports: [{ targetPort: 80 }] }), want: [['required', 'spec.ports[0].port']] },
  { name: 'port out of range', input: svc({ ports: [{ port: 0 }] }), want: [['invalid_port_number', 'spec.ports[0].port']] },
  { name: 'protocol invalid', input: svc({ ports: [{ port: 80, protocol: 'HTTP' }] }), want: [['invalid_protocol', 'spec.ports[0].protocol']] },
  { name: 'targetPort out of range', input: svc({ ports: [{ port: 80, targetPort: 70000 }] }), want: [['invalid_port_number', 'spec.ports[0].targetPort']] },
  { name: 'targetPort name invalid', input: svc({ ports: [{ port: 80, targetPort: '8080' }] }), want: [['invalid_port_name', 'spec.ports[0].targetPort']] },
  { name: 'targetPort a boolean', input: svc({ ports: [{ port: 80, targetPort: true }] }), want: [['wrong_type', 'spec.ports[0].targetPort']] },
  { name: 'port names required with several ports', input: svc({ ports: [{ port: 80, name: 'http' }, { port: 443 }] }), want: [['required', 'spec.ports[1].name']] },
  { name: 'port names unique', input: svc({ ports: [{ port: 80, name: 'http' }, { port: 81, name: 'http' }] }), want: [['duplicate_value', 'spec.ports[1].name']] },
  { name: 'port name not a DNS label', input: svc({ ports: [{ port: 80, name: 'HTTP' }] }), want: [['invalid_name', 'spec.ports[0].name']] },
])('rejects: $name', ({ input, want }) => {
  expect(issuesOf(input)).toEqual(want)
})

test.each([
  { name: 'targetPort defaults to port', port: { port: 80 }, want: { port: 80, protocol: 'TCP', targetPort: 80 } },
  { name: 'targetPort 0 defaults to port', port: { port: 80, targetPort: 0 }, want: { port: 80, protocol: 'TCP', targetPort: 80 } },
  { name: 'named targetPort', port: { name: 'web', port: 80, targetPort: 'http' }, want: { name: 'web', port: 80, protocol: 'TCP', targetPort: 'http' } },
  { name: 'UDP', port: { port: 53, protocol: 'UDP', targetPort: 5353 }, want: { port: 53, protocol: 'UDP', targetPort: 5353 } },
])('accepts: $name', ({ port, want }) => {
  const r = parseService(svc({ selector: { app: 'web' }, ports: [port] }))
  expect(r.ok && r.value.ports).toEqual([want])
})

test.each([
  { name: 'no selector', spec: {}, want: null },
  { name: 'empty selector is no selector', spec: { selector: {} }, want: null },
  { name: 'selector', spec: { selector: { app: 'web' } }, want: { app: 'web' } },
])('selector: $name', ({ spec, want }) => {
  const r = parseService(svc(spec))
  expect(r.ok && r.value.selector).toEqual(want)
})

// Virtual addresses, validated as ValidateService does (validateServiceClusterIPsRelatedFields, externalIPs).
const svcIpIssues = (spec: unknown) => {
  const r = parseService(svc(spec))
  return r.ok ? [] : r.issues.map((i) => [i.code, toDotPath(i.path), 'problem' in i ? i.problem : ''])
}

test.each<{ name: string; spec: unknown; want: string[][] }>([
  { name: 'clusterIP not an address', spec: { clusterIP: '10.96.0.500' }, want: [['invalid_ip', 'spec.clusterIP', '']] },
  { name: 'a clusterIPs entry not an address', spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::zz'] }, want: [['invalid_ip', 'spec.clusterIPs[1]', '']] },
  { name: 'clusterIPs[0] differs from clusterIP', spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] }, want: [['service_ip', 'spec.clusterIPs', 'first-not-cluster-ip']] },
  { name: 'clusterIPs without clusterIP', spec: { clusterIPs: ['10.96.0.6'] }, want: [['service_ip', 'spec.clusterIPs', 'first-not-cluster-ip']] },
  { name: 'three clusterIPs', spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::5', '10.96.0.6'] }, want: [['service_ip', 'spec.clusterIPs', 'too-many']] },
  { name: 'two clusterIPs of one family', spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', '10.96.0.6'] }, want: [['service_ip', 'spec.clusterIPs[1]', 'same-family']] },
  { name: 'None with a second value', spec: { clusterIP: 'None', clusterIPs: ['None', '10.96.0.6'] }, want: [['service_ip', 'spec.clusterIPs', 'none-with-others']] },
  { name: 'None after an address', spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'None'] }, want: [['invalid_ip', 'spec.clusterIPs[1]', '']] },
  { name: 'clusterIPs not a list', spec: { clusterIP: '10.96.0.5', clusterIPs: '10.96.0.5' }, want: [['wrong_type', 'spec.clusterIPs', '']] },
  { name: 'externalIP not an address', spec: { externalIPs: ['example.com'] }, want: [['invalid_ip', 'spec.externalIPs[0]', '']] },
  { name: 'externalIP unspecified', spec: { externalIPs: ['0.0.0.0'] }, want: [['service_ip', 'spec.externalIPs[0]', 'unspecified']] },
  { name: 'externalIP loopback', spec: { externalIPs: ['127.0.0.2'] }, want: [['service_ip', 'spec.externalIPs[0]', 'loopback']] },
  { name: 'externalIP link-local', spec: { externalIPs: ['fe80::1'] }, want: [['service_ip', 'spec.externalIPs[0]', 'link-local']] },
  { name: 'externalIP link-local multicast', spec: { externalIPs: ['224.0.0.5'] }, want: [['service_ip', 'spec.externalIPs[0]', 'link-local-multicast']] },
])('virtual addresses rejected: $name', ({ spec, want }) => {
  expect(svcIpIssues(spec)).toEqual(want)
})

test.each([
  { name: 'no clusterIP (not yet allocated)', spec: {}, clusterIPs: [], externalIPs: [] },
  { name: 'empty clusterIP', spec: { clusterIP: '' }, clusterIPs: [], externalIPs: [] },
  { name: 'headless', spec: { clusterIP: 'None', clusterIPs: ['None'] }, clusterIPs: [], externalIPs: [] },
  { name: 'clusterIP alone: clusterIPs defaults to it', spec: { clusterIP: '10.96.0.50' }, clusterIPs: ['10.96.0.50'], externalIPs: [] },
  { name: 'dual stack', spec: { clusterIP: 'fd00::50', clusterIPs: ['fd00::50', '10.96.0.50'] }, clusterIPs: ['fd00::50', '10.96.0.50'], externalIPs: [] },
  { name: 'externalIPs', spec: { clusterIP: '10.96.0.50', externalIPs: ['198.51.100.7'] }, clusterIPs: ['10.96.0.50'], externalIPs: ['198.51.100.7'] },
])('virtual addresses accepted: $name', ({ spec, clusterIPs, externalIPs }) => {
  const r = parseService(svc(spec))
  expect(r.ok).toBe(true)
  if (!r.ok) return
  expect((r.value.clusterIPs ?? []).map((a) => a.text)).toEqual(clusterIPs)
  expect((r.value.externalIPs ?? []).map((a) => a.text)).toEqual(externalIPs)
})

// spec.type: kept when it exposes the Service outside the cluster (generate opens such workloads to any address)
test.each([
  { name: 'no type (ClusterIP)', spec: {}, want: undefined },
  { name: 'ClusterIP', spec: { type: 'ClusterIP' }, want: undefined },
  { name: 'NodePort', spec: { type: 'NodePort' }, want: 'NodePort' },
  { name: 'LoadBalancer', spec: { type: 'LoadBalancer' }, want: 'LoadBalancer' },
])('type: $name', ({ spec, want }) => {
  const r = parseService(svc({ selector: { app: 'web' }, ...spec }))
  expect(r.ok && r.value.type).toBe(want)
})
