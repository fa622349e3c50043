import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { runCli } from '../../../test/cli/cli-harness.js'

// A policy repository without pods: both sides hold policies, the pods live in the cluster (--cluster).
const F = 'test/fixtures/diff-gate'

describe('diff does not pass a gate it cannot judge', () => {
  test('no pods on either side: --fail-on exits 2 and says why on stderr', async () => {
    const r = await runCli(['diff', `${F}/old`, `${F}/new`, '--fail-on', 'any'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^error: nothing was compared: no pod is present on both sides \(old: 0 pods, new: 0 pods\)/)
    expect(r.err).toContain('--cluster PATH')
    expect(r.out).toContain('Policies: 1 added')
    expect(r.out).not.toContain('No connection between pods present on both sides changes.')
    expect(r.out).toContain('Nothing was compared: no pod is present on both sides (give the pods and namespaces with --cluster PATH).')
  })

  test('without --fail-on: the same warning, exit 0', async () => {
    const r = await runCli(['diff', `${F}/old`, `${F}/new`])
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/^warning: nothing was compared: no pod is present on both sides/)
  })

  test('-o json says how many pods were compared', async () => {
    const r = await runCli(['diff', `${F}/old`, `${F}/new`, '-o', 'json'])
    expect(JSON.parse(r.out).comparedPods).toBe(0)
  })

  test('with --cluster the change is judged: the default deny fails the gate', async () => {
    const r = await runCli(['diff', `${F}/old`, `${F}/new`, '--cluster', `${F}/cluster.yaml`, '--fail-on', 'any'])
    expect(r.err).toBe('')
    expect(r.code).toBe(1)
  })

  test('pods but no port to compare: --fail-on exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-diff-gate-'))
    const pods = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\nspec: {containers: [{name: c, image: i}]}\nstatus: {podIP: 10.0.0.1}\n'
    writeFileSync(join(dir, 'old.yaml'), pods)
    writeFileSync(join(dir, 'new.yaml'), `${pods}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n`)
    const r = await runCli(['diff', join(dir, 'old.yaml'), join(dir, 'new.yaml'), '--fail-on', 'any'])
    rmSync(dir, { recursive: true })
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^error: nothing was compared: no port to compare: no pod declares a container port and no policy names one; give --port/)
  })

  test('pods that exist only as workload templates are pods', async () => {
    const r = await runCli(['diff', `${F}/workloads-old`, `${F}/workloads-new`, '--fail-on', 'removed'])
    expect(r.err).toBe('')
    expect(r.code).toBe(1)
    expect(r.out).toContain('shop {app=web} (1 pod) → shop {app=db} (1 pod): 5432/TCP')
  })
})

describe('diff reports ports that the destination serves or that a policy names for it', () => {
  test('connections to ports no destination pod serves are counted apart', async () => {
    const r = await runCli(['diff', `${F}/old`, `${F}/new`, '--cluster', `${F}/cluster.yaml`, '-o', 'json'])
    const j = JSON.parse(r.out)
    const changes = j.changes.map((c: { change: string; from: number; to: number; ports: string[] }) => `${c.change} ${j.classes[c.from].labels.app} → ${j.classes[c.to].labels.app} ${c.ports}`)
    // web serves 8080, db 5432 (and a policy names 5432 for db), cache nothing
    expect(changes).toEqual(['denied cache → web 8080/TCP', 'denied db → web 8080/TCP', 'denied web → db 5432/TCP'])
    expect(j.summary.denied.connections).toBe(3)
    expect(j.unserved).toEqual({ allowed: 0, denied: 6 })
  })

  test('text and md: one line with the count of the rest', async () => {
    const args = ['diff', `${F}/old`, `${F}/new`, '--cluster', `${F}/cluster.yaml`]
    const line = 'not reported: 6 newly denied connections to ports that the destination pod neither serves (no container port) nor has named by a policy; --port P reports port P on every pod'
    expect((await runCli(args)).out.split('\n')).toContain(line)
    expect((await runCli([...args, '-o', 'md'])).out).toContain(line)
  })

  test('a port named by an egress rule whose peers select the destination is reported', async () => {
    const egress = `${F}/new/policies.yaml`
    const extra = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-to-cache, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: cache}}}]
    ports: [{port: 6379}]
`
    // NEW from stdin: the change plus an egress rule to cache on 6379
    const s = await runCli(['diff', `${F}/old`, '-', '--cluster', `${F}/cluster.yaml`, '-o', 'json'], readFileSync(egress, 'utf8') + '---\n' + extra)
    const j = JSON.parse(s.out)
    const toCache = j.changes.filter((c: { to: number }) => j.classes[c.to].labels.app === 'cache').map((c: { from: number; ports: string[] }) => `${j.classes[c.from].labels.app} ${c.ports}`)
    // 6379 is named for cache by web's egress rule; 8080 and 5432 are neither served by cache nor named for it
    expect(toCache).toEqual(['db 6379/TCP', 'web 6379/TCP'])
  })

  test('ports given with --port are reported on every pod', async () => {
    const r = await runCli(['diff', `${F}/old`, `${F}/new`, '--cluster', `${F}/cluster.yaml`, '--port', '8080', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect(j.summary.denied.connections).toBe(4)
    expect(j.unserved).toEqual({ allowed: 0, denied: 0 })
  })
})
