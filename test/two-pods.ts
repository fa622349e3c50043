/**
 * Two pods behind a routing node, each a network namespace on a veth pair, with a TCP echo server in the first:
 * enough to see a ruleset in the node decide real connections. Root only; the namespaces are named after
 * `prefix` and this process, so test files running at once do not meet.
 */
import { execFileSync, type ChildProcess } from 'node:child_process'
import { sleep, startEchoServer } from './lab-traffic.js'

const sh = (...argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

// one connection attempt from inside a namespace: OK, REFUSED, TIMEOUT or ERROR
const PROBE = `
import socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
s.settimeout(0.5)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print('OK')
except ConnectionRefusedError: print('REFUSED')
except socket.timeout: print('TIMEOUT')
except OSError as e: print('ERROR', e)
`

export interface TwoPods {
  /** the routing node's namespace (where the ruleset goes), the server pod's (10.244.0.5), the client pod's (10.244.0.7) */
  readonly node: string
  readonly a: string
  readonly b: string
  /** one connection from namespace `from` to `ip`:`port` */
  probe(from: string, ip: string, port: number): string
  /** builds the namespaces and waits until a connection to the server on 5432 succeeds */
  up(): Promise<void>
  down(): void
}

/** The server listens on 5432 and 5433 in `a`. */
export function twoPods(prefix: string): TwoPods {
  const node = `${prefix}n${process.pid}`
  const a = `${prefix}a${process.pid}`
  const b = `${prefix}b${process.pid}`
  let server: ChildProcess | undefined
  const probe = (from: string, ip: string, port: number): string => sh('ip', 'netns', 'exec', from, 'python3', '-c', PROBE, ip, String(port)).trim()
  const wire = (pod: string, ifname: string, ip: string) => {
    sh('ip', 'link', 'add', ifname, 'netns', node, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod)
    sh('ip', '-n', node, 'addr', 'add', '10.244.0.1/32', 'dev', ifname)
    sh('ip', '-n', node, 'link', 'set', ifname, 'up')
    sh('ip', '-n', node, 'route', 'add', `${ip}/32`, 'dev', ifname)
    sh('ip', '-n', pod, 'addr', 'add', `${ip}/24`, 'dev', 'eth0')
    sh('ip', '-n', pod, 'link', 'set', 'eth0', 'up')
    sh('ip', '-n', pod, 'link', 'set', 'lo', 'up')
    // the node answers ARP for the other pod's address, at once, and routes between them
    sh('ip', 'netns', 'exec', node, 'sysctl', '-qw', `net.ipv4.conf.${ifname}.proxy_arp=1`, `net.ipv4.neigh.${ifname}.proxy_delay=0`)
  }
  return {
    node,
    a,
    b,
    probe,
    async up() {
      for (const ns of [node, a, b]) sh('ip', 'netns', 'add', ns)
      sh('ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
      wire(a, 'va', '10.244.0.5')
      wire(b, 'vb', '10.244.0.7')
      server = startEchoServer(a, [5432, 5433])
      for (let i = 0; i < 50 && probe(b, '10.244.0.5', 5432) !== 'OK'; i++) await sleep(100)
    },
    down() {
      server?.kill()
      for (const ns of [node, a, b]) sh('ip', 'netns', 'del', ns)
    },
  }
}
