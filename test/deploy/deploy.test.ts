/**
 * `kubectl apply -f deploy/` is the whole install: the manifests hold the invariants the README promises (read
 * only, two capabilities, every node, audit first), the agent's command line is one the real parser accepts, and
 * the Dockerfile runs what the build produces. Needs `npm run build` (for the Dockerfile's ENTRYPOINT).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { loadManifests } from '../../src/io/load-manifests.js'
import { API_RESOURCES, READ_VERBS } from '../../src/io/kube/resources.js'
import { parseListenAddress } from '../../src/agent/metrics.js'
import { parseCli } from '../cli/cli-harness.js'

const DIR = 'deploy'
type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const files = readdirSync(DIR).sort()
const objects: { file: string; obj: Obj }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
    expect(d.errors).toEqual([])
    return { file, obj: d.toJS() as Obj }
  }),
)
const find = (kind: string, name: string): Obj => {
  const hit = objects.filter((o) => o.obj.kind === kind && o.obj.metadata?.name === name)
  expect(hit, `${kind} ${name}`).toHaveLength(1)
  return hit[0]!.obj
}
const NS = 'netpol-system'
const ds = find('DaemonSet', 'netpol-agent')
const pod = ds.spec.template.spec as Obj
const container = pod.containers[0] as Obj
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
const readme = readFileSync('README.md', 'utf8')

describe('deploy/', () => {
  test('holds only manifests kubectl applies (.yaml)', () => {
    expect(files.every((f) => f.endsWith('.yaml'))).toBe(true)
    expect(objects.map((o) => `${o.obj.kind}/${o.obj.metadata.name}`)).toEqual([
      `Namespace/${NS}`, 'ServiceAccount/netpol-agent', 'ClusterRole/netpol-agent', 'ClusterRoleBinding/netpol-agent', 'ClusterRole/netpol-reader', 'DaemonSet/netpol-agent',
    ])
  })

  test("netpol's own loader reads it without an issue: the Namespace and the DaemonSet as the kinds they are", async () => {
    const r = await loadManifests([DIR])
    expect(r.issues).toEqual([])
    expect(r.cluster.namespaces.get(NS)?.implicit).toBe(false)
    const agent = r.cluster.pods.filter((p) => p.template?.kind === 'DaemonSet' && p.template.name === 'netpol-agent')
    expect(agent).toHaveLength(1)
    expect(agent[0]!.namespace).toBe(NS)
    expect(agent[0]!.hostNetwork).toBe(true)
    expect(r.notes.filter((n) => n.code === 'unknown_kind_skipped').map((n) => (n as { kind: string }).kind).sort()).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount'])
  })

  test('applied in file order, each object comes after what it needs (kubectl applies a directory in name order)', () => {
    const at = (kind: string, name: string) => objects.findIndex((o) => o.obj.kind === kind && o.obj.metadata.name === name)
    for (const [i, { obj }] of objects.entries()) if (obj.metadata.namespace !== undefined) expect(at('Namespace', obj.metadata.namespace)).toBeLessThan(i)
    expect(at('ServiceAccount', pod.serviceAccountName)).toBeLessThan(at('DaemonSet', 'netpol-agent'))
    expect(at('ClusterRoleBinding', 'netpol-agent')).toBeLessThan(at('DaemonSet', 'netpol-agent'))
  })

  test('the namespace admits a host-network pod with NET_ADMIN under a cluster-wide Pod Security default', () => {
    expect(find('Namespace', NS).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged')
  })
})

describe('RBAC: get, list and watch on exactly what netpol reads', () => {
  const expected = Object.values(API_RESOURCES).map((r) => `${r.group}/${r.plural}`).sort()
  test.each(['netpol-agent', 'netpol-reader'])('ClusterRole %s', (name) => {
    const rules = find('ClusterRole', name).rules as Obj[]
    const granted: string[] = []
    for (const rule of rules) {
      expect(Object.keys(rule).sort()).toEqual(['apiGroups', 'resources', 'verbs'])
      expect(rule.verbs).toEqual(READ_VERBS)
      for (const g of rule.apiGroups) for (const r of rule.resources) granted.push(`${g}/${r}`)
    }
    expect(granted.sort()).toEqual(expected)
  })

  test("the binding gives the agent's ServiceAccount the agent's role, and the DaemonSet runs as it", () => {
    const b = find('ClusterRoleBinding', 'netpol-agent')
    expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'netpol-agent' })
    expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'netpol-agent', namespace: NS }])
    expect(find('ServiceAccount', 'netpol-agent').metadata.namespace).toBe(NS)
    expect(pod.serviceAccountName).toBe('netpol-agent')
    expect(objects.filter((o) => o.obj.kind === 'ClusterRoleBinding')).toHaveLength(1)
  })
})

describe('the DaemonSet', () => {
  afterEach(() => vi.unstubAllEnvs())

  test('runs on every node, in the host network namespace, before other pods', () => {
    expect(ds.metadata.namespace).toBe(NS)
    expect(pod.hostNetwork).toBe(true)
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet')
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }])
    expect(pod.priorityClassName).toBe('system-node-critical')
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } })
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(0)
    expect(ds.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'netpol-agent' })
  })

  test('with NET_ADMIN and NET_RAW only: not privileged, every other capability dropped, read-only root', () => {
    expect(pod.containers).toHaveLength(1)
    expect(pod.initContainers).toBeUndefined()
    expect(pod.securityContext).toBeUndefined()
    const sc = container.securityContext as Obj
    expect(sc.capabilities).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] })
    expect(sc.privileged).toBe(false)
    expect(sc.allowPrivilegeEscalation).toBe(false)
    expect(sc.readOnlyRootFilesystem).toBe(true)
    // the one place it writes: ulogd's configuration and socket (mkdtemp under the temporary directory)
    const tmp = (container.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp')
    expect(tmp).toBeDefined()
    expect((pod.volumes as Obj[]).find((v) => v.name === tmp!.name)?.emptyDir).toBeDefined()
    expect(pod.hostPID ?? false).toBe(false)
    expect(pod.volumes.some((v: Obj) => v.hostPath !== undefined)).toBe(false)
  })

  test('its command line is accepted by the real CLI: agent, audit mode from NETPOL_MODE, metrics and flow log', async () => {
    const env = Object.fromEntries((container.env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]))
    expect(env).toEqual({ NODE_NAME: { fieldRef: { fieldPath: 'spec.nodeName' } }, NETPOL_MODE: 'audit' })
    // the mode is not in the args, or `kubectl set env NETPOL_MODE=...` could not switch it
    expect(container.args.some((a: string) => a.startsWith('--mode'))).toBe(false)
    expect(container.command).toBeUndefined()
    vi.stubEnv('NETPOL_MODE', env.NETPOL_MODE)
    const r = await parseCli(container.args)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.command).toEqual(['agent'])
    expect(r.opts).toMatchObject({ mode: 'audit', flowLog: '-', filename: [] })
  })

  test('probes, the port and the scrape annotation agree with --metrics', async () => {
    vi.stubEnv('NETPOL_MODE', 'audit')
    const { opts } = await parseCli(container.args)
    const port = parseListenAddress(String(opts?.metrics))?.port
    expect(port).toBeDefined()
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: port, protocol: 'TCP' }])
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' })
    expect(ds.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' })
  })

  test('resources: the requests of the brief, limits above them', () => {
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '200Mi' })
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '512Mi' })
  })

  test("the image is this version's", () => {
    expect(container.image).toMatch(new RegExp(`/netpol:${pkg.version.replace(/\./g, '\\.')}$`))
  })

  test("the README's switch to enforce and back names this DaemonSet and its variable", () => {
    const commands = readme.match(/kubectl -n \S+ set env daemonset\/\S+ NETPOL_MODE=\w+/g) ?? []
    expect(commands).toEqual(expect.arrayContaining([`kubectl -n ${NS} set env daemonset/netpol-agent NETPOL_MODE=enforce`, `kubectl -n ${NS} set env daemonset/netpol-agent NETPOL_MODE=audit`]))
    expect(new Set(commands)).toEqual(new Set([`kubectl -n ${NS} set env daemonset/netpol-agent NETPOL_MODE=enforce`, `kubectl -n ${NS} set env daemonset/netpol-agent NETPOL_MODE=audit`]))
  })
})

describe('Dockerfile', () => {
  const text = readFileSync('Dockerfile', 'utf8')
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  const stages = lines.reduce<string[][]>((acc, l) => (l.startsWith('FROM ') ? [...acc, [l]] : (acc[acc.length - 1]!.push(l), acc)), [])
  const final = stages[stages.length - 1]!
  const instr = (name: string) => final.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1))

  test('every stage is Debian with Node 20', () => {
    for (const s of stages) expect(s[0]).toMatch(/^FROM node:20-bookworm-slim( AS \w+)?$/)
  })

  test('the image has nft, conntrack and ulogd2 with its JSON output, and production dependencies only', () => {
    const run = instr('RUN').join(' ')
    const install = /apt-get install -y --no-install-recommends ([^&]+)/.exec(run)?.[1]?.trim().split(/\s+/)
    expect(install?.sort()).toEqual(['conntrack', 'nftables', 'ulogd2', 'ulogd2-json'])
    expect(run).toMatch(/npm ci --omit=dev/)
    expect(instr('USER')).toEqual([])
  })

  test('ENTRYPOINT runs the CLI the build produces, the agent by default', () => {
    expect(instr('ENTRYPOINT').map((j) => JSON.parse(j))).toEqual([['node', '/app/dist/cli/main.js']])
    expect(instr('CMD').map((j) => JSON.parse(j))).toEqual([['agent']])
    expect(instr('WORKDIR')).toEqual(['/app'])
    expect(instr('COPY')).toContain('--from=build /src/dist ./dist')
    const inBuild = posix.relative('/app', '/app/dist/cli/main.js')
    expect(existsSync(inBuild)).toBe(true)
  })

  test('.dockerignore lets in what the build copies, and not node_modules or dist', () => {
    const ignore = readFileSync('.dockerignore', 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'))
    const copied = stages.flat().filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.slice(5).split(/\s+/).slice(0, -1))
    expect(ignore[0]).toBe('*')
    // a directory is let in as `!dir/`, a file as `!file`
    for (const c of copied) expect(ignore, c).toContain(`!${c.replace(/\/?$/, statSync(c).isDirectory() ? '/' : '')}`)
    expect(ignore).not.toContain('!node_modules/')
    expect(ignore).not.toContain('!dist/')
  })
})

test('the RBAC file that error messages point at exists', async () => {
  const { RBAC_FILE } = await import('../../src/io/kube/kube-error.js')
  expect((await import('node:fs')).existsSync(RBAC_FILE)).toBe(true)
})
