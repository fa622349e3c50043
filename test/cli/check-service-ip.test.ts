import { describe, expect, test } from 'vitest'
import { runCli } from './cli-harness.js'

const EX = 'examples/three-tier'

// NetworkPolicy is evaluated after the Service's virtual address is translated to a backend pod: a connection to a
// clusterIP (or an externalIP) is checked as the same connection to svc/NS/NAME:PORT.
describe('netpol check --to a Service address', () => {
  test('a clusterIP with the service port resolves as svc/NS/NAME:PORT, and says so', async () => {
    const byIp = await runCli(['check', '-f', EX, '--from', '203.0.113.7', '--to', '10.96.12.80:80'])
    expect(byIp.err).toBe('')
    expect(byIp.code).toBe(0)
    expect(byIp.out).toContain('203.0.113.7 → frontend/web-7d9  port 8080/TCP  via svc/frontend/web:80 (clusterIP 10.96.12.80, targetPort http)')
    expect(byIp.out).toContain('203.0.113.7 → frontend/web-8f2  port 8080/TCP')
    const bySvc = await runCli(['check', '-f', EX, '--from', '203.0.113.7', '--to', 'svc/frontend/web:80'])
    expect(byIp.out.replace(/clusterIP 10\.96\.12\.80, /g, '')).toBe(bySvc.out)
  })

  test('--port names the service port of a clusterIP given without one', async () => {
    const r = await runCli(['check', '-f', EX, '--from', 'frontend/web-7d9', '--to', '10.96.30.54', '--port', '5432'])
    expect(r.code).toBe(1)
    expect(r.out).toContain('DENIED  frontend/web-7d9 → database/postgres-0  port 5432/TCP  via svc/database/postgres:5432 (clusterIP 10.96.30.54, targetPort 5432)')
  })

  test('--port with a protocol picks that service port', async () => {
    const r = await runCli(['check', '-f', EX, '--from', 'backend/api-5c4', '--to', '10.96.0.10', '--port', '53/TCP'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('backend/api-5c4 → kube-system/coredns-5d78c  port 53/TCP  via svc/kube-system/kube-dns:53 (clusterIP 10.96.0.10, targetPort dns-tcp)')
  })

  test('an externalIP resolves the same way', async () => {
    const r = await runCli(['check', '-f', EX, '--from', '203.0.113.7', '--to', '198.51.100.80:80'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('via svc/frontend/web:80 (externalIP 198.51.100.80, targetPort http)')
  })

  test('-o json names the Service and the address', async () => {
    const r = await runCli(['check', '-f', EX, '--from', '203.0.113.7', '--to', '10.96.12.80:80', '-o', 'json'])
    const j = JSON.parse(r.out)
    expect(j.results).toHaveLength(2)
    expect(j.results[0]).toMatchObject({
      from: '203.0.113.7',
      to: 'frontend/web-7d9',
      toIp: '10.244.1.10',
      port: 8080,
      via: 'via svc/frontend/web:80 (clusterIP 10.96.12.80, targetPort http)',
      serviceAddress: { ip: '10.96.12.80', field: 'clusterIP', service: 'frontend/web', port: 80, protocol: 'TCP' },
      allowed: true,
    })
  })

  test('an IPv6 clusterIP as [addr]:port, checked over IPv6', async () => {
    const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.1.5, podIPs: [{ip: 10.244.1.5}, {ip: 'fd00:244::5'}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  clusterIP: 'fd00:96::50'
  clusterIPs: ['fd00:96::50', 10.96.0.50]
  ports: [{port: 80, targetPort: http}]
`
    const r = await runCli(['check', '-f', '-', '--from', 'fd00:1::7', '--to', '[fd00:96::50]:80'], manifests)
    expect(r.err).toBe('')
    expect(r.out).toContain('fd00:1::7 → shop/web-1  port 8080/TCP  via svc/shop/web:80 (clusterIP fd00:96::50, targetPort http)  (fd00:1::7 → fd00:244::5)')
    const v4 = await runCli(['check', '-f', '-', '--from', 'shop/web-1', '--to', '10.96.0.50:80'], manifests)
    expect(v4.out).toContain('(10.244.1.5 → 10.244.1.5)')
  })

  test.each([
    { name: 'a clusterIP as --from', args: ['--from', '10.96.12.80', '--to', 'backend/api-5c4', '--port', '8080'], err: /--from 10\.96\.12\.80 is the clusterIP of svc\/frontend\/web: a Service's virtual address is never the source of a connection/ },
    { name: 'a clusterIP with a port as --from', args: ['--from', '10.96.12.80:80', '--to', 'backend/api-5c4', '--port', '8080'], err: /never the source of a connection/ },
    { name: 'a multi-port Service without a port', args: ['--from', 'backend/api-5c4', '--to', '10.96.0.10'], err: /10\.96\.0\.10 is the clusterIP of svc\/kube-system\/kube-dns, which has several ports: 53\/UDP \(dns\), 53\/TCP \(dns-tcp\); name one \(10\.96\.0\.10:PORT\) or give --port/ },
    { name: 'svc/ of a multi-port Service without a port lists them too', args: ['--from', 'backend/api-5c4', '--to', 'svc/kube-system/kube-dns'], err: /several ports: 53\/UDP \(dns\), 53\/TCP \(dns-tcp\)/ },
    { name: 'a port the Service does not have', args: ['--from', 'backend/api-5c4', '--to', '10.96.20.15:81'], err: /has no port "81" \(it has 80 \(http\)\)/ },
    { name: '--port the Service does not have', args: ['--from', 'backend/api-5c4', '--to', '10.96.20.15', '--port', '8080'], err: /svc\/backend\/api has no port 8080\/TCP \(it has 80\/TCP \(http\)\)/ },
    { name: 'a :PORT and a different --port', args: ['--from', 'backend/api-5c4', '--to', '10.96.20.15:80', '--port', '81'], err: /give the service port once/ },
    { name: 'a :PORT on an address that is no Service\'s', args: ['--from', 'backend/api-5c4', '--to', '10.1.2.3:80'], err: /"10\.1\.2\.3:80": 10\.1\.2\.3 is no Service's clusterIP or externalIP in the input; a :PORT suffix is only for those \(give --port\)/ },
  ])('exit 2: $name', async ({ args, err }) => {
    const r = await runCli(['check', '-f', EX, ...args])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(err)
    expect(r.out).toBe('')
  })
})
