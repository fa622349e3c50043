/**
 * The agent's Prometheus metrics and its small HTTP endpoint: `/metrics`, `/healthz` (the process runs) and
 * `/readyz` (a ruleset is in force).
 */
import { createServer, type Server } from 'node:http'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CompiledRuleset } from '../dataplane/compile-policies.js'
import type { AgentEvent } from './loop.js'
import type { FlowLogEntry } from './flow-log.js'

/** What the metrics read of the watchers at each scrape (a subset of io/kube's WatcherStats). */
export interface WatchCounts {
  readonly watchRestarts: number
  readonly relists: number
  readonly objects: number
}

export class AgentMetrics {
  readonly registry = new Registry()
  readonly programming = new Histogram({
    name: 'netpol_agent_programming_seconds',
    help: 'Time nft took to apply one transaction, by kind (full: a new generation; replace; incremental; cleanup: an old generation removed) and result (ok, error)',
    labelNames: ['kind', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })
  readonly ruleset = new Gauge({
    name: 'netpol_agent_ruleset_objects',
    help: 'Size of the ruleset in force: sets, chains, rules, elements, classes, profiles, managed pods',
    labelNames: ['object'] as const,
    registers: [this.registry],
  })
  readonly setElements = new Gauge({
    name: 'netpol_agent_set_elements',
    help: 'Elements of each set and map of the ruleset in force',
    labelNames: ['set'] as const,
    registers: [this.registry],
  })
  readonly syncErrors = new Counter({
    name: 'netpol_agent_sync_errors_total',
    help: 'Failed syncs, by stage (load, compile, apply, cleanup: removing an earlier generation of the rules)',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  })
  readonly lastApplied = new Gauge({
    name: 'netpol_agent_last_applied_timestamp_seconds',
    help: 'When the ruleset in force was applied',
    registers: [this.registry],
  })
  readonly denied = new Counter({
    name: 'netpol_agent_denied_packets_total',
    help: 'Logged packets of new connections the policies deny (enforce mode), by the pod whose side denied them',
    labelNames: ['namespace', 'pod', 'direction'] as const,
    registers: [this.registry],
  })
  readonly audited = new Counter({
    name: 'netpol_agent_audited_packets_total',
    help: 'Logged packets of new connections the policies would deny (audit mode), by the pod whose side would deny them',
    labelNames: ['namespace', 'pod', 'direction'] as const,
    registers: [this.registry],
  })
  readonly tierDenied = new Counter({
    name: 'netpol_agent_tier_denied_packets_total',
    help: 'Logged packets of new connections a cluster policy denies (verdict denied) or would deny (audited), by tier, policy and rule',
    labelNames: ['tier', 'policy', 'rule', 'verdict'] as const,
    registers: [this.registry],
  })

  // ---- the API side (cluster mode): read from the watchers at each scrape, or counted as events arrive ----
  private watchCounts: () => Readonly<Partial<Record<string, WatchCounts>>> = () => ({})
  readonly watchRestarts: Counter<'kind'> = new Counter({
    name: 'netpol_agent_watch_restarts_total',
    help: 'Watches opened again from the last resourceVersion after a stream ended or failed, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: (): void => this.fromWatchers(this.watchRestarts, 'watchRestarts'),
  })
  readonly relists: Counter<'kind'> = new Counter({
    name: 'netpol_agent_relists_total',
    help: 'Lists after the first, by kind: the watch resourceVersion had expired (410 Gone)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: (): void => this.fromWatchers(this.relists, 'relists'),
  })
  readonly objectsCached: Gauge<'kind'> = new Gauge({
    name: 'netpol_agent_objects_cached',
    help: 'API objects held by the watchers, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: (): void => this.fromWatchers(this.objectsCached, 'objects'),
  })
  readonly apiEvents = new Counter({
    name: 'netpol_agent_watch_events_total',
    help: 'Watch events that changed the objects held, by kind and type (ADDED, MODIFIED, DELETED)',
    labelNames: ['kind', 'type'] as const,
    registers: [this.registry],
  })
  readonly apiErrors = new Counter({
    name: 'netpol_agent_api_errors_total',
    help: 'Failed lists and watches, by kind and error (unreachable, forbidden, expired, …); each is retried with backoff',
    labelNames: ['kind', 'code'] as const,
    registers: [this.registry],
  })
  readonly eventLag = new Histogram({
    name: 'netpol_agent_watch_event_lag_seconds',
    help: "How old a change was when its watch event arrived, from the object's timestamps (second precision), by kind",
    labelNames: ['kind'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  })

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'netpol_agent_' })
  }

  /** Counts what the loop reports. */
  event(e: AgentEvent): void {
    switch (e.kind) {
      case 'applied':
        this.programming.observe({ kind: e.tx, result: 'ok' }, e.ms / 1000)
        this.lastApplied.set(Date.now() / 1000)
        break
      case 'apply-failed':
        this.programming.observe({ kind: e.tx, result: 'error' }, 0)
        this.syncErrors.inc({ stage: 'apply' })
        break
      case 'load-failed':
        this.syncErrors.inc({ stage: 'load' })
        break
      case 'compile-failed':
        this.syncErrors.inc({ stage: 'compile' })
        break
      case 'cleaned':
        this.programming.observe({ kind: 'cleanup', result: 'ok' }, e.ms / 1000)
        break
      case 'cleanup-failed':
        this.syncErrors.inc({ stage: 'cleanup' })
        break
      default:
        break
    }
  }

  /** The watchers' counts, read at each scrape (cluster mode). */
  watchers(counts: () => Readonly<Partial<Record<string, WatchCounts>>>): void {
    this.watchCounts = counts
  }

  /** One watch event that changed the objects held; `lagMs` when the object's timestamps tell. */
  watchEvent(kind: string, type: string, lagMs: number | undefined): void {
    this.apiEvents.inc({ kind, type })
    if (lagMs !== undefined) this.eventLag.observe({ kind }, Math.max(0, lagMs) / 1000)
  }

  apiError(kind: string, code: string): void {
    this.apiErrors.inc({ kind, code })
  }

  private fromWatchers(metric: Counter<'kind'> | Gauge<'kind'>, field: keyof WatchCounts): void {
    metric.reset()
    for (const [kind, c] of Object.entries(this.watchCounts())) if (c !== undefined) (metric as Gauge<'kind'>).inc({ kind }, c[field])
  }

  ruleSet(compiled: CompiledRuleset): void {
    const s = compiled.stats
    for (const [object, n] of Object.entries({ sets: s.sets, chains: s.chains, rules: s.rules, elements: s.elements, classes: s.classes, profiles: s.profiles, managed_pods: s.managedPods })) {
      this.ruleset.set({ object }, n)
    }
    this.setElements.reset()
    for (const set of compiled.table.sets) this.setElements.set({ set: set.name }, set.elements.length)
  }

  /** One logged packet (before the flow log's deduplication), counted against the pod whose side denied it. */
  logged(e: FlowLogEntry): void {
    const side = e.direction === 'ingress' ? e.dst : e.src
    const labels = { namespace: side.namespace ?? '', pod: side.pod ?? '', direction: e.direction }
    if (e.verdict === 'denied') this.denied.inc(labels)
    else if (e.verdict === 'audited') this.audited.inc(labels)
    if (e.tier !== undefined && e.verdict !== 'allowed') this.tierDenied.inc({ tier: e.tier, policy: e.policy ?? '', rule: e.rule ?? '', verdict: e.verdict })
  }
}

/** `:9100` → all addresses, port 9100; `127.0.0.1:9100`; `[::1]:9100`. */
export function parseListenAddress(text: string): { host: string | undefined; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text)
  if (!m) return null
  const port = Number(m[3])
  if (port > 65535) return null
  const host = m[1] ?? (m[2] === '' ? undefined : m[2])
  return { host, port }
}

/** Serves the metrics; resolves once listening. `ready()` decides /readyz. */
export function serveMetrics(addr: { host: string | undefined; port: number }, metrics: AgentMetrics, ready: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType })
          res.end(text)
        },
        (err: unknown) => {
          res.writeHead(500)
          res.end(String(err))
        },
      )
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok\n')
    } else if (path === '/readyz') {
      const ok = ready()
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
      res.end(ok ? 'ready\n' : 'no ruleset applied yet\n')
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}
