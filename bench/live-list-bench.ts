/**
 * List + first sync of a generated cluster served by the FAKE API server (test/fake-apiserver) over TLS on
 * loopback: `loadCluster` (paged lists of every kind, then the model) and `watchCluster` (list, then watch,
 * until every kind has synced). Prints time and RSS growth, and, in the same run, the baseline: the same objects
 * read from a `kubectl get … -A -o json` dump of them (`loadManifests`, the streamed JSON path of `-f`).
 *
 *   npx tsx bench/live-list-bench.ts [--pods 10000] [--policies 10000] [--namespaces 200]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createKubeClient, loadCluster, loadKubeConfig, watchCluster } from '../src/io/kube/index.js'
import { loadManifests } from '../src/io/load-manifests.js'
import { dumpList } from '../test/fake-apiserver/example.js'
import { FakeApiServer, writeFakeKubeconfig, type Obj } from '../test/fake-apiserver/index.js'
import { generateCluster } from './generate-cluster.js'

const { values } = parseArgs({ options: { pods: { type: 'string', default: '10000' }, policies: { type: 'string', default: '10000' }, namespaces: { type: 'string', default: '200' } } })
const objects = generateCluster({ seed: 1, pods: Number(values.pods), policies: Number(values.policies), namespaces: Number(values.namespaces) })
const fake = await FakeApiServer.start()
fake.apply(...(objects as unknown as Obj[]))
const dir = mkdtempSync(join(tmpdir(), 'netpol-live-bench-'))
const cfg = loadKubeConfig({ kubeconfig: writeFakeKubeconfig(join(dir, 'config'), fake), env: {} })
if (!cfg.ok) throw new Error(cfg.error.code)
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`

global.gc?.()
let rss0 = process.memoryUsage().rss
let t0 = performance.now()
const loaded = await loadCluster(createKubeClient(cfg.value))
if (!loaded.ok) throw new Error(loaded.error.code)
const c = loaded.value.cluster
console.log(`loadCluster: ${loaded.value.objects} objects (${c.pods.length} pods, ${c.policies.length} policies) in ${(performance.now() - t0).toFixed(0)} ms, RSS +${mb(process.memoryUsage().rss - rss0)}`)

rss0 = process.memoryUsage().rss
t0 = performance.now()
const cw = watchCluster(createKubeClient(cfg.value))
await cw.synced()
const synced = performance.now() - t0
const model = cw.cluster()
console.log(`watchCluster first sync: ${cw.objects().length} objects in ${synced.toFixed(0)} ms (+ model ${(performance.now() - t0 - synced).toFixed(0)} ms, ${model.cluster.pods.length} pods), RSS +${mb(process.memoryUsage().rss - rss0)}`)
const t1 = performance.now()
cw.cluster()
console.log(`watchCluster model again, nothing changed: ${(performance.now() - t1).toFixed(0)} ms`)
await cw.stop()

// the baseline: the same objects from a dump file, as `netpol … -f dump.json` reads them
const dump = join(dir, 'dump.json')
writeFileSync(dump, JSON.stringify(dumpList(fake)))
global.gc?.()
rss0 = process.memoryUsage().rss
t0 = performance.now()
const fromDump = await loadManifests([dump])
console.log(`baseline, the same objects from a JSON dump (-f): ${fromDump.cluster.pods.length} pods, ${fromDump.cluster.policies.length} policies in ${(performance.now() - t0).toFixed(0)} ms, RSS +${mb(process.memoryUsage().rss - rss0)}`)
await fake.close()
rmSync(dir, { recursive: true, force: true })
