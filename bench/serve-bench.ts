/**
 * `netpol serve` benchmark on the generated 10k-pod / 10k-policy cluster: the time from start to the URL line,
 * then each API question over real HTTP (the first answer, which fills the caches of its version, and the median
 * of the answers after it): /api/cluster, /api/graph at the auto level, /api/check, /api/whatif with one policy
 * edited (goal ≤ 1 s), /api/allow. Baseline in the same run: the CLI answering the same questions, one process
 * each (`netpol check`, `netpol diff OLD NEW`), as a user without the server would.
 *
 *   npm run build && npx tsx bench/serve-bench.ts [--pods 10000 --namespaces 200 --policies 10000 --seed 1 --runs 5]
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { parse, stringify } from 'yaml'
import { generateCluster, renderCluster } from './generate-cluster.js'
import { CLUSTER_SIZE_OPTIONS, clusterBase, clusterSize } from './cluster-size.js'

const { values } = parseArgs({
  options: {
    ...CLUSTER_SIZE_OPTIONS,
    runs: { type: 'string', default: '5' },
  },
})
const size = clusterSize(values)
const runs = Number(values.runs)
const base = clusterBase(size)
mkdirSync('bench/out', { recursive: true })
if (!existsSync(`${base}.json`)) writeFileSync(`${base}.json`, renderCluster(generateCluster(size), 'json'))
const input = `${base}.json`

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`
const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`

// the server, as a user starts it
const t0 = performance.now()
const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '-f', input, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise<string>((resolve, reject) => {
  let out = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    const m = /netpol serve: (\S+)\n/.exec(out)
    if (m) resolve(m[1]!)
  })
  child.once('exit', (code) => reject(new Error(`netpol serve exited with ${code}`)))
})
const startMs = performance.now() - t0
process.on('exit', () => child.kill('SIGTERM'))

async function ask(path: string, body?: unknown): Promise<{ ms: number; bytes: number; json: any; status: number }> {
  const t = performance.now()
  const r = await fetch(new URL(path, url), body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const text = await r.text()
  return { ms: performance.now() - t, bytes: Buffer.byteLength(text), json: r.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : null, status: r.status }
}

/** The first answer, then the median of `runs` more. */
async function measure(name: string, path: string, body?: unknown, describe?: (r: { bytes: number; json: any }) => string) {
  const first = await ask(path, body)
  if (first.status !== 200) {
    console.log(`${name.padEnd(40)} status ${first.status}: ${JSON.stringify(first.json).slice(0, 200)}`)
    return first
  }
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push((await ask(path, body)).ms)
  console.log(`${name.padEnd(40)} first ${ms(first.ms).padStart(9)}   then median ${ms(median(times)).padStart(9)} (of ${runs})   ${kb(first.bytes).padStart(9)}${describe ? `   ${describe(first)}` : ''}`)
  return first
}

console.log(`cluster: ${size.pods} pods, ${size.namespaces} namespaces, ${size.policies} policies (seed ${size.seed}); Node ${process.version}\n`)
console.log(`${'start: -f to the URL line'.padEnd(40)} ${ms(startMs).padStart(9)}`)
const summary = (await measure('GET /api/cluster', '/api/cluster', undefined, (r) => `level ${r.json.defaultLevel}, port ${r.json.defaultPort}`)).json
const dump = JSON.parse((await import('node:fs')).readFileSync(input, 'utf8')) as { items: any[] }
// the page's first questions on a fresh server: the graph it opens on (computed before the URL line) and a node
await measure(`GET /api/graph?port=${summary.defaultPort} (the page's first)`, `/api/graph?port=${encodeURIComponent(summary.defaultPort)}`, undefined, (r) => (r.json ? `${r.json.level}: ${r.json.nodes.length} nodes, ${r.json.edges.length} edges` : ''))
const firstPod = dump.items.find((o) => o.kind === 'Pod')
await measure('GET /api/describe/pod (fresh server)', `/api/describe/pod?pod=${firstPod.metadata.namespace}/${firstPod.metadata.name}`, undefined, (r) => (r.json.lintPending ? 'lint pending' : `${r.json.lint.length} findings`))
await measure('GET /api/graph (auto level, any port)', '/api/graph', undefined, (r) => (r.json ? `${r.json.level}: ${r.json.nodes.length} nodes, ${r.json.edges.length} edges` : ''))
await measure('GET /api/graph?port=8080/TCP', '/api/graph?port=8080/TCP', undefined, (r) => (r.json ? `${r.json.level}: ${r.json.nodes.length} nodes, ${r.json.edges.length} edges` : ''))

await measure(`GET /api/matrix?port=8080&namespace=${summary.namespaces[1].name}`, `/api/matrix?port=8080/TCP&namespace=${summary.namespaces[1].name}`)
const served = dump.items.filter((o) => o.kind === 'Pod' && o.spec.containers.some((c: any) => (c.ports ?? []).some((p: any) => p.containerPort === 8080)))
const from = served[0]
const to = served.find((p) => p.metadata.namespace !== from.metadata.namespace)
const fromName = `${from.metadata.namespace}/${from.metadata.name}`
const toName = `${to.metadata.namespace}/${to.metadata.name}`
await measure(`GET /api/check`, `/api/check?from=${fromName}&to=${toName}&port=8080/TCP`, undefined, (r) => (r.json ? `allowed: ${r.json.allowed}` : ''))

const ns = to.metadata.namespace
const policies = (await measure(`GET /api/policies?namespace=${ns}`, `/api/policies?namespace=${ns}`, undefined, (r) => `${r.json.policies.length} policies`)).json.policies as { namespace: string; name: string; yaml: string }[]
const target = policies.find((p) => (JSON.parse(p.yaml).spec.ingress ?? []).some((r: any) => (r.ports ?? []).some((x: any) => x.port === 8080 || x.port === 'http'))) ?? policies.find((p) => (JSON.parse(p.yaml).spec.ingress ?? []).length > 0)!
await measure(`GET /api/describe/pod`, `/api/describe/pod?pod=${toName}`, undefined, (r) => (r.json.lintPending ? 'lint pending' : `${r.json.lint.length} findings`))
const edited = parse(target.yaml)
// no ingress rule left: the policy isolates its pods and admits nothing
edited.spec.ingress = []
const editedYaml = stringify(edited)
const whatIfSays = (r: { json: any }) =>
  r.json.diff ? `allowed +${r.json.diff.summary.allowed.connections}, denied +${r.json.diff.summary.denied.connections}; graph ${r.json.graph ? `${r.json.graph.edges.length} edges` : 'absent'}` : JSON.stringify(r.json.errors).slice(0, 100)
const change = { op: 'edit', policy: `${target.namespace}/${target.name}`, yaml: editedYaml }
console.log(`what-if: ${target.namespace}/${target.name} with no ingress rule left`)
await measure('POST /api/whatif, port 8080/TCP', '/api/whatif', { changes: [change], port: '8080/TCP' }, whatIfSays)
await measure('POST /api/whatif, any port', '/api/whatif', { changes: [change] }, whatIfSays)
await measure('POST /api/allow', '/api/allow', { from: fromName, to: toName, port: '8080/TCP' }, (r) => (r.json.alreadyAllowed ? 'already allowed' : `${r.json.policies.length} policies`))

const stopped = new Promise((r) => child.once('exit', r))
child.kill('SIGTERM')
await stopped

// baseline: the same questions asked of the CLI, one process each
const cli = (args: string[]) => {
  const t = performance.now()
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], { stdio: ['ignore', openSync('/dev/null', 'w'), 'ignore'] })
  return performance.now() - t
}
console.log('\nbaseline: the CLI, one process per question')
const checkMs = Array.from({ length: 3 }, () => cli(['check', '-f', input, '--from', fromName, '--to', toName, '--port', '8080/TCP', '-o', 'json']))
console.log(`${'netpol check -o json'.padEnd(40)} median ${ms(median(checkMs)).padStart(9)} (of 3)`)
const after = dump.items.map((o) => (o.kind === 'NetworkPolicy' && o.metadata.namespace === target.namespace && o.metadata.name === target.name ? { ...o, spec: edited.spec } : o))
writeFileSync(`${base}-edited.json`, JSON.stringify({ ...dump, items: after }))
const diffMs = Array.from({ length: 3 }, () => cli(['diff', input, `${base}-edited.json`, '-o', 'json']))
console.log(`${'netpol diff OLD NEW -o json'.padEnd(40)} median ${ms(median(diffMs)).padStart(9)} (of 3)`)
