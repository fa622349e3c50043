/** The fake API server's write verbs on the wire, with plain node:https: status codes, bodies, watch events. */
import { request } from 'node:https'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FakeApiServer } from './fake-apiserver.js'

let fake: FakeApiServer

beforeAll(async () => {
  fake = await FakeApiServer.start()
})
afterAll(() => fake.close())

type Reply = { status: number; body: Record<string, any> }

function call(method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = request(fake.url + path, { method, ca: fake.certs.ca, headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
    })
    r.on('error', reject)
    r.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body))
  })
}

/** Opens a watch and collects its events until `stop()`. */
function watch(path: string): { events: { type: string; object: Record<string, any> }[]; stop: () => void } {
  const events: { type: string; object: Record<string, any> }[] = []
  let buf = ''
  const r = request(fake.url + path, { ca: fake.certs.ca, headers: { Authorization: `Bearer ${fake.token}` } }, (res) => {
    res.setEncoding('utf8')
    res.on('data', (c: string) => {
      buf += c
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)))
        buf = buf.slice(i + 1)
      }
    })
  })
  r.on('error', () => {})
  r.end()
  return { events, stop: () => r.destroy() }
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
}

const NP = '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies'
const policy = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, ...extra },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
})

describe('fake API server: write verbs', () => {
  test('POST creates (201, the stored object, an ADDED event); again is 409 AlreadyExists', async () => {
    const w = watch(`${NP}?watch=1&resourceVersion=${fake.resourceVersion}`)
    await until(() => fake.openWatches('NetworkPolicy') > 0)
    const created = await call('POST', NP, policy('deny'))
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'deny', namespace: 'shop' } })
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.body.metadata.resourceVersion).toBe(String(fake.resourceVersion))
    await until(() => w.events.length > 0)
    expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'deny']])
    const again = await call('POST', NP, policy('deny'))
    expect(again).toEqual({
      status: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'networkpolicies.networking.k8s.io "deny" already exists',
        reason: 'AlreadyExists',
        details: { name: 'deny', group: 'networking.k8s.io', kind: 'networkpolicies' },
        code: 409,
      },
    })
    w.stop()
  })

  test('PUT replaces (200, MODIFIED); a stale resourceVersion is 409 Conflict; a missing object 404', async () => {
    const before = fake.get('NetworkPolicy', 'shop', 'deny')!
    const w = watch(`${NP}?watch=1&resourceVersion=${fake.resourceVersion}`)
    await until(() => fake.openWatches('NetworkPolicy') > 0)
    const changed = { ...policy('deny'), spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] } }
    const put = await call('PUT', `${NP}/deny`, changed)
    expect(put.status).toBe(200)
    expect(put.body.metadata.uid).toBe(before.metadata.uid)
    expect(put.body.spec.podSelector).toEqual({ matchLabels: { app: 'db' } })
    await until(() => w.events.length > 0)
    expect(w.events.map((e) => [e.type, e.object.spec.podSelector])).toEqual([['MODIFIED', { matchLabels: { app: 'db' } }]])
    w.stop()
    const stale = await call('PUT', `${NP}/deny`, policy('deny', { resourceVersion: before.metadata.resourceVersion }))
    expect([stale.status, stale.body.reason]).toEqual([409, 'Conflict'])
    const missing = await call('PUT', `${NP}/nope`, policy('nope'))
    expect([missing.status, missing.body.reason, missing.body.message]).toEqual([404, 'NotFound', 'networkpolicies.networking.k8s.io "nope" not found'])
  })

  test('DELETE answers a Success Status naming the object and sends DELETED; again is 404', async () => {
    const uid = fake.get('NetworkPolicy', 'shop', 'deny')!.metadata.uid
    const w = watch(`${NP}?watch=1&resourceVersion=${fake.resourceVersion}`)
    await until(() => fake.openWatches('NetworkPolicy') > 0)
    const del = await call('DELETE', `${NP}/deny`)
    expect(del).toEqual({
      status: 200,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'deny', group: 'networking.k8s.io', kind: 'networkpolicies', uid } },
    })
    await until(() => w.events.length > 0)
    expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['DELETED', 'deny']])
    w.stop()
    expect((await call('DELETE', `${NP}/deny`)).status).toBe(404)
    expect(fake.get('NetworkPolicy', 'shop', 'deny')).toBeUndefined()
  })

  test.each([
    { name: 'a body that is not JSON', path: NP, body: 'kind: NetworkPolicy', status: 400, reason: 'BadRequest' },
    { name: 'another namespace in the body', path: NP, body: policy('x', { namespace: 'other' }), status: 400, reason: 'BadRequest' },
    { name: 'another kind in the body', path: NP, body: { ...policy('x'), kind: 'Pod' }, status: 400, reason: 'BadRequest' },
    { name: 'no name', path: NP, body: { ...policy('x'), metadata: {} }, status: 422, reason: 'Invalid' },
    { name: 'PUT of another name', path: `${NP}/y`, method: 'PUT', body: policy('x'), status: 400, reason: 'BadRequest' },
  ])('$name: $status $reason', async ({ path, body, status, reason, method }) => {
    const r = await call(method ?? 'POST', path, body)
    expect([r.status, r.body.kind, r.body.reason]).toEqual([status, 'Status', reason])
  })

  test('a denied create is 403 with RBAC wording', async () => {
    fake.deny({ resource: 'networkpolicies', verbs: ['create'] })
    try {
      const r = await call('POST', NP, policy('z'))
      expect([r.status, r.body.message]).toEqual([
        403,
        'networkpolicies is forbidden: User "system:serviceaccount:netpol:netpol" cannot create resource "networkpolicies" in API group "networking.k8s.io" in the namespace "shop"',
      ])
    } finally {
      fake.allowAll()
    }
  })
})
