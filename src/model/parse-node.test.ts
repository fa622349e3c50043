import { expect, test } from 'vitest'
import { toDotPath } from './issues.js'
import { parseNode } from './parse-node.js'

const node = (status: unknown, metadata: object = { name: 'node-1', labels: { 'kubernetes.io/os': 'linux' } }) => ({ apiVersion: 'v1', kind: 'Node', metadata, spec: { podCIDR: '10.244.1.0/24', taints: [] }, status })

test.each([
  { name: 'InternalIP and ExternalIP addresses, in order', addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '203.0.113.7' }, { type: 'InternalIP', address: 'fd00::1' }], want: ['10.0.0.1', '203.0.113.7', 'fd00::1'] },
  { name: 'host names and DNS names are not addresses', addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalDNS', address: 'node-1.internal' }, { type: 'ExternalDNS', address: '10.0.0.9' }], want: [] },
  { name: 'an InternalIP that is not an IP is left out', addresses: [{ type: 'InternalIP', address: 'node-1' }, { type: 'InternalIP', address: '10.0.0.1' }], want: ['10.0.0.1'] },
  { name: 'an address given twice counts once', addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '10.0.0.1' }], want: ['10.0.0.1'] },
  { name: 'no addresses (a node not yet registered)', addresses: undefined, want: [] },
])('$name', ({ addresses, want }) => {
  const r = parseNode(node(addresses === undefined ? undefined : { addresses }))
  expect(r.ok && r.value.addresses.map((a) => a.text)).toEqual(want)
  expect(r.ok && r.value.labels).toEqual({ 'kubernetes.io/os': 'linux' })
})

test('the spec and the rest of the status are not checked (the kubelet writes them)', () => {
  const r = parseNode({ ...node({ addresses: [], capacity: { cpu: '4' }, nodeInfo: {} }), spec: { anything: true } })
  expect(r.ok).toBe(true)
})

test.each([
  { name: 'the name is a DNS subdomain', obj: node({}, { name: 'Node_1' }), want: ['invalid_name metadata.name'] },
  { name: 'labels are validated', obj: node({}, { name: 'n', labels: { 'a b': 'x' } }), want: ['invalid_label_key metadata.labels["a b"]'] },
  { name: 'addresses must be a list', obj: node({ addresses: {} }), want: ['wrong_type status.addresses'] },
  { name: 'an address entry of the wrong type', obj: node({ addresses: [{ type: 'InternalIP', address: 10 }] }), want: ['wrong_type status.addresses[0].address'] },
  { name: 'unknown top-level fields are refused', obj: { ...node({}), spc: {} }, want: ['unknown_field spc'] },
])('$name', ({ obj, want }) => {
  const r = parseNode(obj)
  expect(r.ok ? [] : r.issues.map((i) => `${i.code} ${toDotPath(i.path)}`)).toEqual(want)
})
