import { describe, expect, test } from 'vitest'
import { toDotPath } from './issues.js'
import { parsePod, parseWorkload } from './parse-pod.js'

const pod = (extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = { name: 'web', namespace: 'shop', labels: { app: 'web' } }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  ...extra,
})
const withPorts = (...ports: unknown[]) => pod({ spec: { containers: [{ name: 'c', ports }] } })
const C0 = 'spec.containers[0].ports[0]'

const issuesOf = (r: { ok: boolean; issues?: readonly { code: string; path: readonly (string | number)[] }[] }): [string, string][] =>
  r.ok ? [] : r.issues!.map((i) => [i.code, toDotPath(i.path)])

describe('Pod validation', () => {
  test.each<{ name: string; input: unknown; want: [string, string][] }>([
    { name: 'name missing', input: pod({}, { namespace: 'shop' }), want: [['required', 'metadata.name']] },
    { name: 'name invalid', input: pod({}, { name: 'Web' }), want: [['invalid_name', 'metadata.name']] },
    { name: 'label key invalid', input: pod({}, { name: 'web', labels: { 'a b': 'x' } }), want: [['invalid_label_key', 'metadata.labels["a b"]']] },
    { name: 'containerPort missing', input: withPorts({ name: 'http' }), want: [['required', `${C0}.containerPort`]] },
    { name: 'containerPort 0', input: withPorts({ containerPort: 0 }), want: [['required', `${C0}.containerPort`]] },
    { name: 'containerPort 70000', input: withPorts({ containerPort: 70000 }), want: [['invalid_port_number', `${C0}.containerPort`]] },
    { name: 'containerPort a string', input: withPorts({ containerPort: '80' }), want: [['wrong_type', `${C0}.containerPort`]] },
    { name: 'protocol lower case', input: withPorts({ containerPort: 80, protocol: 'udp' }), want: [['invalid_protocol', `${C0}.protocol`]] },
    { name: 'port name invalid', input: withPorts({ containerPort: 80, name: 'HTTP' }), want: [['invalid_port_name', `${C0}.name`]] },
    { name: 'port name numeric', input: withPorts({ containerPort: 80, name: '8080' }), want: [['invalid_port_name', `${C0}.name`]] },
    { name: 'port name twice in a container', input: withPorts({ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }), want: [['duplicate_value', 'spec.containers[0].ports[1].name']] },
    { name: 'sidecar port invalid', input: pod({ spec: { initContainers: [{ name: 's', restartPolicy: 'Always', ports: [{ containerPort: 0 }] }] } }), want: [['required', 'spec.initContainers[0].ports[0].containerPort']] },
    { name: 'containers not a list', input: pod({ spec: { containers: {} } }), want: [['wrong_type', 'spec.containers']] },
    { name: 'hostNetwork not a boolean', input: pod({ spec: { hostNetwork: 'yes' } }), want: [['wrong_type', 'spec.hostNetwork']] },
    { name: 'podIP invalid', input: pod({ status: { podIP: '10.0.0.300' } }), want: [['invalid_ip', 'status.podIP']] },
    { name: 'podIPs entry invalid', input: pod({ status: { podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::zz' }] } }), want: [['invalid_ip', 'status.podIPs[1].ip']] },
    { name: 'hostIP invalid', input: pod({ status: { hostIP: 'node-1' } }), want: [['invalid_ip', 'status.hostIP']] },
    { name: 'hostIPs entry invalid', input: pod({ status: { hostIPs: [{ ip: '1.2.3' }] } }), want: [['invalid_ip', 'status.hostIPs[0].ip']] },
  ])('$name', ({ input, want }) => {
    expect(issuesOf(parsePod(input))).toEqual(want)
  })
})

describe('Pod values and defaults', () => {
  test('addresses: podIPs win over podIP; hostIPs over hostIP', () => {
    const r = parsePod(pod({ status: { podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], hostIP: '192.168.0.9', hostIPs: [{ ip: '192.168.0.1' }] } }))
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    expect(r.value.ips.map((i) => `${i.family}:${i.text}`)).toEqual(['4:10.0.0.1', '6:fd00::1'])
    expect(r.value.hostIPs.map((i) => i.text)).toEqual(['192.168.0.1'])
  })

  test('podIP alone, and a pending pod without addresses', () => {
    const a = parsePod(pod({ status: { podIP: '10.0.0.9' } }))
    const b = parsePod(pod({ status: { phase: 'Pending' } }))
    expect(a.ok && a.value.ips.map((i) => i.text)).toEqual(['10.0.0.9'])
    expect(b.ok && b.value.ips).toEqual([])
  })

  test('ports of containers and sidecars; protocol defaults to TCP; plain init containers are left out', () => {
    const r = parsePod(
      pod({
        spec: {
          nodeName: 'node-1',
          hostNetwork: true,
          containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }, { name: 'b' }],
          initContainers: [
            { name: 'setup', ports: [{ containerPort: 9000, name: 'setup' }] },
            { name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 15001, name: 'proxy', protocol: '' }] },
          ],
        },
      }),
    )
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    expect(r.value.ports).toEqual([
      { name: 'http', port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
      { name: 'proxy', port: 15001, protocol: 'TCP' },
    ])
    expect(r.value.nodeName).toBe('node-1')
    expect(r.value.hostNetwork).toBe(true)
  })

  test('namespace defaults to default; no spec is fine', () => {
    const r = parsePod(pod({}, { name: 'x' }))
    expect(r.ok && [r.value.namespace, r.value.hostNetwork, r.value.ports.length]).toEqual(['default', false, 0])
  })
})

const workload = (kind: string, spec: Record<string, unknown>, name = 'web') => ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'shop' }, spec })
const template = (labels: Record<string, string> = { app: 'web' }) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080, name: 'http' }] }] } })

describe('workloads', () => {
  test.each([
    { kind: 'Deployment', spec: { selector: { matchLabels: { app: 'web' } }, template: template() } },
    { kind: 'StatefulSet', spec: { selector: { matchLabels: { app: 'web' } }, template: template() } },
    { kind: 'DaemonSet', spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, template: template() } },
    { kind: 'ReplicaSet', spec: { selector: { matchLabels: { app: 'web' } }, template: template() } },
    { kind: 'ReplicationController', spec: { selector: { app: 'web' }, template: template() } },
    { kind: 'ReplicationController', spec: { template: template() } },
    { kind: 'Job', spec: { template: template() } },
    { kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } } },
  ])('$kind: the template becomes a pod named after it', ({ kind, spec }) => {
    const r = parseWorkload(workload(kind, spec))
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    expect(r.value.pod).toMatchObject({ namespace: 'shop', name: 'web', labels: { app: 'web' }, ips: [], template: { kind, name: 'web' } })
    expect(r.value.pod.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }])
    expect(r.value.selector.requirements.length).toBeGreaterThan(0)
  })

  test.each<{ name: string; input: unknown; want: [string, string][] }>([
    { name: 'template missing', input: workload('Deployment', { selector: { matchLabels: { app: 'web' } } }), want: [['required', 'spec.template']] },
    { name: 'CronJob template missing', input: workload('CronJob', { jobTemplate: { spec: {} } }), want: [['required', 'spec.jobTemplate.spec.template']] },
    { name: 'selector does not match the template', input: workload('Deployment', { selector: { matchLabels: { app: 'api' } }, template: template() }), want: [['selector_mismatch', 'spec.selector']] },
    { name: 'RC selector does not match the template', input: workload('ReplicationController', { selector: { app: 'api' }, template: template() }), want: [['selector_mismatch', 'spec.selector']] },
    { name: 'selector invalid', input: workload('Deployment', { selector: { matchExpressions: [{ key: 'app', operator: 'Is' }] }, template: template() }), want: [['unknown_operator', 'spec.selector.matchExpressions[0].operator']] },
    { name: 'template label invalid', input: workload('Job', { template: template({ app: 'we b' }) }), want: [['invalid_label_value', 'spec.template.metadata.labels.app']] },
    { name: 'template port invalid', input: workload('DaemonSet', { template: { spec: { containers: [{ ports: [{ containerPort: 0 }] }] } } }), want: [['required', 'spec.template.spec.containers[0].ports[0].containerPort']] },
    { name: 'CronJob name over 52 characters', input: workload('CronJob', { jobTemplate: { spec: { template: template() } } }, 'c'.repeat(53)), want: [['invalid_name', 'metadata.name']] },
  ])('rejects: $name', ({ input, want }) => {
    expect(issuesOf(parseWorkload(input))).toEqual(want)
  })

  test('a Job without selector selects by its template labels', () => {
    const r = parseWorkload(workload('Job', { template: template({ app: 'batch', run: 'x' }) }))
    expect(r.ok && r.value.selector.requirements.map((q) => q.key).sort()).toEqual(['app', 'run'])
  })
})
