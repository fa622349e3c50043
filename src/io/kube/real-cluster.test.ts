/**
 * Against a real API server, when NETPOL_TEST_KUBECONFIG names a kubeconfig for one (skipped otherwise): the
 * client lists namespaces and follows them with a watch.
 */
import { describe, expect, test } from 'vitest'
import { createKubeClient } from './kube-client.js'
import { loadKubeConfig } from './kube-config.js'
import { formatKubeError } from './kube-error.js'
import { listAll } from './list-all.js'
import { watchKind } from './watcher.js'

const kubeconfig = process.env.NETPOL_TEST_KUBECONFIG

describe.skipIf(!kubeconfig)('a real cluster (NETPOL_TEST_KUBECONFIG)', () => {
  const client = () => {
    const cfg = loadKubeConfig({ kubeconfig: kubeconfig!, env: {} })
    if (!cfg.ok) throw new Error(formatKubeError(cfg.error))
    return createKubeClient(cfg.value)
  }

  test('lists namespaces, with kind, apiVersion and a resourceVersion', async () => {
    const r = await listAll(client(), 'Namespace', { limit: 2 })
    if (!r.ok) throw new Error(formatKubeError(r.error))
    expect(r.value.items.map((n) => n.metadata.name)).toContain('default')
    expect(r.value.items[0]).toMatchObject({ kind: 'Namespace', apiVersion: 'v1' })
    expect(r.value.resourceVersion).toMatch(/^\d+$/)
  })

  test('a watcher syncs namespaces', async () => {
    const w = watchKind(client(), 'Namespace', { timeoutSeconds: 5 })
    try {
      await w.synced()
      expect(w.store.has('default')).toBe(true)
    } finally {
      await w.stop()
    }
  })
})
