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
    } finally {
      events.close()
      expect(await s.stop()).toBe(0)
    }
  })
})
