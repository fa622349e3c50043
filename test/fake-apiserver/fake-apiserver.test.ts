/** The fake API server's wire format, checked with plain node:https (not netpol's client). */
import { request } from 'node:https'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FakeApiServer } from './fake-apiserver.js'

let fake: FakeApiServer

beforeAll(async () => {
  fake = await FakeApiServer.start({ historyLimit: 5 })
})
afterAll(() => fake.close())

function get(path: string, token: string | null = fake.token): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${token}` }
    const r = request(fake.url + path, { ca: fake.certs.ca, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    r.on('error', reject)
    r.end()
  })
}

const pod = (ns: string, name: string, nodeName = 'n1') => ({ kind: 'Pod', metadata: { namespace: ns, name, labels: { app: name } }, spec: { nodeName } })

describe('fake API server', () => {
  test('lists pages items without kind/apiVersion, sorted, with continue and resourceVersion', async () => {
    fake.apply(pod('b', 'p2'), pod('a', 'p1'), pod('a', 'p3'))
    const first = JSON.parse((await get('/api/v1/pods?limit=2')).body)
    expect(first.kind).toBe('PodList')
    expect(first.apiVersion).toBe('v1')
    expect(first.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['p1', 'p3'])
    expect(first.items[0].kind).toBeUndefined()
    expect(first.metadata.remainingItemCount).toBe(1)
    fake.apply(pod('a', 'p0')) // after the first page: not in this list
    const second = JSON.parse((await get(`/api/v1/pods?limit=2&continue=${first.metadata.continue}`)).body)
    expect(second.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['p2'])
    expect(second.metadata.continue).toBeUndefined()
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion)
  })

  test('namespaced path, field and label selectors, single GET', async () => {
    const ns = JSON.parse((await get('/api/v1/namespaces/a/pods?fieldSelector=spec.nodeName%3Dn1&labelSelector=app%3Dp1')).body)
    expect(ns.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['p1'])
    const one = JSON.parse((await get('/api/v1/namespaces/a/pods/p1')).body)
    expect(one.kind).toBe('Pod')
    expect((await get('/api/v1/namespaces/a/pods/nope')).status).toBe(404)
  })

  test('Status errors: 401, 403, 404 for a group not served', async () => {
    const unauth = await get('/api/v1/pods', 'wrong')
    expect(unauth.status).toBe(401)
    expect(JSON.parse(unauth.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 })
    expect((await get('/api/v1/pods', null)).status).toBe(401)
    fake.deny({ resource: 'pods', scope: 'cluster' })
    const denied = await get('/api/v1/pods')
    expect(denied.status).toBe(403)
    expect(JSON.parse(denied.body)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, details: { kind: 'pods' },
      message: 'pods is forbidden: User "system:serviceaccount:netpol:netpol" cannot list resource "pods" in API group "" at the cluster scope',
    })
    expect((await get('/api/v1/namespaces/a/pods')).status).toBe(200)
    fake.allowAll()
    fake.disableGroup('batch')
    const missing = await get('/apis/batch/v1/jobs')
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 })
  })

  test('a continue token older than the history is 410 Expired', async () => {
    const first = JSON.parse((await get('/api/v1/pods?limit=1')).body)
    fake.compact('Pod')
    const r = await get(`/api/v1/pods?limit=1&continue=${first.metadata.continue}`)
    expect(r.status).toBe(410)
    expect(JSON.parse(r.body)).toMatchObject({ reason: 'Expired', code: 410 })
  })

  test('a watch from a resourceVersion older than the history gets an ERROR 410 event', async () => {
    const r = await get('/api/v1/pods?watch=1&resourceVersion=1')
    expect(r.status).toBe(200)
    const ev = JSON.parse(r.body.trim())
    expect(ev.type).toBe('ERROR')
    expect(ev.object).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 })
  })
})
