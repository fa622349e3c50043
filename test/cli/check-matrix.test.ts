import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const EX = 'examples/three-tier'

describe('netpol check on the bundled example', () => {
  test.each([
    { name: 'web → api on the http port', from: 'frontend/web-7d9', to: 'backend/api-5c4', port: '8080/TCP', code: 0 },
    { name: 'web → postgres is denied on both sides', from: 'frontend/web-7d9', to: 'database/postgres-0', port: '5432/TCP', code: 1 },
    { name: 'api → postgres', from: 'backend/api-6d1', to: 'database/postgres-0', port: '5432', code: 0 },
    { name: 'worker → postgres: egress allows, ingress does not', from: 'backend/worker-3a9', to: 'database/postgres-0', port: '5432/TCP', code: 1 },
    { name: 'DNS over UDP to kube-dns', from: 'database/postgres-0', to: 'kube-system/coredns-5d78c', port: '53/UDP', code: 0 },
    { name: 'an internet client reaches web', from: '203.0.113.7', to: 'frontend/web-8f2', port: '8080', code: 0 },
    { name: 'a cluster-internal address is excepted', from: '10.9.9.9', to: 'frontend/web-8f2', port: '8080', code: 1 },
    { name: 'prometheus scrapes postgres metrics (named port)', from: 'monitoring/prometheus-0', to: 'database/postgres-0', port: '9187', code: 0 },
    { name: 'a pod reaches itself', from: 'database/postgres-0', to: '10.244.3.10', port: '5432', code: 0 },
    { name: 'api → external payments on 443', from: 'backend/api-5c4', to: '203.0.113.50', port: '443', code: 0 },
    { name: 'api → elsewhere on 443', from: 'backend/api-5c4', to: '198.51.100.1', port: '443', code: 1 },
  ])('$name', async ({ from, to, port, code }) => {
    const r = await runCli(['check', '-f', EX, '--from', from, '--to', to, '--port', port])
    expect(r.err).toBe('')
    expect(r.code).toBe(code)
    expect(r.out.startsWith(code === 0 ? 'ALLOWED' : 'DENIED')).toBe(true)
  })

  test('a Service destination is checked on each backing pod at its targetPort', async () => {
    const r = await runCli(['check', '-f', EX, '--from', '203.0.113.7', '--to', 'svc/frontend/web:80'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('203.0.113.7 → frontend/web-7d9  port 8080/TCP  via svc/frontend/web:80 (targetPort http)')
    expect(r.out).toContain('203.0.113.7 → frontend/web-8f2  port 8080/TCP')
  })

  test('the denial explains each isolating policy and why its rules missed', async () => {
    const r = await runCli(['check', '-f', EX, '--from', 'frontend/web-7d9', '--to', 'database/postgres-0', '--port', '5432/TCP'])
    expect(r.out).toContain('ingress to database/postgres-0: denied')
    expect(r.out).toContain('database/default-deny-all: has no ingress rules (it only isolates)')
    expect(r.out).toContain('namespace frontend has labels {env=prod, kubernetes.io/metadata.name=frontend, team=web}; namespaceSelector wants team=core')
    expect(r.out).toContain('database/postgres-0 defines no TCP container port named "http"')
    expect(r.out).toContain('"metrics" is port 9187 on database/postgres-0, not 5432')
  })

  test('-o json gives the same explanation as data', async () => {
    const r = await runCli(['check', '-f', EX, '--from', 'backend/worker-3a9', '--to', 'database/postgres-0', '--port', '5432/TCP', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect(j.allowed).toBe(false)
    expect(j.results[0]).toMatchObject({ from: 'backend/worker-3a9', to: 'database/postgres-0', port: 5432, protocol: 'TCP', allowed: false })
    expect(j.results[0].egress).toMatchObject({ kind: 'allowed', allowedBy: [{ policy: { namespace: 'backend', name: 'api-egress' }, rule: 0, peer: 0, port: 0 }] })
    expect(j.results[0].ingress.kind).toBe('denied')
  })

  test.each([
    { name: 'unknown pod, with a suggestion', args: ['--from', 'frontend/web-7d8', '--to', 'database/postgres-0', '--port', '5432'], err: /no such pod in the input; did you mean frontend\/web-7d9/ },
    { name: 'bad port', args: ['--from', 'frontend/web-7d9', '--to', 'database/postgres-0', '--port', '70000'], err: /expected PORT\[\/PROTOCOL\]/ },
    { name: 'missing port', args: ['--from', 'frontend/web-7d9', '--to', 'database/postgres-0'], err: /--port is required/ },
    { name: 'unknown service port', args: ['--from', 'frontend/web-7d9', '--to', 'svc/backend/api:81'], err: /has no port "81"/ },
  ])('usage error: $name → exit 2', async ({ args, err }) => {
    const r = await runCli(['check', '-f', EX, ...args])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
    expect(r.err).not.toMatch(/at .*\.js:\d+/) // no stack trace for a user mistake
  })

  test('bad manifests: every error with file:line:col and field path, exit 2, nothing evaluated', async () => {
    const bad = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}
    ports:
    - {port: http, endPort: 90}
`
    const r = await runCli(['check', '-f', '-', '--from', '1.2.3.4', '--to', '5.6.7.8', '--port', '80'], bad)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^error: <stdin>:8:\d+: .*spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]/m)
    expect(r.err).toMatch(/^error: <stdin>:10:\d+: .*spec\.ingress\[0\]\.ports\[0\]\.endPort/m)
    expect(r.out).toBe('')
  })
})

describe('netpol matrix', () => {
  test('JSON is the stable contract: pods sorted, allowed[i][j] = pods[i] → pods[j]', async () => {
    const r = await runCli(['matrix', '-f', EX, '--port', '5432/TCP', '--port', '53/UDP', '-o', 'json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out) as { pods: string[]; results: { port: number; protocol: string; allowed: boolean[][] }[] }
    expect(Object.keys(j)).toEqual(['pods', 'results'])
    expect(j.pods).toEqual([...j.pods].sort())
    expect(j.results.map((x) => `${x.port}/${x.protocol}`)).toEqual(['5432/TCP', '53/UDP'])
    const at = (k: number, a: string, b: string) => j.results[k]!.allowed[j.pods.indexOf(a)]![j.pods.indexOf(b)]
    expect(at(0, 'backend/api-5c4', 'database/postgres-0')).toBe(true)
    expect(at(0, 'backend/worker-3a9', 'database/postgres-0')).toBe(false)
    expect(at(0, 'frontend/web-7d9', 'frontend/web-7d9')).toBe(true)
    expect(at(1, 'frontend/web-7d9', 'kube-system/coredns-5d78c')).toBe(true)
    expect(at(1, 'kube-system/coredns-5d78c', 'frontend/web-7d9')).toBe(false)
  })


  test('every port a pod serves when --port is absent; csv and md agree with json', async () => {
    const json = JSON.parse((await runCli(['matrix', '-f', EX, '-o', 'json'])).out)
    expect(json.results.map((x: { port: number; protocol: string }) => `${x.port}/${x.protocol}`)).toEqual(['53/TCP', '443/TCP', '5432/TCP', '8080/TCP', '9090/TCP', '9153/TCP', '9187/TCP', '53/UDP'])
    const csv = (await runCli(['matrix', '-f', EX, '-o', 'csv'])).out.trim().split('\n')
    expect(csv[0]).toBe(`port,protocol,from,${json.pods.join(',')}`)
    expect(csv.length).toBe(1 + 8 * json.pods.length)
    const row = csv[1 + 2 * json.pods.length + 3]!.split(',') // 5432/TCP, 4th pod
    expect(row.slice(0, 3)).toEqual(['5432', 'TCP', json.pods[3]])
    expect(row.slice(3).map((c) => c === '1')).toEqual(json.results[2].allowed[3])
    const md = (await runCli(['matrix', '-f', EX, '-o', 'md', '--port', '8080'])).out
    expect(md).toContain('### Port 8080/TCP')
  })

  test('--namespace narrows rows and columns; an unknown one is a usage error', async () => {
    const j = JSON.parse((await runCli(['matrix', '-f', EX, '--namespace', 'backend', '--port', '80', '-o', 'json'])).out)
    expect(j.pods).toEqual(['backend/api-5c4', 'backend/api-6d1', 'backend/worker-3a9'])
    const r = await runCli(['matrix', '-f', EX, '--namespace', 'nope'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/no such namespace/)
  })

  test('--to-namespace asks who reaches a namespace from anywhere: rows are all pods, columns its pods', async () => {
    const r = await runCli(['matrix', '-f', EX, '--to-namespace', 'database', '--port', '5432/TCP', '-o', 'json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect(j.pods).toBeUndefined()
    expect(j.to).toEqual(['database/postgres-0'])
    expect(j.from).toHaveLength(8)
    const reach = j.from.filter((_: string, i: number) => j.results[0].allowed[i][0])
    expect(reach).toEqual(['backend/api-5c4', 'backend/api-6d1', 'database/postgres-0'])
  })

  test('--from-namespace and --to-namespace together; --namespace adds to both; the same namespaces both ways give the square contract', async () => {
    const both = JSON.parse((await runCli(['matrix', '-f', EX, '--from-namespace', 'frontend', '--to-namespace', 'backend', '--port', '8080', '-o', 'json'])).out)
    expect([both.from, both.to]).toEqual([['frontend/web-7d9', 'frontend/web-8f2'], ['backend/api-5c4', 'backend/api-6d1', 'backend/worker-3a9']])
    expect(both.results[0].allowed).toEqual([[true, true, false], [true, true, false]])
    const plus = JSON.parse((await runCli(['matrix', '-f', EX, '--namespace', 'database', '--to-namespace', 'backend', '--port', '8080', '-o', 'json'])).out)
    expect([plus.from, plus.to]).toEqual([['database/postgres-0'], ['backend/api-5c4', 'backend/api-6d1', 'backend/worker-3a9', 'database/postgres-0']])
    const square = JSON.parse((await runCli(['matrix', '-f', EX, '--from-namespace', 'backend', '--to-namespace', 'backend', '--port', '8080', '-o', 'json'])).out)
    expect(square.pods).toEqual(['backend/api-5c4', 'backend/api-6d1', 'backend/worker-3a9'])
    const table = (await runCli(['matrix', '-f', EX, '--to-namespace', 'database', '--port', '5432/TCP'])).out
    expect(table.split('\n').slice(0, 3)).toEqual(['columns (to):', '  1 database/postgres-0', ''])
    expect(table).toContain('backend/worker-3a9         X\n')
    const r = await runCli(['matrix', '-f', EX, '--to-namespace', 'nope'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^error: --to-namespace nope: no such namespace in the input/)
  })
})

describe('hostNetwork pods', () => {
  const manifests = `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: kube-system, labels: {app: agent}}
spec: {hostNetwork: true, containers: [{name: c, ports: [{containerPort: 9100}]}]}
status: {podIP: 10.0.0.5, hostIP: 10.0.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.244.0.7, hostIP: 10.0.0.5}
`
  test('matrix notes them on stderr; check notes them in the explanation', async () => {
    const m = await runCli(['matrix', '-f', '-', '--port', '80'], manifests)
    expect(m.code).toBe(0)
    expect(m.err).toMatch(/note: 1 hostNetwork pod \(kube-system\/agent\)/)
    const c = await runCli(['check', '-f', '-', '--from', 'kube-system/agent', '--to', 'default/web', '--port', '80'], manifests)
    expect(c.out).toMatch(/kube-system\/agent uses hostNetwork/)
  })
})

describe('netpol matrix -o dot and -o mermaid draw the graph report', () => {
  test('dot: namespaces as clusters, the chosen port, isolation as fill', async () => {
    const r = await runCli(['matrix', '-f', EX, '-o', 'dot', '--port', '5432/TCP', '--level', 'namespace'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out.startsWith('digraph netpol {\n')).toBe(true)
    expect(r.out).toContain('label="port 5432/TCP, namespace level')
    expect(r.out).toContain('"backend" -> "database" [style=dashed];')
    expect(r.out).toContain('"database" [label="database", fillcolor="#f4cccc"')
  })

  test('mermaid: any port by default, ports on the edges, subgraphs per namespace at workload level', async () => {
    const r = await runCli(['matrix', '-f', EX, '-o', 'mermaid', '-n', 'frontend', '-n', 'backend'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('%% any port, workload level')
    expect(r.out).toContain('subgraph g0["backend"]')
    expect(r.out).toMatch(/n\d+ -->\|"8080\/TCP"\| n\d+/)
    expect(r.out).not.toContain('database')
  })

  test.each([
    { args: ['-o', 'dot', '--port', '80', '--port', '443'], err: 'error: -o dot draws one port, or every port without --port (2 were given)' },
    { args: ['-o', 'mermaid', '--to-namespace', 'database'], err: 'error: -o mermaid draws a graph: limit it with -n (--from-namespace and --to-namespace are for tables)' },
    { args: ['--level', 'class'], err: 'error: --level is for -o dot and -o mermaid' },
    { args: ['-o', 'dot', '-n', 'nope'], err: 'error: -n nope: no such namespace in the input (have: backend, database, frontend, kube-system, monitoring)' },
  ])('usage errors: $args', async ({ args, err }) => {
    const r = await runCli(['matrix', '-f', EX, ...args])
    expect(r.code).toBe(2)
    expect(r.err.split('\n')[0]).toBe(err)
  })
})
