/**
 * The prober of one source, run inside the source's network namespace:
 *   ip netns exec NS node dist/lab/pod-prober.js < {"sources":[ip…],"timeoutMs":300,"inFlight":64,"targets":[{ip,port,protocol}…]}
 * Prints one JSON line per target, in completion order:
 *   {"i":index,"ip","port","protocol","result":"ok"|"refused"|"timeout"|"error","ms"[,"error"]}
 * Each probe leaves from the source address of the target's family (`sources`), so an external namespace
 * holding several addresses probes from the one asked for. At most `inFlight` probes run at once.
 * TCP and UDP only: Node has no raw sockets, so probeAll sends every SCTP target of every source to one
 * sctp_raw.py process instead (which opens its sockets inside each source's namespace).
 *   TCP: ok = connected (the connection is then reset), refused = RST, timeout = no answer.
 *   UDP: a connected socket sends one datagram; ok = the echo, refused = ICMP port unreachable (seen only
 *        because the socket is connected), timeout = nothing.
 */
import dgram from 'node:dgram'
import net from 'node:net'

type Protocol = 'TCP' | 'UDP'
type Outcome = 'ok' | 'refused' | 'timeout' | 'error'

interface Target {
  ip: string
  port: number
  protocol: Protocol
}

interface ProberSpec {
  sources: string[]
  timeoutMs: number
  inFlight: number
  targets: Target[]
}

interface Attempt {
  result: Outcome
  error?: string
}

const isV6 = (ip: string): boolean => ip.includes(':')

/**
 * Runs `fn` after the event loop's next I/O poll. Timers run before I/O in each turn of the loop, so on a
 * busy machine a probe's timer can expire in the same turn in which its answer is already waiting; this
 * lets that answer win, so that a slow prober does not report a timeout for a reply that arrived in time.
 */
const lastChance = (fn: () => void): void => void setImmediate(fn)

function emit(i: number, t: Target, a: Attempt, ms: number): void {
  process.stdout.write(`${JSON.stringify({ i, ip: t.ip, port: t.port, protocol: t.protocol, result: a.result, ms: Math.round(ms * 1000) / 1000, ...(a.error === undefined ? {} : { error: a.error }) })}\n`)
}

function probeTcp(t: Target, source: string | undefined, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: t.ip, port: t.port, ...(source === undefined ? {} : { localAddress: source }), noDelay: true })
    let settled = false
    const finish = (a: Attempt): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      sock.removeAllListeners()
      sock.on('error', () => {})
      // connected: an RST instead of a FIN (no TIME_WAIT, conntrack forgets the flow at once). Still
      // connecting: destroy closes the socket now; resetAndDestroy would wait for a connect that a
      // dropping rule never lets happen, keeping the prober alive through the kernel's SYN retries.
      if (a.result === 'ok') sock.resetAndDestroy()
      else sock.destroy()
      resolve(a)
    }
    const timer = setTimeout(() => lastChance(() => finish({ result: 'timeout' })), timeoutMs)
    sock.once('connect', () => finish({ result: 'ok' }))
    sock.once('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? { result: 'refused' } : { result: 'error', error: err.code ?? err.message }),
    )
  })
}

const UDP_PAYLOAD = Buffer.from('netpol-lab probe\n')

function probeUdp(t: Target, source: string | undefined, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: isV6(t.ip) ? 'udp6' : 'udp4' })
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const finish = (a: Attempt): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      sock.removeAllListeners()
      sock.on('error', () => {})
      try {
        sock.close()
      } catch {
        // already closed
      }
      resolve(a)
    }
    sock.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? { result: 'refused' } : { result: 'error', error: err.code ?? err.message }),
    )
    sock.on('message', () => finish({ result: 'ok' }))
    sock.bind({ port: 0, ...(source === undefined ? {} : { address: source }) }, () => {
      sock.connect(t.port, t.ip, (err?: Error) => {
        if (err) return finish({ result: 'error', error: (err as NodeJS.ErrnoException).code ?? err.message })
        timer = setTimeout(() => lastChance(() => finish({ result: 'timeout' })), timeoutMs)
        sock.send(UDP_PAYLOAD, (e) => e && finish({ result: 'error', error: (e as NodeJS.ErrnoException).code ?? e.message }))
      })
    })
  })
}

async function main(): Promise<void> {
  let input = ''
  for await (const chunk of process.stdin) input += String(chunk)
  const raw = JSON.parse(input) as Partial<ProberSpec>
  const spec: ProberSpec = {
    sources: raw.sources ?? [],
    timeoutMs: raw.timeoutMs ?? 300,
    inFlight: Math.max(1, raw.inFlight ?? 64),
    targets: raw.targets ?? [],
  }
  const sourceFor = (ip: string): string | undefined | null => {
    if (spec.sources.length === 0) return undefined // let the kernel choose
    return spec.sources.find((s) => isV6(s) === isV6(ip)) ?? null
  }
  const others: { i: number; t: Target }[] = []
  spec.targets.forEach((t, i) => {
    if (net.isIP(t.ip) === 0) emit(i, t, { result: 'error', error: 'not an IP address' }, 0)
    else if (t.protocol !== 'TCP' && t.protocol !== 'UDP') emit(i, t, { result: 'error', error: `pod-prober does not probe ${String(t.protocol)}` }, 0)
    else if (sourceFor(t.ip) === null) emit(i, t, { result: 'error', error: `source has no IPv${isV6(t.ip) ? 6 : 4} address` }, 0)
    else others.push({ i, t })
  })
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < others.length) {
      const { i, t } = others[next++]!
      const src = sourceFor(t.ip) ?? undefined
      const t0 = performance.now()
      const a = t.protocol === 'UDP' ? await probeUdp(t, src, spec.timeoutMs) : await probeTcp(t, src, spec.timeoutMs)
      emit(i, t, a, performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: Math.min(spec.inFlight, others.length) }, worker))
}

main().catch((err: unknown) => {
  process.stderr.write(`pod-prober: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
