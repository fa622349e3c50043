import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { filesInput, getJson, postJson, serveOn } from '../../../test/serve/http.js'
import type { RunningServer } from './server.js'
import { applyGraphDelta, type GraphDelta } from '../../report/graph-delta.js'
import type { GraphReport } from '../../report/graph-types.js'

let server: RunningServer
beforeAll(async () => {
  server = await serveOn(await filesInput(['examples/three-tier/']))
})
afterAll(() => server.close())

/** postgres-from-api, admitting the worker instead of the API: api → postgres closes, worker → postgres opens */
const EDITED = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: postgres-from-api
  namespace: database
spec:
  podSelector:
    matchLabels: {app: postgres}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {team: core}
      podSelector:
        matchLabels: {app: worker}
    ports:
    - {protocol: TCP, port: 5432}
`

describe('POST /api/whatif', () => {
  test('an edit that closes an edge: the diff counts it and names the policy', async () => {
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml: EDITED }], export: true })
    expect(r.status).toBe(200)
    expect(r.body.errors).toEqual([])
    expect(r.body.diff.summary).toEqual({ allowed: { groups: 1, connections: 1 }, denied: { groups: 1, connections: 2 } })
    expect(r.body.diff.policies).toEqual([{ policy: 'database/postgres-from-api', status: 'changed' }])
    const denied = r.body.diff.changes.filter((c: { change: string }) => c.change === 'denied')
    expect(denied).toHaveLength(1)
    expect(denied[0].ports).toEqual(['5432/TCP'])
    // the export holds every policy, the edited one as sent
    expect(r.body.yaml).toContain(EDITED)
    expect(r.body.yaml.split(/^---$/m)).toHaveLength(14)
  })

  test('the graph with the change marks the edges it opens and closes', async () => {
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml: EDITED }], port: '5432/TCP' })
    const marked = (change: string) => r.body.graph.edges.filter((e: { change: string }) => e.change === change).map((e: { id: string }) => e.id)
    expect(r.body.graph).toMatchObject({ level: 'workload', port: '5432/TCP' })
    expect(marked('closed')).toEqual(['backend/api-5c4->database/postgres-0', 'backend/api-6d1->database/postgres-0'])
    expect(marked('opened')).toEqual(['backend/worker-3a9->database/postgres-0'])
    expect(r.body.diff.ports).toEqual(['5432/TCP'])
    expect(r.body.diff.summary).toEqual({ allowed: { groups: 1, connections: 1 }, denied: { groups: 1, connections: 2 } })
  })

  test("every policy's text only when the request asks for the export", async () => {
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'delete', policy: 'database/default-deny-all' }] })
    expect(r.body.errors).toEqual([])
    expect(r.body.yaml).toBeUndefined()
    const bad = await postJson(server, '/api/whatif', { changes: [], export: 'yes' })
    expect(bad.status).toBe(400)
    expect(bad.body.path).toBe('export')
  })

  test('no change: nothing opens or closes', async () => {
    const r = await postJson(server, '/api/whatif', { changes: [] })
    expect(r.body.errors).toEqual([])
    expect(r.body.diff.changes).toEqual([])
  })

  test('delete the default deny of the database: connections open', async () => {
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'delete', policy: 'database/default-deny-all' }], export: true })
    expect(r.body.errors).toEqual([])
    expect(r.body.diff.policies).toEqual([{ policy: 'database/default-deny-all', status: 'removed' }])
    expect(r.body.yaml).not.toContain('name: default-deny-all\n  namespace: database')
  })

  test('add a policy', async () => {
    const yaml = EDITED.replace('name: postgres-from-api', 'name: postgres-from-worker')
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'add', yaml }] })
    expect(r.body.errors).toEqual([])
    expect(r.body.diff.summary.allowed.connections).toBe(1)
    expect(r.body.diff.summary.denied.connections).toBe(0)
  })

  test('invalid YAML: errors with line, column and field path within that YAML, nothing else', async () => {
    const bad = EDITED.replace('{protocol: TCP, port: 5432}', '{protocol: TCP, port: 99999}')
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'delete', policy: 'backend/allow-dns' }, { op: 'edit', policy: 'database/postgres-from-api', yaml: bad }] })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      errors: [{ change: 1, severity: 'error', code: 'invalid', line: 16, column: 29, path: 'spec.ingress[0].ports[0].port', message: expect.stringMatching(/99999/) }],
    })
  })

  test('a YAML syntax error is placed at its line', async () => {
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'add', yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x\n' }] })
    expect(r.body.errors).toHaveLength(1)
    expect(r.body.errors[0]).toMatchObject({ change: 0, code: 'invalid', line: expect.any(Number) })
    expect(r.body.diff).toBeUndefined()
  })

  test.each([
    ['a Pod instead of a policy', { op: 'add', yaml: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: backend}\n' }, /^expected one NetworkPolicy, found 0 policies and 1 other object$/],
    ['two policies', { op: 'add', yaml: `${EDITED.replace('postgres-from-api', 'a')}---\n${EDITED.replace('postgres-from-api', 'b')}` }, /^expected one NetworkPolicy, found 2 policies$/],
    ['an edit of a policy that does not exist', { op: 'edit', policy: 'database/nope', yaml: EDITED }, /^no policy "database\/nope" to edit$/],
    ['an add of a name that exists', { op: 'add', yaml: EDITED }, /^database\/postgres-from-api exists already/],
  ])('%s is an error of that change', async (_, change, message) => {
    const r = await postJson(server, '/api/whatif', { changes: [change] })
    expect(r.body.errors).toEqual([expect.objectContaining({ change: 0, message: expect.stringMatching(message) })])
  })

  test('two changes of one policy are refused', async () => {
    const r = await postJson(server, '/api/whatif', { changes: [{ op: 'delete', policy: 'database/postgres-from-api' }, { op: 'edit', policy: 'database/postgres-from-api', yaml: EDITED }] })
    expect(r.body.errors).toEqual([expect.objectContaining({ change: 1, message: expect.stringMatching(/changed by change 0 too/) })])
  })

  test.each([
    [{}, 'changes'],
    [{ changes: [{ op: 'rename' }] }, 'changes[0].op'],
    [{ changes: [{ op: 'edit', yaml: '' }] }, 'changes[0].policy'],
    [{ changes: [], port: 'http' }, 'port'],
    [{ changes: [], level: 'galaxy' }, 'level'],
    [{ changes: [], namespaces: 'backend' }, 'namespaces'],
    [{ changes: [], namespaces: ['nowhere'] }, 'namespaces'],
    [{ changes: [], since: 'now' }, 'since'],
    [{ changes: [], collapse: 'yes' }, 'collapse'],
    [{ changes: [], open: 'database' }, 'open'],
    [{ changes: [], open: ['nowhere'] }, 'open'],
    [{ changes: [], diffChanges: -1 }, 'diffChanges'],
  ])('a request of the wrong shape is 400 about its field: %j', async (body, path) => {
    const r = await postJson(server, '/api/whatif', body)
    expect(r.status).toBe(400)
    expect(r.body.path).toBe(path)
  })

  test('diffChanges: the diff lists that many changes and the classes they name; the others are counted', async () => {
    const change = { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml: EDITED }] }
    const all = (await postJson(server, '/api/whatif', change)).body
    expect(all.diff.changes).toHaveLength(2)
    expect(all.diffChangesLeftOut).toBeUndefined()
    const one = (await postJson(server, '/api/whatif', { ...change, diffChanges: 1 })).body
    expect(one.diff.summary).toEqual(all.diff.summary)
    expect(one.diff.changes).toEqual(all.diff.changes.slice(0, 1))
    expect(one.diff.classes.map((c: { id: number }) => c.id).sort()).toEqual([...new Set([all.diff.changes[0].from, all.diff.changes[0].to])].sort())
    expect(one.diffChangesLeftOut).toBe(1)
    expect((await postJson(server, '/api/whatif', { ...change, diffChanges: 2 })).body).toEqual(all)
  })

  test('nothing is kept: the policies are as before after a what-if', async () => {
    // (the lint's findings are in the policies' answer once it has run)
    await getJson(server, '/api/lint')
    const before = await getJson(server, '/api/policies')
    await postJson(server, '/api/whatif', { changes: [{ op: 'delete', policy: 'database/postgres-from-api' }] })
    expect(await getJson(server, '/api/policies')).toEqual(before)
    expect((await getJson(server, '/api/cluster')).version).toBe(1)
  })
})

describe('the what-if graph is graphChange of the clusters before and after', () => {
  const withBlock = EDITED.replace('    ports:\n', '    - ipBlock: {cidr: 192.0.2.0/24}\n    ports:\n')
  test.each([
    ['an edit that keeps the ipBlocks (the cached graph before is reused)', EDITED],
    ['an edit that adds an ipBlock (classes renamed by both sides)', withBlock],
  ])('%s', async (_, yaml) => {
    const { graphChange, parseGraphOptions } = await import('../../report/index.js')
    const { loadManifests } = await import('../../io/load-manifests.js')
    const { parsePolicy } = await import('../../model/parse-policy.js')
    const before = (await loadManifests(['examples/three-tier/'])).cluster
    const policy = parsePolicy(parse(yaml))
    if (!policy.ok) throw new Error('bad test policy')
    // in the order the what-if keeps: by namespace and name
    const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`
    const policies = [...before.policies.filter((p) => p.name !== 'postgres-from-api'), policy.value].sort((a, b) => (key(a) < key(b) ? -1 : 1))
    const after = { ...before, policies }
    for (const port of ['5432/TCP', 'any']) {
      const options = parseGraphOptions({ port, level: 'workload' })
      if (!options.ok) throw new Error(options.error.message)
      await getJson(server, `/api/graph?port=${port}&level=workload`)
      const r = await postJson(server, '/api/whatif', { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml }], port, level: 'workload' })
      const expected = JSON.parse(JSON.stringify(graphChange(before, after, { ...options.value, maxEdges: 20_000 })))
      expect(r.body.graph).toEqual(expected)
      // asked with the version of the graph the page holds: only what differs from it, which makes the same graph
      const filterList: { namespaces?: string[]; labels?: string[] }[] = [{}, { namespaces: ['backend', 'database'] }, { labels: ['app'] }]
      for (const filters of filterList) {
        const query = [`port=${port}`, 'level=workload', ...(filters.namespaces ?? []).map((n) => `namespace=${n}`), ...(filters.labels ?? []).map((l) => `label=${l}`)].join('&')
        const held = (await getJson(server, `/api/graph?${query}`)) as GraphReport
        const change = { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml }], port, level: 'workload', ...filters }
        const whole = await postJson(server, '/api/whatif', change)
        const answer = await postJson(server, '/api/whatif', { ...change, since: 1 })
        // an edit that adds an ipBlock names classes anew: the whole graph then
        if (yaml === withBlock) {
          expect(answer.body.graphChanges).toBeUndefined()
          expect(answer.body.graph).toEqual(whole.body.graph)
          continue
        }
        expect(answer.body.graph).toBeUndefined()
        const delta = answer.body.graphChanges as GraphDelta
        if (filters.namespaces === undefined && filters.labels === undefined) expect(delta.edges.length).toBeLessThan(whole.body.graph.edges.length)
        expect(sorted(applyGraphDelta(held, delta))).toEqual(sorted(whole.body.graph))
      }
      // another version than the server's: the whole graph
      const stale = await postJson(server, '/api/whatif', { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml }], port, level: 'workload', since: 7 })
      expect(stale.body.graph).toEqual(expected)
    }
  })

  test('at class level with namespaces collapsed, the graph after keeps the namespaces the page opened', async () => {
    const { graphChange, parseGraphOptions } = await import('../../report/index.js')
    const { loadManifests } = await import('../../io/load-manifests.js')
    const { parsePolicy } = await import('../../model/parse-policy.js')
    const before = (await loadManifests(['examples/three-tier/'])).cluster
    const policy = parsePolicy(parse(EDITED))
    if (!policy.ok) throw new Error('bad test policy')
    const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`
    const after = { ...before, policies: [...before.policies.filter((p) => p.name !== 'postgres-from-api'), policy.value].sort((a, b) => (key(a) < key(b) ? -1 : 1)) }
    const options = parseGraphOptions({ port: '5432/TCP', level: 'class', collapse: 'true', open: ['backend', 'database'] })
    if (!options.ok) throw new Error(options.error.message)
    const change = { changes: [{ op: 'edit', policy: 'database/postgres-from-api', yaml: EDITED }], port: '5432/TCP', level: 'class', collapse: true, open: ['database', 'backend'] }
    const whole = await postJson(server, '/api/whatif', change)
    expect(whole.body.graph).toEqual(JSON.parse(JSON.stringify(graphChange(before, after, { ...options.value, maxEdges: 20_000 }))))
    expect(whole.body.graph.collapsed).toEqual(['frontend', 'kube-system', 'monitoring'])
    expect(whole.body.graph.edges.filter((e: { change?: string }) => e.change === 'closed').length).toBeGreaterThan(0)
    // asked with the version of that graph: only what differs from it
    const held = (await getJson(server, '/api/graph?port=5432/TCP&level=class&collapse=true&open=database&open=backend')) as GraphReport
    const answer = await postJson(server, '/api/whatif', { ...change, since: 1 })
    expect(answer.body.graph).toBeUndefined()
    expect(sorted(applyGraphDelta(held, answer.body.graphChanges as GraphDelta))).toEqual(sorted(whole.body.graph))
  })
})

/** A graph with its lists in id order (a graph made again from a delta lists its additions last). */
const sorted = (g: GraphReport) => {
  const byId = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { ...g, groups: byId(g.groups), nodes: byId(g.nodes), edges: byId(g.edges) }
}
