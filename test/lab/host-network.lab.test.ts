/**
 * hostNetwork pods on real packets: in the lab such a pod is the node (its ports served in the node namespace
 * on the node's address), and the agent treats its traffic as the node's. What the agent enforces and what it
 * leaves alone, each proven with a connection:
 *   - the node's connections to pods are never filtered, whatever the pods' ingress policies say;
 *   - a pod's connection to it is the pod's egress to the node's address: an ipBlock holding that address
 *     allows it, a podSelector matching the hostNetwork pod's labels does not;
 *   - the policies that select the hostNetwork pod are not enforced.
 * Needs root; a lab of its own name, under its lock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { labDown, labStatus, probeAll, type ProbeOutcome, type ProbeTarget } from '../../src/lab/index.js'
import { runCli } from '../cli/cli-harness.js'
import { acquireLabLock } from '../lab-lock.js'
import { hostSupports } from '../requirements.js'

const canRun = hostSupports('hostNetwork pods in the lab (host-network.lab.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])
const NAME = 'hostnet'
const NODE = '10.244.0.1'

// a: isolated for ingress with no rule; b: egress only to the hostNetwork pod by podSelector; c: egress only to
// the node's address by ipBlock; h: hostNetwork, on the node's address, selected by a deny-all ingress policy
const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: x}
${[
  ['a', '10.244.0.10', 80],
  ['b', '10.244.0.11', 80],
  ['c', '10.244.0.12', 80],
]
  .map(([n, ip, port]) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: x, labels: {app: ${n}}}\nspec: {containers: [{name: s, image: i, ports: [{containerPort: ${port}}]}]}\nstatus: {podIP: ${ip}}`)
  .join('\n')}
---
apiVersion: v1
kind: Pod
metadata: {name: h, namespace: x, labels: {app: h}}
spec: {hostNetwork: true, containers: [{name: s, image: i, ports: [{containerPort: 9100}]}]}
status: {podIP: ${NODE}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-deny-in, namespace: x}
spec: {podSelector: {matchLabels: {app: a}}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: h-deny-in, namespace: x}
spec: {podSelector: {matchLabels: {app: h}}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-to-h-by-labels, namespace: x}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: h}}}], ports: [{port: 9100}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-to-node-address, namespace: x}
spec:
  podSelector: {matchLabels: {app: c}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: ${NODE}/32}}], ports: [{port: 9100}]}]
`

let release: (() => void) | null = null
const dir = mkdtempSync(join(tmpdir(), 'netpol-hostnet-'))
beforeAll(async () => {
  if (canRun) release = await acquireLabLock({ name: NAME })
}, 10 * 60_000)
afterAll(async () => {
  if (canRun) await labDown(NAME)
  rmSync(dir, { recursive: true, force: true })
  release?.()
}, 60_000)

describe.runIf(canRun).sequential('hostNetwork pods are node traffic: what the agent filters and what it leaves alone', () => {
  const file = join(dir, 'hostnet.yaml')
  writeFileSync(file, MANIFESTS)

  test('lab up says per hostNetwork pod what the agent does and does not filter', async () => {
    const r = await runCli(['lab', 'up', '--name', NAME, '-f', file])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toContain(`hostNetwork pods: the node's network, no namespace of their own; their ports are served in npl.${NAME}.node, on ${NODE}; the agent:\n`)
    expect(r.out).toContain(
      "  x/h: does not enforce x/h-deny-in, which selects it; never filters its connections to pods (the node may always reach them); filters pods' connections to it only by their egress rules, on the node's address (an ipBlock holding it matches, a podSelector never)\n",
    )
  }, 60_000)

  test.each<{ name: string; from: string; to: string; port: number; want: ProbeOutcome }>([
    { name: 'the node → a pod isolated for ingress: never filtered', from: 'x/h', to: '10.244.0.10', port: 80, want: 'ok' },
    { name: 'a pod → the same pod: the ingress isolation holds (control)', from: 'x/b', to: '10.244.0.10', port: 80, want: 'timeout' },
    { name: "a pod → the hostNetwork pod: the policy selecting it is not enforced", from: 'x/a', to: NODE, port: 9100, want: 'ok' },
    { name: "a pod's egress to it by podSelector: never matches the node's address", from: 'x/b', to: NODE, port: 9100, want: 'timeout' },
    { name: "a pod's egress to it by an ipBlock holding the node's address: enforced, allowed", from: 'x/c', to: NODE, port: 9100, want: 'ok' },
    { name: "a pod's egress to it on another port: enforced, denied", from: 'x/c', to: NODE, port: 9101, want: 'timeout' },
  ])('$name', async ({ from, to, port, want }) => {
    const plan = (await labStatus(NAME)).state!.plan
    const targets: Record<string, ProbeTarget[]> = { [from]: [{ ip: to, port, protocol: 'TCP' }] }
    const got: ProbeOutcome[] = []
    for await (const r of probeAll(plan, targets)) got.push(r.result)
    expect(got).toEqual([want])
  }, 30_000)

  test('the engine reads the policies by labels, where enforcement for hostNetwork pods is undefined: it disagrees on both ends', async () => {
    const check = async (from: string, to: string, port: string) => (await runCli(['check', '-f', file, '--from', from, '--to', to, '--port', port])).out
    expect(await check('x/h', 'x/a', '80')).toMatch(/DENIED/)
    expect(await check('x/b', 'x/h', '9100')).toMatch(/DENIED/)
  }, 30_000)
})
