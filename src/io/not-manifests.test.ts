import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { formatIssue, formatNote } from '../cli/render/format-issue.js'
import { loadManifests } from './load-manifests.js'
import { templateLinesByDoc } from './not-manifests.js'
import { scratchDir } from '../../test/scratch-dir.js'

const scratch = scratchDir('netpol-inputs-')
const write = scratch.write

const POD = `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: shop, labels: { app: web } }
`

const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
  labels:
    {{- include "shop.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "shop.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "shop.selectorLabels" . | nindent 8 }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: {{ .Values.service.port }}
`

const QUOTED_TEMPLATE = `apiVersion: v1
kind: Pod
metadata:
  name: "{{ .Release.Name }}-web"
  namespace: shop
`

function chart(root: string): void {
  write(`${root}/Chart.yaml`, 'apiVersion: v2\nname: shop\nversion: 0.1.0\n')
  write(`${root}/values.yaml`, 'replicaCount: 1\nimage:\n  repository: nginx\n')
  write(`${root}/templates/deployment.yaml`, TEMPLATE)
  write(`${root}/templates/_helpers.tpl`, '{{- define "shop.fullname" -}}shop{{- end }}\n')
  write(`${root}/charts/sub/Chart.yaml`, 'apiVersion: v2\nname: sub\nversion: 0.1.0\n')
  write(`${root}/charts/sub/templates/pod.yaml`, TEMPLATE)
}

describe('Helm charts', () => {
  test('a chart directory is one issue with the command that renders it, not a syntax error per line', async () => {
    chart('shop')
    const r = await loadManifests([join(scratch.path(), 'shop')])
    expect(r.issues.map((i) => i.issue.code)).toEqual(['helm_chart'])
    expect(formatIssue(r.issues[0]!)).toBe(`${join(scratch.path(), 'shop')}: a Helm chart, not manifests: render it first: helm template RELEASE ${join(scratch.path(), 'shop')} | netpol … -f -`)
  })

  test('a chart inside a directory of manifests is reported; the manifests beside it still load', async () => {
    write('app/pod.yaml', POD)
    chart('app/charts/shop')
    const r = await loadManifests([scratch.path()])
    expect(r.issues.map((i) => [i.file, i.issue.code])).toEqual([[join(scratch.path(), 'app/charts/shop'), 'helm_chart']])
    expect(r.cluster.pods.map((p) => p.name)).toEqual(['web'])
  })

  test('Chart.yaml named on its own stands for its chart', async () => {
    chart('shop')
    const r = await loadManifests([join(scratch.path(), 'shop/Chart.yaml')])
    expect(r.issues.map((i) => [i.file, i.issue.code])).toEqual([[join(scratch.path(), 'shop'), 'helm_chart']])
  })

  test('a template file of a chart named on its own points at the chart', async () => {
    chart('shop')
    const file = join(scratch.path(), 'shop/templates/deployment.yaml')
    const r = await loadManifests([file])
    expect(r.issues).toHaveLength(1)
    expect(r.issues[0]).toMatchObject({ file, line: 4, issue: { code: 'go_template', chart: join(scratch.path(), 'shop') } })
    expect(formatIssue(r.issues[0]!)).toBe(`${file}:4: a Go template ({{ … }}), not a manifest: render its chart first: helm template RELEASE ${join(scratch.path(), 'shop')} | netpol … -f -`)
  })

  test.each([
    { name: 'that does not parse', text: TEMPLATE, line: 4 },
    { name: 'that parses but holds template text in values', text: QUOTED_TEMPLATE, line: 4 },
  ])('a template file outside a chart, $name, is one issue at its first action', async ({ text, line }) => {
    const file = write('deploy.yaml', text)
    const r = await loadManifests([file])
    expect(r.issues.map((i) => [i.line, i.issue.code])).toEqual([[line, 'go_template']])
    expect(formatIssue(r.issues[0]!)).toBe(`${file}:${line}: a Go template ({{ … }}), not a manifest: render it first (helm template, or the tool that owns it) and give the result with -f -`)
  })

  test('template text inside a valid object that netpol reads without issue is left alone', async () => {
    write('rules.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: alerts }\ndata:\n  msg: "{{ $labels.instance }} is down"\n---\n' + POD)
    const r = await loadManifests([scratch.path()])
    expect(r.issues).toEqual([])
    expect(r.cluster.pods).toHaveLength(1)
  })
})

describe('files of other tools', () => {
  test('kustomization and Helm values files are skipped with one note; the manifests beside them load', async () => {
    write('base/kustomization.yaml', 'resources: [pod.yaml]\nnamePrefix: prod-\n')
    write('base/pod.yaml', POD)
    write('helm/values.yaml', 'replicaCount: 1\n')
    write('helm/values-prod.yml', 'replicaCount: 3\n')
    const r = await loadManifests([scratch.path()])
    expect(r.issues).toEqual([])
    expect(r.cluster.pods).toHaveLength(1)
    const notes = r.notes.filter((n) => n.code === 'tool_files_skipped')
    expect(notes).toHaveLength(1)
    expect(formatNote(notes[0]!)).toBe(
      `skipped 3 files that hold no Kubernetes objects: ${join(scratch.path(), 'base/kustomization.yaml')} (kustomize), ${join(scratch.path(), 'helm/values-prod.yml')} (Helm values), ${join(scratch.path(), 'helm/values.yaml')} (Helm values); ` +
        `the files beside a kustomization are read as they are, without its changes: to evaluate what it builds, give kubectl kustomize ${join(scratch.path(), 'base')} | netpol … -f -`,
    )
  })

  test('a file named Kustomization given on its own is skipped too', async () => {
    const file = write('overlay/Kustomization', 'resources: [../base]\n')
    const r = await loadManifests([file])
    expect(r.issues).toEqual([])
    expect(r.notes.map((n) => n.code)).toEqual(['tool_files_skipped'])
  })
})

describe('paths that hold no manifests', () => {
  test.each([
    { name: 'an empty file', setup: () => write('empty.yaml', ''), why: 'it holds no objects' },
    { name: 'a file of comments and empty documents', setup: () => write('c.yaml', '# nothing yet\n---\n---\n'), why: 'it holds no objects' },
    { name: 'an empty directory', setup: () => (mkdirSync(join(scratch.path(), 'd')), join(scratch.path(), 'd')), why: 'it holds no .yaml, .yml or .json file' },
    { name: 'a directory of empty files', setup: () => (write('d/a.yaml', ''), write('d/b.json', '  \n'), join(scratch.path(), 'd')), why: 'its 2 files hold no objects' },
  ])('$name: a note', async ({ setup, why }) => {
    const path = setup()
    const r = await loadManifests([path])
    expect(r.issues).toEqual([])
    expect(r.notes.map(formatNote)).toEqual([`no manifests in ${path}: ${why}`])
  })

  test('a path with objects gets no note, and only the empty path is named', async () => {
    const good = write('good.yaml', POD)
    const empty = write('empty.yaml', '')
    const r = await loadManifests([good, empty])
    expect(r.notes.filter((n) => n.code === 'no_manifests').map(formatNote)).toEqual([`no manifests in ${empty}: it holds no objects`])
  })

  test('a file of objects of other kinds is not "no manifests" (its kinds are skipped with their own note)', async () => {
    const file = write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n')
    const r = await loadManifests([file])
    expect(r.notes.map((n) => n.code)).not.toContain('no_manifests')
  })
})

describe('template text is judged per document', () => {
  test('an invalid policy beside a ConfigMap holding a template keeps its own error', async () => {
    const file = write('mixed.yaml', [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: alerts }\ndata:\n  msg: "{{ $labels.instance }} is down"',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: shop }\nspec:\n  policyTypes: [Ingres]',
    ].join('\n---\n'))
    const r = await loadManifests([file])
    expect(r.issues.map((i) => [i.line, i.issue.code])).toEqual([[11, 'invalid_policy_type']])
  })

  test('a templated document among plain ones is one issue; the others still report theirs', async () => {
    const file = write('mixed.yaml', [
      '# a header comment',
      '---',
      QUOTED_TEMPLATE.trimEnd(),
      '---',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: b, namespace: shop }\nstatus: { podIP: 10.0.0.300 }',
    ].join('\n'))
    const r = await loadManifests([file])
    expect(r.issues.map((i) => [i.line, i.issue.code])).toEqual([[6, 'go_template'], [12, 'invalid_ip']])
  })
})

test.each([
  { text: 'a: {{ .x }}', want: [[0, 1]] },
  { text: '# c\n---\na: 1\n---\nb: {{ .x }}', want: [[1, 5]] },
  { text: 'a: 1\n---\nb: {{ .x }}\n---\n---\nc: "{{- include }}"', want: [[1, 3], [3, 6]] },
  { text: 'data: "{{ x }}"', want: [] }, // not an action Helm writes: `{{ x` without a dot, $ or keyword
])('template lines by document: $text', ({ text, want }) => {
  expect([...templateLinesByDoc(text)]).toEqual(want)
})
