import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const REPLICAS = 'examples/replicas/shop.yaml'
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
      'note: HorizontalPodAutoscaler web skipped: netpol reads Namespace, Pod, Service, Node, workload kinds, NetworkPolicy and the cluster policy kinds only',
      'note: skipped 2 pods that have finished (2 Succeeded): ops/migrate-v42-q9w3e, ops/report-29406720-x7k2p',
      'note: pod templates of 6 workloads not used because their pods are present: DaemonSet kube-system/kube-proxy, Deployment kube-system/coredns, Deployment shop/web and 3 more',
      'note: skipped 2 workloads that run no pod (replicas 0, suspended, or a finished Job): Deployment shop/legacy-api, Job ops/migrate-v42',
      'note: skipped 3 workloads whose owner in the input stands for their pods: ReplicaSet shop/legacy-api-5f6d8c7b9 (Deployment legacy-api), ReplicaSet shop/web-6c8d7b5f4 (Deployment web), Job ops/report-29406720 (CronJob report)',
      'note: CronJob ops/report skipped: it comes from a live cluster whose pods are in the input, and none of them is its',
      "note: 2 hostNetwork pods (kube-system/kube-proxy-4hx9w, kube-system/kube-proxy-qm2lt): their rows and columns follow the policies, but NetworkPolicy enforcement for hostNetwork pods is undefined in Kubernetes and netpol's agent does not enforce the policies that select them (it filters other pods' egress to them as traffic to the node)",
    ])
  })

  test("the dump's policies decide: web → postgres allowed, web → web on an unnamed port denied", async () => {
    const r = await runCli(['check', '-f', DUMP, '--from', 'shop/web-7d9f8b6c5-b8x4k', '--to', 'shop/postgres-0', '--port', '5432'])
    expect(r.code).toBe(0)
    const d = await runCli(['check', '-f', DUMP, '--from', 'shop/web-7d9f8b6c5-b8x4k', '--to', 'shop/web-7d9f8b6c5-m2p7q', '--port', '9999'])
    expect(d.code).toBe(1)
  })
})

describe('naming endpoints', () => {
  test.each([
    { name: 'a pod named by its prefix (README example)', args: ['-f', 'examples/three-tier', '--from', 'backend/api', '--to', 'database/postgres-0', '--port', '5432'], err: 'error: --from "backend/api": no such pod in the input; did you mean backend/api-5c4, backend/api-6d1?' },
    { name: 'a workload meant as a pod', args: ['-f', DUMP, '--from', 'shop/postgres', '--to', 'shop/postgres-0', '--port', '5432'], err: 'did you mean sts/shop/postgres, shop/postgres-0' },
    { name: 'a workload of another kind', args: ['-f', DUMP, '--from', 'deploy/shop/postgres', '--to', 'shop/postgres-0', '--port', '5432'], err: 'error: --from "deploy/shop/postgres": no such workload with pods in the input; did you mean sts/shop/postgres' },
  ])('$name', async ({ args, err }) => {
    const r = await runCli(['check', ...args])
    expect(r.code).toBe(2)
    expect(r.err).toContain(err)
  })

  test('deploy/NS/NAME as the source: each of its real pods is checked', async () => {
    const r = await runCli(['check', '-f', DUMP, '--from', 'deploy/shop/web', '--to', 'sts/shop/postgres', '--port', '5432', '-o', 'json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect(j.results.map((x: { from: string; to: string; via: string }) => `${x.from} → ${x.to} ${x.via}`)).toEqual([
      'shop/web-7d9f8b6c5-b8x4k → shop/postgres-0 via sts/shop/postgres',
      'shop/web-7d9f8b6c5-m2p7q → shop/postgres-0 via sts/shop/postgres',
      'shop/web-7d9f8b6c5-zt5wd → shop/postgres-0 via sts/shop/postgres',
    ])
  })

  test('a workload to itself: each pod to the others', async () => {
    const r = await runCli(['check', '-f', DUMP, '--from', 'deploy/kube-system/coredns', '--to', 'deploy/kube-system/coredns', '--port', '53/UDP'])
    expect(r.out.split('\n').filter((l) => /^(ALLOWED|DENIED)/.test(l)).map((l) => l.split('  ')[1])).toEqual([
      'kube-system/coredns-5d78c9869d-7xq2p → kube-system/coredns-5d78c9869d-kz8vd',
      'kube-system/coredns-5d78c9869d-kz8vd → kube-system/coredns-5d78c9869d-7xq2p',
    ])
  })

  test('a template of several replicas named as a workload: one replica to another', async () => {
    const r = await runCli(['check', '-f', REPLICAS, '--from', 'deploy/shop/web', '--to', 'deployment/shop/web', '--port', '8080'])
    expect(r.code).toBe(1)
    expect(r.out).toContain('DENIED  shop/web → shop/web  port 8080/TCP  via deployment/shop/web')
    expect(r.out).toContain('shop/web stands for 3 replicas; this is one replica to another')
  })
})
