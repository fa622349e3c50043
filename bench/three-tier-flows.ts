/**
 * Writes examples/flows/hubble.jsonl and examples/flows/calico-flows.log: the same traffic in the example
 * cluster examples/three-tier, as Hubble and as Calico report it, so that both normalise to one workload graph.
 *
 *   npx tsx bench/three-tier-flows.ts
 *
 * The traffic: the internet → web:8080; web → api:8080; api → postgres:5432; api → 203.0.113.10:443 (the
 * payment provider); worker → postgres:5432 (denied at postgres' ingress: only the API may); worker → api ICMP
 * echo (denied at the worker's egress; ICMP, which NetworkPolicy cannot express); prometheus → every metrics
 * port; every pod → CoreDNS 53/UDP, and the API also 53/TCP.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadAll } from 'js-yaml'
import { calicoLines, hubbleLines, type Connection, type End } from './flow-lines.js'

const dir = join(import.meta.dirname, '..', 'examples')
interface PodDoc { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { nodeName: string }; status: { podIP: string } }
const pods = new Map<string, End>()
const ENFORCED = new Set(['frontend', 'backend', 'database'])
for (const d of loadAll(readFileSync(join(dir, 'three-tier', 'pods.yaml'), 'utf8')) as PodDoc[]) {
  const m = d.metadata
  pods.set(m.name, { ip: d.status.podIP, pod: { namespace: m.namespace, name: m.name, labels: m.labels, node: d.spec.nodeName, enforced: ENFORCED.has(m.namespace) } })
}
const pod = (name: string) => pods.get(name) ?? (() => { throw new Error(`no pod ${name}`) })()
const ext = (ip: string): End => ({ ip })

const t0 = Date.UTC(2026, 11, 7, 9, 0, 0)
let seq = 0
const hubble: string[] = []
const calico: string[] = []

/** `n` connections from → to:port, a minute apart, one Calico line per reporting end for all of them */
function observe(from: End, to: End, protocol: Connection['protocol'], port: number, n: number, opts: Partial<Connection> = {}, service?: { namespace: string; name: string; port: number }) {
  let first: Connection | undefined
  for (let i = 0; i < n; i++) {
    seq++
    const c: Connection = { from, to, protocol, port, sourcePort: 32768 + ((seq * 7919) % 28000), time: t0 + seq * 1_013 + i * 60_000, ...opts }
    first ??= c
    hubble.push(...hubbleLines(c))
  }
  calico.push(...calicoLines(first!, n, service))
}

const webs = ['web-7d9', 'web-8f2'].map(pod)
const apis = ['api-5c4', 'api-6d1'].map(pod)
const worker = pod('worker-3a9')
const postgres = pod('postgres-0')
const prometheus = pod('prometheus-0')
const coredns = pod('coredns-5d78c')
const dns = { namespace: 'kube-system', name: 'kube-dns', port: 53 }

for (const [i, w] of webs.entries()) observe(ext(['192.0.2.10', '192.0.2.77'][i]!), w, 'TCP', 8080, 3, {}, { namespace: 'frontend', name: 'web', port: 80 })
for (const w of webs) for (const a of apis) observe(w, a, 'TCP', 8080, 2, {}, { namespace: 'backend', name: 'api', port: 80 })
for (const a of apis) observe(a, postgres, 'TCP', 5432, 2, {}, { namespace: 'database', name: 'postgres', port: 5432 })
observe(apis[0]!, ext('203.0.113.10'), 'TCP', 443, 1)
observe(worker, postgres, 'TCP', 5432, 2, { deniedAt: 'ingress', deniedBy: 'database/default-deny-all' }, { namespace: 'database', name: 'postgres', port: 5432 })
observe(worker, apis[0]!, 'ICMP', 0, 1, { deniedAt: 'egress', deniedBy: 'backend/default-deny-all' })
for (const target of [...webs, ...apis, worker]) observe(prometheus, target, 'TCP', 9090, 2)
observe(prometheus, postgres, 'TCP', 9187, 2)
observe(prometheus, coredns, 'TCP', 9153, 2)
for (const p of [...webs, ...apis, worker, postgres, prometheus]) observe(p, coredns, 'UDP', 53, 2, {}, dns)
observe(apis[0]!, coredns, 'TCP', 53, 1, {}, dns)

mkdirSync(join(dir, 'flows'), { recursive: true })
writeFileSync(join(dir, 'flows', 'hubble.jsonl'), `${hubble.join('\n')}\n`)
writeFileSync(join(dir, 'flows', 'calico-flows.log'), `${calico.join('\n')}\n`)
process.stderr.write(`hubble.jsonl: ${hubble.length} lines; calico-flows.log: ${calico.length} lines\n`)
