/**
 * The bundled example: examples/three-tier and the flows in examples/flows/generate-input.csv, generated and
 * rendered, against a golden file. The CSV is turned into connections here by a few lines that know only its
 * `ns/pod` and address endpoints, so this test does not wait on the flow readers; the CLI test
 * (test/cli/generate.test.ts) reads the same file through them and must print the same YAML.
 */
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { expectGolden } from '../../test/golden.js'
import { loadManifests } from '../io/load-manifests.js'
import type { Cluster } from '../model/cluster.js'
import { parseIp } from '../model/ip.js'
import { generatePolicies } from './generate-policies.js'
import type { ObservedConnection, ObservedEnd } from './observed.js'
import { renderPolicies } from './render-policies.js'
import { verifyGenerated } from './verify-generated.js'

export const GOLDEN = 'src/flows/__golden__/three-tier.yaml'

function csvConnections(cluster: Cluster, text: string): ObservedConnection[] {
  const end = (s: string): ObservedEnd => {
    const pod = cluster.pods.find((p) => `${p.namespace}/${p.name}` === s)
    if (pod) return { kind: 'pod', pod }
    const ip = parseIp(s)!
    if (cluster.pods.some((p) => p.hostIPs.some((h) => h.value === ip.value))) return { kind: 'node', ip }
    return { kind: 'external', ip }
  }
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [src, dst, port, proto, count] = line.split(',') as [string, string, string, 'TCP' | 'UDP', string]
      return { from: end(src), to: end(dst), port: Number(port), protocol: proto, verdict: 'allowed' as const, count: Number(count) }
    })
}

test('generate on the bundled example: the golden YAML, verified', async () => {
  const { cluster, issues } = await loadManifests(['examples/three-tier/'])
  expect(issues).toEqual([])
  const conns = csvConnections(cluster, readFileSync('examples/flows/generate-input.csv', 'utf8'))
  const r = generatePolicies(cluster, conns)
  const v = verifyGenerated(cluster, r.policies, r.allowed)
  expect(v.invalid).toEqual([])
  expect(v.failures).toEqual([])
  expect(r.skipped.map((s) => s.why)).toEqual(['node'])
  const text = renderPolicies(r.policies)
  expectGolden(text, GOLDEN)
  // the YAML reads back as exactly the policies verified, and netpol reads it without an issue
  expect(parseAllDocuments(text).map((d) => d.toJSON())).toEqual(r.policies.map((p) => p.manifest))
  const back = await loadManifests([GOLDEN])
  expect(back.issues).toEqual([])
  expect(back.cluster.policies).toHaveLength(r.policies.length)
})
