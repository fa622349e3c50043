/**
 * The FAKE API server's write verbs, as a client (kubectl create/replace/delete, curl) uses them:
 *
 * - POST   /…/namespaces/NS/PLURAL        create: 201 with the stored object; 409 AlreadyExists Status when it exists;
 * - PUT    /…/namespaces/NS/PLURAL/NAME   replace: 200 with the stored object; 404 NotFound when it does not exist
 *                                         (NetworkPolicy, Pod and the rest do not allow create on update); 409
 *                                         Conflict when metadata.resourceVersion is given and is not the stored one;
 * - DELETE /…/namespaces/NS/PLURAL/NAME   200 with a Success Status naming the object (details name/group/kind/uid);
 *                                         404 NotFound when it does not exist.
 *
 * A body is JSON (kubectl sends JSON); its kind/apiVersion, when given, must be the resource's, its namespace
 * the URL's, its name (PUT) the URL's: otherwise 400 BadRequest, as the API server answers. Each write is a
 * watch event (ADDED, MODIFIED, DELETED) for the open watches, through the fake's own apply/remove.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { apiVersionOf, type FakeResource, type Obj } from './resources.js'

/** What the write verbs need of the fake: its objects, through the same methods the tests use. */
export interface WritableStore {
  apply(...objs: Obj[]): Obj[]
  remove(kind: string, namespace: string | undefined, name: string): boolean
  get(kind: string, namespace: string | undefined, name: string): Obj | undefined
}

export type StatusWriter = (res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, string>) => void

/** The RBAC verb of a write request. */
export function writeVerb(method: string): 'create' | 'update' | 'delete' | undefined {
  return method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : undefined
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

const qualified = (r: FakeResource) => `${r.plural}${r.group ? `.${r.group}` : ''}`
const detailsOf = (r: FakeResource, name: string): Record<string, string> => ({ name, ...(r.group ? { group: r.group } : {}), kind: r.plural })

/** Handles POST, PUT and DELETE on a route the fake resolved (`name` absent for a collection). */
export async function handleWrite(
  fake: WritableStore,
  route: { res: FakeResource; namespace?: string; name?: string },
  req: IncomingMessage,
  res: ServerResponse,
  status: StatusWriter,
): Promise<void> {
  const { res: r, namespace, name } = route
  const method = req.method ?? ''
  if (r.namespaced && namespace === undefined && method !== 'DELETE') {
    // a namespaced object is created or replaced under /namespaces/NS/… only
    return status(res, 404, 'NotFound', 'the server could not find the requested resource')
  }
  if (method === 'DELETE') {
    if (name === undefined) return status(res, 405, 'MethodNotAllowed', 'the fake API server does not delete collections')
    const prev = fake.get(r.kind, namespace, name)
    if (!prev || !fake.remove(r.kind, namespace, name)) return status(res, 404, 'NotFound', `${qualified(r)} "${name}" not found`, detailsOf(r, name))
    res.writeHead(200, { 'Content-Type': 'application/json' })
    return void res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...detailsOf(r, name), uid: String(prev.metadata.uid) } }))
  }
  let obj: Obj
  try {
    const parsed = JSON.parse(await readBody(req)) as unknown
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
    obj = parsed as Obj
  } catch (err) {
    return status(res, 400, 'BadRequest', `the body of the request was in an unknown format: expected a JSON object (${(err as Error).message})`)
  }
  const meta = obj.metadata
  if (meta === null || typeof meta !== 'object' || typeof meta.name !== 'string' || meta.name === '') {
    return status(res, 422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: r.plural, ...(r.group ? { group: r.group } : {}) })
  }
  if ((obj.kind !== undefined && obj.kind !== r.kind) || (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(r))) {
    return status(res, 400, 'BadRequest', `the API version in the data (${obj.apiVersion}) and kind (${obj.kind}) do not match the request: ${apiVersionOf(r)} ${r.kind}`)
  }
  if (r.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
    return status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')
  }
  const input: Obj = { ...obj, kind: r.kind, apiVersion: apiVersionOf(r), metadata: { ...meta, ...(r.namespaced ? { namespace: namespace! } : {}) } }
  if (method === 'POST') {
    if (name !== undefined) return status(res, 405, 'MethodNotAllowed', 'POST creates in a collection: leave the name out of the path')
    if (fake.get(r.kind, namespace, meta.name)) return status(res, 409, 'AlreadyExists', `${qualified(r)} "${meta.name}" already exists`, detailsOf(r, meta.name))
    const { resourceVersion: _rv, uid: _uid, ...fresh } = input.metadata
    const [stored] = fake.apply({ ...input, metadata: fresh })
    res.writeHead(201, { 'Content-Type': 'application/json' })
    return void res.end(JSON.stringify(stored))
  }
  // PUT
  if (name === undefined) return status(res, 405, 'MethodNotAllowed', 'PUT replaces one object: name it in the path')
  if (meta.name !== name) return status(res, 400, 'BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${name})`)
  const prev = fake.get(r.kind, namespace, name)
  if (!prev) return status(res, 404, 'NotFound', `${qualified(r)} "${name}" not found`, detailsOf(r, name))
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== prev.metadata.resourceVersion) {
    return status(
      res,
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      detailsOf(r, name),
    )
  }
  const [stored] = fake.apply(input)
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(stored))
}
