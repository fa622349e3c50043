/**
 * The servers of one lab pod, run inside the pod's network namespace:
 *   ip netns exec NS node dist/lab/pod-server.js --spec '{"addresses":[…],"tcp":[…],"udp":[…],"banner":"…"}'
 * TCP: accept, write the banner, close. UDP: echo every datagram to its sender. Every port is bound on each
 * listed address separately, so a reply always leaves from the address the request was sent to (a
 * namespace holding several addresses would otherwise answer from its primary one).
 * Prints {"ready":true,"listeners":N} on stdout once every socket is bound, then nothing more; exits 1 with
 * {"ready":false,"error":…} if a socket cannot be bound. SCTP is served by sctp_raw.py, not here.
 */
import dgram from 'node:dgram'
import net from 'node:net'

interface ServerSpec {
  addresses: string[]
  tcp: number[]
  udp: number[]
  banner: string
}

function parseArgs(argv: readonly string[]): ServerSpec {
  const i = argv.indexOf('--spec')
  const raw = i >= 0 ? argv[i + 1] : undefined
  if (raw === undefined) throw new Error('usage: pod-server --spec JSON')
  const s = JSON.parse(raw) as Partial<ServerSpec>
  return { addresses: s.addresses ?? [], tcp: s.tcp ?? [], udp: s.udp ?? [], banner: s.banner ?? 'netpol-lab\n' }
}

function listenTcp(address: string, port: number, banner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((sock) => {
      sock.on('error', () => {})
      sock.end(banner)
    })
    server.once('error', reject)
    server.listen({ host: address, port, exclusive: true, backlog: 1024 }, () => {
      server.off('error', reject)
      server.on('error', (err) => process.stderr.write(`tcp ${address}:${port}: ${err.message}\n`))
      resolve()
    })
  })
}

function listenUdp(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' })
    sock.once('error', reject)
    sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address))
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', reject)
      sock.on('error', (err) => process.stderr.write(`udp ${address}:${port}: ${err.message}\n`))
      resolve()
    })
  })
}

async function main(): Promise<void> {
  const spec = parseArgs(process.argv.slice(2))
  const jobs: Promise<void>[] = []
  for (const address of spec.addresses) {
    for (const port of spec.tcp) jobs.push(listenTcp(address, port, spec.banner))
    for (const port of spec.udp) jobs.push(listenUdp(address, port))
  }
  await Promise.all(jobs)
  process.stdout.write(`${JSON.stringify({ ready: true, listeners: jobs.length })}\n`)
  process.on('SIGTERM', () => process.exit(0))
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ ready: false, error: err instanceof Error ? err.message : String(err) })}\n`)
  process.exit(1)
})
