/**
 * A Service's virtual addresses as endpoints. "ClusterIP is the IP address of the service ... It is a
 * virtual IP: traffic to it is translated to the address of one of the Service's endpoints" (ServiceSpec), and
 * NetworkPolicy is evaluated on the translated connection: a connection to `clusterIP:port` is the connection
 * to `svc/NS/NAME:port`, i.e. to a backing pod on the targetPort. The same holds for `spec.externalIPs`, which
 * the nodes translate as they do the clusterIP.
 */
import type { Cluster, Service } from '../model/cluster.js'
import { parseIp, type IpAddress } from '../model/ip.js'

/** One virtual address of a Service and the field it comes from. */
export interface ServiceAddress {
  readonly service: Service
  readonly ip: IpAddress
  readonly field: 'clusterIP' | 'externalIP'
}

/**
 * An address endpoint as typed: `ADDR`, `ADDR:PORT` for IPv4 or `[ADDR]:PORT` for IPv6 (a bare IPv6
 * address is never read as having a port). `port` is the text after the colon, unchecked. Null when `input`
 * is not an address.
 */
export function splitAddressPort(input: string): { ip: IpAddress; port: string | null } | null {
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(input)
  if (v6) {
    const ip = parseIp(v6[1]!)
    return ip !== null && ip.family === 6 ? { ip, port: v6[2] ?? null } : null
  }
  const whole = parseIp(input)
  if (whole !== null) return { ip: whole, port: null }
  const colon = input.lastIndexOf(':')
  if (colon < 0 || input.indexOf(':') !== colon) return null
  const ip = parseIp(input.slice(0, colon))
  return ip !== null && ip.family === 4 ? { ip, port: input.slice(colon + 1) } : null
}

/** The Service whose clusterIP(s) or externalIPs include `ip`, if any (clusterIPs first). */
export function serviceAtAddress(cluster: Cluster, ip: IpAddress): ServiceAddress | null {
  const same = (a: IpAddress) => a.family === ip.family && a.value === ip.value
  for (const field of ['clusterIP', 'externalIP'] as const) {
    for (const service of cluster.services) {
      const found = (field === 'clusterIP' ? service.clusterIPs : service.externalIPs)?.find(same)
      if (found) return { service, ip: found, field }
    }
  }
  return null
}

/** How a user writes `ip` with a port: `10.96.0.10:PORT`, `[fd00::10]:PORT`. */
export const withPort = (ip: IpAddress, port: string | number): string => (ip.family === 6 ? `[${ip.text}]:${port}` : `${ip.text}:${port}`)
