/**
 * `netpol serve` as a process: the start line, the warning for a non-loopback address, a clean exit 0 on
 * SIGTERM and SIGINT, exit 2 for bad input before anything listens; and, on a live cluster (the FAKE API server
 * of the test suite), each change as a new version announced on the event stream.
 */
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { fakeApiServer } from '../fake-apiserver/fixture.js'
import { runBuiltCli } from '../cli/built-cli.js'
import { scratchDir } from '../scratch-dir.js'
import { openEvents, startServe } from './built-serve.js'
import { request } from './http.js'

describe('netpol serve -f', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('prints its URL, answers, and exits 0 on %s', async (signal) => {
    const s = await startServe(['-f', 'examples/three-tier/', '--port', '0'])
    expect(s.out()).toMatch(/^netpol serve: http:\/\/127\.0\.0\.1:\d+\/\n$/)
    const r = await request(new URL('/api/cluster', s.url).toString())
    expect(r.status).toBe(200)
    expect(r.json()).toMatchObject({ version: 1, source: 'files: examples/three-tier/', live: false, pods: 8 })
    expect(await s.stop(signal)).toBe(0)
    expect(s.err()).toBe('')
  })

  test('the lint runs in a worker thread and answers exactly netpol lint -o json', async () => {
    const s = await startServe(['-f', 'examples/mistakes/shop.yaml', '--port', '0'])
    try {
      const lint = await request(new URL('/api/lint', s.url).toString())
      const cli = await runBuiltCli(['lint', '-f', 'examples/mistakes/shop.yaml', '-o', 'json'])
      expect(lint.json()).toEqual(JSON.parse(cli.out))
      const policies = (await request(new URL('/api/policies?policy=shop/web-ingress', s.url).toString())).json().policies
      expect(policies[0].problems).toEqual([expect.objectContaining({ code: 'NP006', line: 7 })])
    } finally {
      expect(await s.stop()).toBe(0)
    }
  })

  test('on an address other than loopback it warns that anyone who reaches it can read the policies', async () => {
    const s = await startServe(['-f', 'examples/three-tier/', '--port', '0', '--address', '0.0.0.0'])
    try {
      expect(s.out()).toMatch(/^netpol serve: http:\/\/0\.0\.0\.0:\d+\/\n$/)
      expect(s.err()).toMatch(/^warning: listening on 0\.0\.0\.0, not only this machine: anyone who can reach http:\/\/0\.0\.0\.0:\d+\/ can read the cluster's policies, pods and labels \(there is no login\)\n$/)
    } finally {
      expect(await s.stop()).toBe(0)
    }
  })

  test.each([
    ['bad input', ['-f', 'examples/invalid/bad-policy.yaml', '--port', '0'], /error: .*bad-policy\.yaml:\d+:\d+: /],
    ['a bad port', ['-f', 'examples/three-tier/', '--port', '70000'], /^error: --port "70000": expected a port number 0-65535/],
    ['-f with --kubeconfig', ['-f', 'examples/three-tier/', '--kubeconfig', 'k'], /^error: give -f or read the cluster \(--kubeconfig\), not both/],
  ])('%s is exit 2 before it listens', async (_, args, message) => {
    const r = await runBuiltCli(['serve', ...args])
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toMatch(message)
  })

  test('a port in use is exit 2 with what to do', async () => {
    const s = await startServe(['-f', 'examples/three-tier/', '--port', '0'])
    try {
      const r = await runBuiltCli(['serve', '-f', 'examples/three-tier/', '--port', new URL(s.url).port])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/^error: cannot listen on 127\.0\.0\.1:\d+: the port is in use \(give another with --port, or --port 0 for any free one\)\n$/)
    } finally {
      await s.stop()
    }
  })
})

describe('netpol serve --kubeconfig: the live cluster', () => {
  const api = fakeApiServer()
  const dir = scratchDir('netpol-serve-live-')

  test('a pod added on the cluster is a new version, announced on /api/events', async () => {
    const kubeconfig = writeFakeKubeconfig(join(dir.path(), 'kubeconfig'), api.server)
    const s = await startServe(['--kubeconfig', kubeconfig, '--port', '0'])
    const events = openEvents(s.url)
    try {
      const before = (await request(new URL('/api/cluster', s.url).toString())).json()
      expect(before).toMatchObject({ version: 1, source: 'cluster: fake', live: true, pods: 8 })
      // the stream is open once its first comment arrived
      await expect.poll(() => events.comments.length).toBeGreaterThan(0)
      const next = events.next('cluster')
      api.server.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'api-9z9', namespace: 'backend', labels: { app: 'api', tier: 'backend' } },
        spec: { containers: [{ name: 'api', ports: [{ containerPort: 8080 }] }] },
        status: { phase: 'Running', podIP: '10.0.1.99', podIPs: [{ ip: '10.0.1.99' }] },
      })
      const e = await next
      expect(JSON.parse(e.data)).toEqual({ version: 2 })
      const after = (await request(new URL('/api/cluster', s.url).toString())).json()
      expect(after).toMatchObject({ version: 2, pods: 9 })
      // the new version answers with the new pod: in the graph, and in a check
      const graph = (await request(new URL('/api/graph?level=pod&port=5432', s.url).toString())).json()
      expect(graph.nodes.map((n: { id: string }) => n.id)).toContain('backend/api-9z9')
      expect(graph.edges.map((e: { id: string }) => e.id)).toContain('backend/api-9z9->database/postgres-0')
      const check = (await request(new URL('/api/check?from=backend/api-9z9&to=database/postgres-0&port=5432', s.url).toString())).json()
      expect(check.allowed).toBe(true)
      // a live policy is shown as read, without status and managedFields, and without a file
      const policies = (await request(new URL('/api/policies?policy=database/postgres-from-api', s.url).toString())).json().policies
      expect(policies).toHaveLength(1)
      expect(policies[0].file).toBeUndefined()
      expect(policies[0].yaml).toMatch(/^apiVersion: networking.k8s.io\/v1\nkind: NetworkPolicy\nmetadata:\n  name: postgres-from-api\n  namespace: database\n/)
      expect(policies[0].yaml).not.toMatch(/managedFields|status:/)
    } finally {
      events.close()
      expect(await s.stop()).toBe(0)
    }
  })
})
