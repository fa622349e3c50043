/**
 * A FAKE kube-apiserver for tests: HTTPS on 127.0.0.1 with a generated CA, bearer-token and client-certificate
 * authentication, and the real wire format of the resources netpol reads (see resources.ts):
 *
 * - lists `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"…","continue":"…"},"items":[…]}`
 *   whose items carry no kind/apiVersion, sorted by namespace and name as etcd keys are; `limit`/`continue`
 *   served from a snapshot of the first page's resourceVersion; `labelSelector`; `fieldSelector` on
 *   metadata.name, metadata.namespace, spec.nodeName and status.phase;
 * - watches (`?watch=1`): chunked JSON lines `{"type":…,"object":…}` whose objects carry kind/apiVersion; from
 *   resourceVersion N the events after N are replayed from a bounded history, from none or "0" every object
 *   comes first as ADDED; a field- or label-selected watch sees an object that stops matching as DELETED and one
 *   that starts matching as ADDED, as the watch cache does; BOOKMARK events when asked for
 *   (`allowWatchBookmarks=true`) at `bookmark()`; an ERROR event with a 410 Expired Status for a
 *   resourceVersion older than the history;
 * - writes (write-verbs.ts): POST create, PUT replace, DELETE, each a watch event;
 * - Status errors: 401 Unauthorized, 403 Forbidden for a denied resource (see `deny`), 404 for a group that is
 *   not served or an object that does not exist, 410 Expired for a continue token older than the history.
 *
 * One resourceVersion counter serves every resource, as etcd's revision does.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { fakeCerts, type FakeCerts } from './certs.js'
import { apiVersionOf, FAKE_RESOURCES, matchesFields, matchesLabels, POLICY_GROUP, resourceList, type FakeResource, type Obj } from './resources.js'
import { handleWrite, writeVerb } from './write-verbs.js'

export interface FakeApiServerOptions {
  /** the bearer token accepted (default `fake-token`) */
  readonly token?: string
  /** the user a bearer token stands for, in RBAC messages (default `system:serviceaccount:netpol:netpol`) */
  readonly user?: string
  /** how many events each resource keeps for watches to resume from (default 10000) */
  readonly historyLimit?: number
  /** the first resourceVersion (default 1000) */
  readonly initialResourceVersion?: number
  /** the port on 127.0.0.1 (default 0: a free one) */
  readonly port?: number
  /**
   * serve policy.networking.k8s.io (ClusterNetworkPolicy v1alpha2, AdminNetworkPolicy and
   * BaselineAdminNetworkPolicy v1alpha1), as a cluster with sig-network-policy-api's CRDs installed does
   * (default false: the group answers 404, as in most clusters); see also enableGroup
   */
  readonly policyApi?: boolean
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

/** A rule refusing requests on a resource: everywhere, only at cluster scope, or in one namespace. */
export interface DenyRule {
  readonly resource: string
  /** 'all' (default), 'cluster' (cluster-scope requests only) or a namespace */
  readonly scope?: string
  /** the verbs refused (default get, list, watch) */
  readonly verbs?: readonly string[]
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
}

interface HistoryEvent {
  readonly rv: number
  readonly type: EventType
  readonly obj: Obj
  readonly prev?: Obj
}

interface Store {
  readonly res: FakeResource
  readonly objects: Map<string, Obj>
  history: HistoryEvent[]
  /** a watch or continue from before this resourceVersion is too old (410) */
  compactedRv: number
  /** full sorted contents at a resourceVersion, for continue tokens */
  readonly snapshots: Map<number, Obj[]>
}

interface OpenWatch {
  readonly store: Store
  readonly namespace: string | undefined
  readonly labelSelector: string | null
  readonly fieldSelector: string | null
  readonly bookmarks: boolean
  readonly res: ServerResponse
}

const JSON_TYPE = { 'Content-Type': 'application/json' }

export class FakeApiServer {
  readonly token: string
  readonly user: string
  /** every request received, in order (for tests that check what the client asked) */
  readonly requests: RecordedRequest[] = []
  private readonly stores = new Map<string, Store>()
  private readonly watches = new Set<OpenWatch>()
  private readonly sockets = new Set<Socket>()
  private readonly denied: DenyRule[] = []
  private readonly disabledGroups = new Set<string>()
  private readonly historyLimit: number
  private rv: number
  private server: Server | undefined
  private port = 0

  private constructor(readonly certs: FakeCerts, opts: FakeApiServerOptions) {
    this.token = opts.token ?? 'fake-token'
    this.user = opts.user ?? 'system:serviceaccount:netpol:netpol'
    this.historyLimit = opts.historyLimit ?? 10_000
    this.rv = opts.initialResourceVersion ?? 1000
    this.port = opts.port ?? 0
    for (const res of FAKE_RESOURCES) this.stores.set(res.kind, { res, objects: new Map(), history: [], compactedRv: 0, snapshots: new Map() })
    if (!opts.policyApi) this.disabledGroups.add(POLICY_GROUP)
  }

  /** Starts a fake server on 127.0.0.1 on a free port. */
  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(await fakeCerts(), opts)
    await s.listen()
    return s
  }

  /** https://127.0.0.1:PORT */
  get url(): string {
    return `https://127.0.0.1:${this.port}`
  }

  /** The current resourceVersion (of the last change). */
  get resourceVersion(): number {
    return this.rv
  }

  get running(): boolean {
    return this.server !== undefined
  }

  /** The API goes down: the listening socket and every connection (open watches too) are closed at once. */
  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    for (const w of this.watches) w.res.destroy()
    this.watches.clear()
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** The API comes back on the same port, with the same objects. */
  async restart(): Promise<void> {
    if (!this.server) await this.listen()
  }

  /** Stops for good. */
  close(): Promise<void> {
    return this.stop()
  }

  // ---- objects -------------------------------------------------------------------------------------------

  /** Creates or replaces objects (ADDED or MODIFIED); each gets a uid, creationTimestamp and resourceVersion. Returns the stored copies. */
  apply(...objs: Obj[]): Obj[] {
    return objs.map((o) => this.put(o))
  }

  /** Deletes an object (DELETED, carrying the object at the deletion's resourceVersion); false when it did not exist. */
  remove(kind: string, namespace: string | undefined, name: string): boolean {
    const store = this.storeOf(kind)
    const key = keyOf(store.res, namespace, name)
    const prev = store.objects.get(key)
    if (!prev) return false
    store.objects.delete(key)
    const obj = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(++this.rv) } }
    this.record(store, { rv: this.rv, type: 'DELETED', obj, prev })
    return true
  }

  /** The stored object, with kind and apiVersion. */
  get(kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const store = this.storeOf(kind)
    return store.objects.get(keyOf(store.res, namespace, name))
  }

  /** Every stored object of a kind, in list order. */
  all(kind: string): Obj[] {
    return sorted(this.storeOf(kind))
  }

  // ---- behaviour -----------------------------------------------------------------------------------------

  /** Refuses requests matching the rule with 403 Forbidden, as RBAC would. */
  deny(rule: DenyRule): void {
    this.denied.push(rule)
  }

  /** Lifts every denial. */
  allowAll(): void {
    this.denied.length = 0
  }

  /** Stops serving an API group (every path under /apis/GROUP answers 404), or one version of it (`GROUP/VERSION`). */
  disableGroup(group: string): void {
    this.disabledGroups.add(group)
  }

  /** Serves an API group again (or for the first time: policy.networking.k8s.io, as when its CRDs are installed). */
  enableGroup(group: string): void {
    this.disabledGroups.delete(group)
  }

  /** Ends every open watch stream of `kind` (all kinds when omitted) cleanly, as a server-side timeout does. */
  endWatches(kind?: string): void {
    for (const w of [...this.watches]) {
      if (kind !== undefined && w.store.res.kind !== kind) continue
      this.watches.delete(w)
      w.res.end()
    }
  }

  /** Sends a BOOKMARK at the current resourceVersion to every open watch of `kind` that allows bookmarks. */
  bookmark(kind?: string): void {
    for (const w of this.watches) {
      if ((kind !== undefined && w.store.res.kind !== kind) || !w.bookmarks) continue
      const r = w.store.res
      write(w.res, { type: 'BOOKMARK', object: { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(this.rv) } } })
    }
  }

  /**
   * Forgets the history of `kind` (all kinds when omitted): a watch or continue token from before now gets 410
   * Expired. With `expireOpenWatches`, open watches get the ERROR 410 event and end, as when the watch cache
   * falls too far behind.
   */
  compact(kind?: string, opts: { expireOpenWatches?: boolean } = {}): void {
    for (const store of this.stores.values()) {
      if (kind !== undefined && store.res.kind !== kind) continue
      store.compactedRv = this.rv
      store.history = []
      store.snapshots.clear()
    }
    if (!opts.expireOpenWatches) return
    for (const w of [...this.watches]) {
      if (kind !== undefined && w.store.res.kind !== kind) continue
      this.watches.delete(w)
      write(w.res, { type: 'ERROR', object: expiredStatus(`too old resource version: ${this.rv - 1} (${this.rv})`) })
      w.res.end()
    }
  }

  /**
   * Writes `text` as it is to every open watch of `kind`: an ERROR event, a broken line, or part of a line
   * (`newline: false`) to be finished by the next call. Nothing is stored.
   */
  sendRaw(kind: string, text: string, opts: { newline?: boolean } = {}): void {
    for (const w of this.watches) if (w.store.res.kind === kind && !w.res.writableEnded) w.res.write(opts.newline === false ? text : text + '\n')
  }

  /** How many watch streams are open now (of `kind` when given). */
  openWatches(kind?: string): number {
    let n = 0
    for (const w of this.watches) if (kind === undefined || w.store.res.kind === kind) n++
    return n
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const server = createServer(
      { key: this.certs.serverKey, cert: this.certs.serverCert, ca: this.certs.ca, requestCert: true, rejectUnauthorized: false },
      (req, res) => this.handle(req, res),
    )
    server.on('secureConnection', (s: TLSSocket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    server.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as { port: number }).port
    this.server = server
  }

  private storeOf(kind: string): Store {
    const s = this.stores.get(kind)
    if (!s) throw new Error(`the fake API server does not serve ${kind}`)
    return s
  }

  private put(input: Obj): Obj {
    const store = this.storeOf(String(input.kind))
    const res = store.res
    const ns = res.namespaced ? (input.metadata.namespace ?? 'default') : undefined
    const key = keyOf(res, ns, input.metadata.name)
    const prev = store.objects.get(key)
    const metadata = {
      ...input.metadata,
      ...(ns === undefined ? {} : { namespace: ns }),
      uid: prev?.metadata.uid ?? input.metadata.uid ?? randomUUID(),
      creationTimestamp: prev?.metadata.creationTimestamp ?? input.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      resourceVersion: String(++this.rv),
    }
    const obj: Obj = { ...structuredClone(input), kind: res.kind, apiVersion: apiVersionOf(res), metadata }
    store.objects.set(key, obj)
    this.record(store, prev ? { rv: this.rv, type: 'MODIFIED', obj, prev } : { rv: this.rv, type: 'ADDED', obj })
    return obj
  }

  private record(store: Store, ev: HistoryEvent): void {
    store.history.push(ev)
    if (store.history.length > this.historyLimit) {
      const drop = store.history.length - this.historyLimit
      store.compactedRv = store.history[drop - 1]!.rv
      store.history.splice(0, drop)
      for (const rv of store.snapshots.keys()) if (rv < store.compactedRv) store.snapshots.delete(rv)
    }
    for (const w of this.watches) if (w.store === store) this.send(w, ev)
  }

  /** Sends an event to a watch as its filter sees it: a change into or out of the selection is ADDED or DELETED. */
  private send(w: OpenWatch, ev: HistoryEvent): void {
    const now = this.matches(w, ev.obj)
    const before = ev.prev !== undefined && this.matches(w, ev.prev)
    let type: string | undefined
    if (ev.type === 'DELETED') type = before ? 'DELETED' : undefined
    else if (ev.type === 'ADDED') type = now ? 'ADDED' : undefined
    else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined
    if (type !== undefined) write(w.res, { type, object: ev.obj })
  }

  private matches(w: Pick<OpenWatch, 'namespace' | 'labelSelector' | 'fieldSelector'>, obj: Obj): boolean {
    if (w.namespace !== undefined && obj.metadata.namespace !== w.namespace) return false
    return matchesLabels(obj, w.labelSelector) && matchesFields(obj, w.fieldSelector) === true
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://fake')
    const query = Object.fromEntries(url.searchParams)
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query })
    const user = this.authenticate(req)
    if (user === undefined) return status(res, 401, 'Unauthorized', 'Unauthorized')
    const discovery = req.method === 'GET' ? this.discovery(url.pathname) : undefined
    if (discovery !== undefined) {
      res.writeHead(200, JSON_TYPE)
      return void res.end(JSON.stringify(discovery))
    }
    const route = this.route(url.pathname)
    if (route === undefined) return status(res, 404, 'NotFound', 'the server could not find the requested resource')
    const { store, namespace, name } = route
    const r = store.res
    const write = writeVerb(req.method ?? 'GET')
    if (write !== undefined) {
      if (this.isDenied(r.plural, write, namespace)) return this.forbidden(res, user, r, write, namespace, name)
      handleWrite(this, { res: r, ...route }, req, res, status).catch((err: unknown) => {
        if (!res.headersSent) status(res, 500, 'InternalError', String(err))
      })
      return
    }
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the fake API server does not serve ${req.method} (GET, POST, PUT and DELETE only)`)
    const watch = query.watch === '1' || query.watch === 'true'
    const verb = name !== undefined ? 'get' : watch ? 'watch' : 'list'
    if (this.isDenied(r.plural, verb, namespace)) return this.forbidden(res, user, r, verb, namespace, name)
    const labelSelector = url.searchParams.get('labelSelector')
    const fieldSelector = url.searchParams.get('fieldSelector')
    if (fieldSelector && matchesFields({ metadata: { name: '' } }, fieldSelector) === null) {
      return status(res, 400, 'BadRequest', `field label not supported: ${fieldSelector.split(/[!=]/)[0]}`)
    }
    if (name !== undefined) {
      const obj = store.objects.get(keyOf(r, namespace, name))
      if (!obj) return status(res, 404, 'NotFound', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" not found`, { name, ...(r.group ? { group: r.group } : {}), kind: r.plural })
      res.writeHead(200, JSON_TYPE)
      return void res.end(JSON.stringify(obj))
    }
    const filter = { namespace, labelSelector, fieldSelector }
    if (watch) return this.watch(store, filter, query, res)
    return this.list(store, filter, query, res)
  }

  /** 403 Forbidden as RBAC words it. */
  private forbidden(res: ServerResponse, user: string, r: FakeResource, verb: string, namespace: string | undefined, name: string | undefined): void {
    const groupText = `in API group "${r.group}"`
    const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`
    const subject = name !== undefined ? `${r.plural} "${name}"` : r.plural
    const message = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" ${groupText} ${scope}`
    status(res, 403, 'Forbidden', message, { ...(name !== undefined ? { name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.plural })
  }

  private list(store: Store, filter: Pick<OpenWatch, 'namespace' | 'labelSelector' | 'fieldSelector'>, query: Record<string, string>, res: ServerResponse): void {
    const r = store.res
    const limit = query.limit ? Number(query.limit) : 0
    let items: Obj[]
    let atRv = this.rv
    let start = ''
    if (query.continue) {
      const token = decodeContinue(query.continue)
      const snap = token && store.snapshots.get(token.rv)
      if (!token || !snap || token.rv < store.compactedRv) {
        return status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.')
      }
      items = snap
      atRv = token.rv
      start = token.start
    } else {
      items = sorted(store)
    }
    const matching = items.filter((o) => (start === '' || keyOf(r, o.metadata.namespace, o.metadata.name) > start) && this.matches(filter, o))
    const page = limit > 0 ? matching.slice(0, limit) : matching
    const more = limit > 0 && matching.length > limit
    const metadata: Record<string, string | number> = { resourceVersion: String(atRv) }
    if (more) {
      if (!query.continue) store.snapshots.set(atRv, items)
      const last = page[page.length - 1]!
      metadata.continue = encodeContinue(atRv, keyOf(r, last.metadata.namespace, last.metadata.name))
      metadata.remainingItemCount = matching.length - page.length
    }
    res.writeHead(200, JSON_TYPE)
    res.end(JSON.stringify({ kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata, items: page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) }))
  }

  private watch(store: Store, filter: Pick<OpenWatch, 'namespace' | 'labelSelector' | 'fieldSelector'>, query: Record<string, string>, res: ServerResponse): void {
    res.writeHead(200, { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' })
    res.flushHeaders()
    const from = query.resourceVersion
    if (from !== undefined && from !== '' && from !== '0') {
      const n = Number(from)
      if (!Number.isInteger(n) || n < store.compactedRv) {
        write(res, { type: 'ERROR', object: expiredStatus(`too old resource version: ${from} (${store.compactedRv + 1})`) })
        return void res.end()
      }
      const w: OpenWatch = { store, ...filter, bookmarks: query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1', res }
      for (const ev of store.history) if (ev.rv > n) this.send(w, ev)
      this.open(w, query)
      return
    }
    for (const o of sorted(store)) if (this.matches(filter, o)) write(res, { type: 'ADDED', object: o })
    this.open({ store, ...filter, bookmarks: query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1', res }, query)
  }

  private open(w: OpenWatch, query: Record<string, string>): void {
    this.watches.add(w)
    const seconds = query.timeoutSeconds ? Number(query.timeoutSeconds) : 1800
    const timer = setTimeout(() => {
      if (this.watches.delete(w)) w.res.end()
    }, seconds * 1000)
    timer.unref()
    w.res.on('close', () => {
      clearTimeout(timer)
      this.watches.delete(w)
    })
  }

  private authenticate(req: IncomingMessage): string | undefined {
    const auth = req.headers.authorization
    if (auth !== undefined) return auth === `Bearer ${this.token}` ? this.user : undefined
    const socket = req.socket as TLSSocket
    if (socket.authorized) {
      const cn = socket.getPeerCertificate().subject?.CN
      return typeof cn === 'string' ? cn : undefined
    }
    return undefined
  }

  /** The discovery document at `path` (`/api/v1`, `/apis/GROUP/VERSION`) of a served group; undefined for any other path. */
  private discovery(path: string): Record<string, unknown> | undefined {
    const parts = path.split('/').filter((p) => p !== '')
    if (parts[0] === 'api' && parts.length === 2) return resourceList('', parts[1]!)
    if (parts[0] === 'apis' && parts.length === 3 && !this.isDisabled(parts[1]!, parts[2]!)) return resourceList(parts[1]!, parts[2]!)
    return undefined
  }

  private route(path: string): { store: Store; namespace?: string; name?: string } | undefined {
    const parts = path.split('/').filter((p) => p !== '')
    let group: string
    let version: string
    let rest: string[]
    if (parts[0] === 'api') {
      group = ''
      version = parts[1] ?? ''
      rest = parts.slice(2)
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? ''
      version = parts[2] ?? ''
      rest = parts.slice(3)
      if (this.isDisabled(group, version)) return undefined
    } else return undefined
    const find = (plural: string | undefined) => FAKE_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural)
    let namespace: string | undefined
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1]
      rest = rest.slice(2)
    }
    const res = find(rest[0])
    if (!res || rest.length > 2 || (namespace !== undefined && !res.namespaced)) return undefined
    const store = this.stores.get(res.kind)!
    return { store, ...(namespace === undefined ? {} : { namespace }), ...(rest[1] === undefined ? {} : { name: rest[1] }) }
  }

  private isDisabled(group: string, version: string): boolean {
    return this.disabledGroups.has(group) || this.disabledGroups.has(`${group}/${version}`)
  }

  private isDenied(resource: string, verb: string, namespace: string | undefined): boolean {
    return this.denied.some((d) => {
      if (d.resource !== resource) return false
      if (d.verbs && !d.verbs.includes(verb)) return false
      const scope = d.scope ?? 'all'
      return scope === 'all' || (scope === 'cluster' ? namespace === undefined : namespace === scope)
    })
  }
}

function keyOf(r: FakeResource, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${namespace ?? 'default'}/${name}` : name
}

function sorted(store: Store): Obj[] {
  return [...store.objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o)
}

function write(res: ServerResponse, event: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(event) + '\n')
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, string>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code }
}

function expiredStatus(message: string): Record<string, unknown> {
  return statusBody(410, 'Expired', message)
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, string>): void {
  res.writeHead(code, JSON_TYPE)
  res.end(JSON.stringify(statusBody(code, reason, message, details)))
}

/** A continue token as the API server makes one: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":KEY}`. */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${start}\u0000` })).toString('base64url')
}

function decodeContinue(token: string): { rv: number; start: string } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown }
    if (typeof t.rv !== 'number' || typeof t.start !== 'string') return undefined
    return { rv: t.rv, start: t.start.replace(/\u0000$/, '') }
  } catch {
    return undefined
  }
}
