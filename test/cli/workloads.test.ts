import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const REPLICAS = 'test/fixtures/replicas/shop.yaml'
const DUMP = 'test/fixtures/kubectl-get-all/dump.json'

describe('a workload template of several replicas', () => {
  test.each([
    { name: 'web (3 replicas) to itself: one replica to another, denied by the default deny', from: 'shop/web', to: 'shop/web', port: '8080', code: 1, says: 'shop/web stands for 3 replicas; this is one replica to another' },
    { name: 'db (1 replica, replicas not given) to itself: a pod may always reach itself', from: 'shop/db', to: 'shop/db', port: '5432', code: 0, says: 'a pod may always connect to itself' },
    { name: 'web to db: allowed by db-from-web', from: 'shop/web', to: 'shop/db', port: '5432', code: 0, says: 'allowed by shop/db-from-web' },
  ])('check: $name', async ({ from, to, port, code, says }) => {
    const r = await runCli(['check', '-f', REPLICAS, '--from', from, '--to', to, '--port', port])
    expect(r.code).toBe(code)
    expect(r.out).toContain(says)
  })

  test('check -o json carries the replicas note', async () => {
    const r = await runCli(['check', '-f', REPLICAS, '--from', 'shop/web', '--to', 'shop/web', '--port', '8080', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect(j.results[0].notes).toContainEqual({ code: 'replicas', pod: 'shop/web', replicas: 3 })
    expect(j.results[0].ingress.kind).toBe('denied')
  })

  test('matrix: the diagonal of a template of several replicas is one replica to another', async () => {
    const r = await runCli(['matrix', '-f', REPLICAS, '--port', '8080/TCP', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect(j.pods).toEqual(['shop/db', 'shop/web'])
    expect(j.results[0].allowed).toEqual([
      [true, false],
      [false, false],
    ])
  })

  test('describe pod: the template counts among the others', async () => {
    const r = await runCli(['describe', '-f', REPLICAS, 'pod', 'shop/web'])
    expect(r.out).toContain('Template:      of Deployment shop/web, 3 replicas (it counts among the pods below: one replica to another)')
    expect(r.out).toContain('Who may connect to it (of 2 other pods):')
  })
})

describe('a whole kubectl get all,ns,netpol -A -o json dump', () => {
  test('one matrix row per real pod, no template beside them', async () => {
    const r = await runCli(['matrix', '-f', DUMP, '--port', '8080/TCP', '-o', 'json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).pods).toEqual([
      'kube-system/coredns-5d78c9869d-7xq2p',
      'kube-system/coredns-5d78c9869d-kz8vd',
      'kube-system/kube-proxy-4hx9w',
      'kube-system/kube-proxy-qm2lt',
      'shop/postgres-0',
      'shop/web-7d9f8b6c5-b8x4k',
      'shop/web-7d9f8b6c5-m2p7q',
      'shop/web-7d9f8b6c5-zt5wd',
    ])
  })

  test('notes: one line per kind of note, not one per object', async () => {
    const r = await runCli(['matrix', '-f', DUMP, '--port', '8080/TCP', '-o', 'json'])
    const notes = r.err.split('\n').filter((l) => l.startsWith('note: '))
    expect(notes).toEqual([
      'note: HorizontalPodAutoscaler web skipped: netpol reads Namespace, Pod, NetworkPolicy, Service and workload kinds only',
      'note: skipped 2 pods that have finished (2 Succeeded): ops/migrate-v42-q9w3e, ops/report-29406720-x7k2p',
      'note: pod templates of 6 workloads not used because their pods are present: DaemonSet kube-system/kube-proxy, Deployment kube-system/coredns, Deployment shop/web and 3 more',
      'note: Deployment shop/legacy-api skipped: it runs no pod (replicas 0, or suspended)',
      'note: skipped 3 workloads whose owner in the input stands for their pods: ReplicaSet shop/legacy-api-5f6d8c7b9 (Deployment legacy-api), ReplicaSet shop/web-6c8d7b5f4 (Deployment web), Job ops/report-29406720 (CronJob report)',
      'note: skipped 2 workloads of a live cluster whose pods are in the input, none of them theirs (they run no pod now): CronJob ops/report, Job ops/migrate-v42',
      "note: 2 hostNetwork pods (kube-system/kube-proxy-4hx9w, kube-system/kube-proxy-qm2lt): their rows and columns follow the policies, but NetworkPolicy enforcement for hostNetwork pods is undefined in Kubernetes and netpol's agent does not filter them",
    ])
  })

  test("the dump's policies decide: web → postgres allowed, web → web on an unnamed port denied", async () => {
    const r = await runCli(['check', '-f', DUMP, '--from', 'shop/web-7d9f8b6c5-b8x4k', '--to', 'shop/postgres-0', '--port', '5432'])
    expect(r.code).toBe(0)
    const d = await runCli(['check', '-f', DUMP, '--from', 'shop/web-7d9f8b6c5-b8x4k', '--to', 'shop/web-7d9f8b6c5-m2p7q', '--port', '9999'])
    expect(d.code).toBe(1)
  })
})
