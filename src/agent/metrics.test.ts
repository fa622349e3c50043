import { describe, expect, test } from 'vitest'
import { cluster, pod, policy } from '../../test/builders.js'
import { compilePolicies } from '../dataplane/compile-policies.js'
import { AgentMetrics, parseListenAddress, serveMetrics } from './metrics.js'

describe('parseListenAddress', () => {
  test.each([
    { input: ':9100', want: { host: undefined, port: 9100 } },
    { input: '127.0.0.1:9100', want: { host: '127.0.0.1', port: 9100 } },
    { input: '[::1]:9100', want: { host: '::1', port: 9100 } },
    { input: '9100', want: null },
    { input: ':99999', want: null },
  ])('$input', ({ input, want }) => expect(parseListenAddress(input)).toEqual(want))
})

describe('the endpoint', () => {
  test('/metrics, /healthz and /readyz', async () => {
    const m = new AgentMetrics({ processMetrics: false })
    let ready = false
    const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, m, () => ready)
    const port = (server.address() as { port: number }).port
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`)
      return { status: r.status, body: await r.text() }
    }
    try {
      expect((await get('/healthz')).status).toBe(200)
      expect((await get('/readyz')).status).toBe(503)
      ready = true
      expect((await get('/readyz')).status).toBe(200)
      const compiled = compilePolicies(cluster({ pods: [pod('a/p', {}, { ips: ['10.244.0.5'] })], policies: [policy('a', 'deny')] }), { managed: () => true, mode: 'enforce', table: 'netpol' })
      m.ruleSet(compiled)
      m.event({ kind: 'applied', tx: 'full', ms: 12, size: { elementsAdded: 1, elementsDeleted: 0, chainsAdded: 1, chainsChanged: 0, chainsDeleted: 0, setsFlushed: 0, setsDeleted: 0 }, stats: compiled.stats })
      m.event({ kind: 'apply-failed', tx: 'incremental', error: 'x', retryInMs: 0 })
      m.logged({ time: '', verdict: 'denied', direction: 'ingress', protocol: 'TCP', port: 80, src: { ip: '10.0.0.1' }, dst: { ip: '10.244.0.5', namespace: 'a', pod: 'p' }, reason: '' })
      const body = (await get('/metrics')).body
      expect(body).toContain('netpol_agent_programming_seconds_count{kind="full",result="ok"} 1')
      expect(body).toContain('netpol_agent_sync_errors_total{stage="apply"} 1')
      expect(body).toContain('netpol_agent_ruleset_objects{object="managed_pods"} 1')
      expect(body).toContain('netpol_agent_set_elements{set="in4"} 1')
      expect(body).toContain('netpol_agent_denied_packets_total{namespace="a",pod="p",direction="ingress"} 1')
      m.logged({ time: '', verdict: 'audited', direction: 'egress', protocol: 'TCP', port: 80, src: { ip: '10.244.0.5', namespace: 'a', pod: 'p' }, dst: { ip: '10.0.0.1' }, reason: '', tier: 'Admin', policy: 'cnp/no-out', rule: 'egress[0]' })
      expect((await get('/metrics')).body).toContain('netpol_agent_tier_denied_packets_total{tier="Admin",policy="cnp/no-out",rule="egress[0]",verdict="audited"} 1')
      // the API side, in cluster mode
      let restarts = 2
      m.watchers(() => ({ Pod: { watchRestarts: restarts, relists: 1, objects: 40 }, NetworkPolicy: { watchRestarts: 0, relists: 0, objects: 3 } }))
      m.watchEvent('Pod', 'MODIFIED', 1500)
      m.apiError('Pod', 'unreachable')
      const api = (await get('/metrics')).body
      expect(api).toContain('netpol_agent_watch_restarts_total{kind="Pod"} 2')
      expect(api).toContain('netpol_agent_relists_total{kind="Pod"} 1')
      expect(api).toContain('netpol_agent_objects_cached{kind="NetworkPolicy"} 3')
      expect(api).toContain('netpol_agent_watch_events_total{kind="Pod",type="MODIFIED"} 1')
      expect(api).toContain('netpol_agent_api_errors_total{kind="Pod",code="unreachable"} 1')
      expect(api).toContain('netpol_agent_watch_event_lag_seconds_bucket{le="2",kind="Pod"} 1')
      restarts = 3
      expect((await get('/metrics')).body).toContain('netpol_agent_watch_restarts_total{kind="Pod"} 3')
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
