import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'
import { scratchDir } from '../scratch-dir.js'

const scratch = scratchDir('netpol-cli-inputs-')
const write = scratch.write

const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
  labels:
    {{- include "shop.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`

describe('a Helm chart given to -f', () => {
  test('one error that says how to render it, not a syntax error per template line; nothing is evaluated', async () => {
    write('shop/Chart.yaml', 'apiVersion: v2\nname: shop\nversion: 0.1.0\n')
    write('shop/values.yaml', 'replicaCount: 1\n')
    write('shop/templates/deployment.yaml', TEMPLATE)
    write('plain/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n')
    const r = await runCli(['matrix', '-f', join(scratch.path(), 'plain'), '-f', join(scratch.path(), 'shop')])
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toBe(
      `error: ${join(scratch.path(), 'shop')}: a Helm chart, not manifests: render it first: helm template RELEASE ${join(scratch.path(), 'shop')} | netpol … -f -\n` +
        '1 error in the input; nothing was evaluated\n',
    )
  })
})

describe('an input that holds nothing', () => {
  test.each(['matrix', 'lint', 'describe'])('%s: an empty file is exit 2, told apart from an empty cluster', async (cmd) => {
    const empty = write('empty.yaml', '')
    const r = await runCli([cmd, '-f', empty])
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toBe(`note: no manifests in ${empty}: it holds no objects\nerror: nothing to evaluate: the input holds no Namespace, Pod, workload, NetworkPolicy, cluster policy, Node or Service\n`)
  })

  test('check: an empty directory is exit 2, not "ALLOWED" between two addresses', async () => {
    mkdirSync(join(scratch.path(), 'd'))
    const r = await runCli(['check', '-f', join(scratch.path(), 'd'), '--from', '10.0.0.1', '--to', '10.0.0.2', '--port', '80'])
    expect(r.code).toBe(2)
    expect(r.err).toContain(`no manifests in ${join(scratch.path(), 'd')}: it holds no .yaml, .yml or .json file`)
  })

  test('namespaces without pods are a cluster: an empty matrix, exit 0, with a note', async () => {
    const ns = write('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n')
    const r = await runCli(['matrix', '-f', ns, '-o', 'json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({ pods: [], results: [] })
    expect(r.err).toBe('note: no pods in the input: the matrix is empty\n')
  })

  test('diff accepts an empty side (everything is new)', async () => {
    const empty = write('old/empty.yaml', '')
    const r = await runCli(['diff', empty, 'examples/three-tier/'])
    expect(r.code).toBe(0)
  })
})
