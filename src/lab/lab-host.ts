import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { LabError, firstLine, mapLimit, mustRun, nodeCommand, nodeEntryArgs, projectRoot, pythonCommand, run, sctpHelperPath, spawn } from './lab-exec.js'
import { LAB_BRIDGE, LAB_NETNS_PREFIXES, LAB_POD_IFACE, type LabEndpoint, type LabPlan, type LabRoute } from './lab-plan.js'
import {
  LAB_LOG_DIR,
  listNetns,
  pidsInNetns,
  procStartTime,
  readLabState,
  removeLabState,
  terminate,
  writeLabState,
  type LabProcess,
  type LabState,
} from './lab-state.js'

/**
 * The lab on the host: `labUp` builds what a LabPlan describes, `labDown` removes every trace of any lab,
 * `labStatus` reports what exists. All commands run through execFile/spawn with argument vectors; `ip`
 * batches only ever contain names derived from hashes and canonical addresses, never user text.
 * Nothing here touches the root namespace's interfaces, routes or nftables: all of it lives in the
 * node, pod and external namespaces.
 */

export interface LabUpOptions {
  /** how long a server may take to report it is listening (default 15 s) */
  readonly readyTimeoutMs?: number
  /** called after each step with its duration, for progress output and measurements */
  readonly onStep?: (step: string, ms: number) => void
}

/**
 * Kernel settings of the node namespace. bridge-nf-call-* is already 1 in a new namespace on this
 * kernel (see the dataplane facts); it is written anyway so that bridged pod↔pod traffic is certain to
 * pass the `inet` forward hook, and writing it fails loudly where br_netfilter is missing.
 */
const NODE_SYSCTLS = [
  'net.ipv4.ip_forward=1',
  'net.ipv6.conf.all.forwarding=1',
  'net.bridge.bridge-nf-call-iptables=1',
  'net.bridge.bridge-nf-call-ip6tables=1',
]

/**
 * Kernel settings of pod and external namespaces: no DAD (IPv6 addresses usable at once; addresses are
 * also added `nodad`), and no ICMP rate limit, or a prober sending many UDP probes to closed ports of one
 * pod would see only the first few "port unreachable" answers and report the rest as timeouts.
 */
const ENDPOINT_SYSCTLS = [
  'net.ipv4.icmp_ratelimit=0',
  'net.ipv4.icmp_msgs_per_sec=1000000',
  'net.ipv4.icmp_msgs_burst=1000000',
  'net.ipv6.icmp.ratelimit=0',
  'net.ipv6.conf.all.accept_dad=0',
  'net.ipv6.conf.default.accept_dad=0',
  `net.ipv6.conf.${LAB_POD_IFACE}.accept_dad=0`,
]

/** `ip -batch` takes no per-line options such as -6: the family follows from the addresses. */
const routeLine = (r: LabRoute, dev: string): string =>
  `route replace ${r.dst === 'default' ? (r.family === 6 ? '::/0' : '0.0.0.0/0') : r.dst}${r.via === null ? '' : ` via ${r.via}`} dev ${dev}`

/**
 * Neighbour entries are written in advance, permanent, for every lab address. Neighbour tables are shared
 * by all namespaces of the host and capped by the root namespace's gc_thresh3 (1024 by default): with ARP,
 * 50 pods probing each other need 2,450 entries and the rest of the probes silently time out. Permanent
 * entries are exempt from that cap, and nothing is learned or resolved while probing.
 */
function neighbourLines(plan: LabPlan, self: LabEndpoint | null, dev: string): string[] {
  const families = new Set(self === null ? [4, 6] : self.addresses.map((a) => a.family))
  const lines: string[] = []
  const add = (ip: string, family: number, mac: string): void => {
    if (families.has(family)) lines.push(`neigh replace ${ip} lladdr ${mac} dev ${dev} nud permanent`)
  }
  if (self !== null) for (const g of plan.gateways) add(g.ip, g.family, plan.bridgeMac)
  for (const ep of endpoints(plan)) {
    if (ep === self) continue
    for (const a of ep.addresses) add(a.ip, a.family, ep.mac)
  }
  return lines
}

function nodeBatch(plan: LabPlan): string {
  const lines = [
    'link set dev lo up',
    `link add name ${LAB_BRIDGE} address ${plan.bridgeMac} type bridge mcast_snooping 0`,
    ...plan.gateways.map((g) => `addr add ${g.ip}/${g.prefix} dev ${LAB_BRIDGE}${g.family === 6 ? ' nodad' : ''}`),
    `link set dev ${LAB_BRIDGE} up`,
  ]
  for (const ep of endpoints(plan)) {
    lines.push(`link add name ${ep.hostVeth} type veth peer name ${LAB_POD_IFACE} address ${ep.mac} netns ${ep.netns}`)
    lines.push(`link set dev ${ep.hostVeth} master ${LAB_BRIDGE} up`)
  }
  for (const r of plan.nodeRoutes) lines.push(routeLine(r, LAB_BRIDGE))
  lines.push(...neighbourLines(plan, null, LAB_BRIDGE))
  return lines.join('\n') + '\n'
}

function endpointBatch(plan: LabPlan, ep: LabEndpoint): string {
  const lines = ['link set dev lo up']
  for (const a of ep.addresses) lines.push(`addr add ${a.ip}/${a.prefix} dev ${LAB_POD_IFACE}${a.family === 6 ? ' nodad' : ''}`)
  lines.push(`link set dev ${LAB_POD_IFACE} up`)
  for (const r of ep.routes) lines.push(routeLine(r, LAB_POD_IFACE))
  lines.push(...neighbourLines(plan, ep, LAB_POD_IFACE))
  return lines.join('\n') + '\n'
}

const endpoints = (plan: LabPlan): LabEndpoint[] => [...plan.pods, ...(plan.external === null ? [] : [plan.external])]

/** Every namespace of the plan, node first. */
export const planNamespaces = (plan: LabPlan): string[] => [plan.nodeNetns, ...endpoints(plan).map((e) => e.netns)]

async function timed<T>(step: string, opts: LabUpOptions, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  const r = await fn()
  opts.onStep?.(step, performance.now() - t0)
  return r
}

/**
 * Builds the lab of `plan`: namespaces, bridge, veths, addresses and routes, then starts one pod-server
 * per namespace with TCP/UDP ports and the lab's SCTP responder, and resolves when all of them listen.
 * Any lab that already exists is removed first. On failure the partial lab is removed and a LabError is
 * thrown, carrying the failing command's or server's stderr. While the lab runs, the servers' stderr is in
 * /run/netpol-lab/logs/.
 */
export async function labUp(plan: LabPlan, opts: LabUpOptions = {}): Promise<void> {
  await timed('down (previous lab)', opts, () => labDown())
  const namespaces = planNamespaces(plan)
  const state: LabState = { version: 1, createdAt: new Date().toISOString(), phase: 'up', namespaces, processes: [], plan }
  // written before anything exists, so that a crash from here on is still cleaned up by labDown
  await writeLabState(state)
  try {
    await timed('namespaces', opts, () => mustRun('create namespaces', 'ip', ['-batch', '-'], namespaces.map((n) => `netns add ${n}\n`).join('')))
    await timed('node namespace', opts, async () => {
      await mustRun('configure node namespace', 'ip', ['-n', plan.nodeNetns, '-batch', '-'], nodeBatch(plan))
      await mustRun('node namespace sysctls (is br_netfilter available?)', 'ip', ['netns', 'exec', plan.nodeNetns, 'sysctl', '-q', '-w', ...NODE_SYSCTLS])
    })
    await timed('pod namespaces', opts, () =>
      mapLimit(endpoints(plan), Math.max(4, 2 * availableParallelism()), async (ep) => {
        await mustRun(`configure ${ep.netns}`, 'ip', ['-n', ep.netns, '-batch', '-'], endpointBatch(plan, ep))
        await mustRun(`sysctls of ${ep.netns}`, 'ip', ['netns', 'exec', ep.netns, 'sysctl', '-q', '-w', ...ENDPOINT_SYSCTLS])
      }),
    )
    const processes = await timed('servers', opts, () => startServers(plan, opts.readyTimeoutMs ?? 15_000, state))
    await writeLabState({ ...state, phase: 'ready', processes })
  } catch (err) {
    await labDown()
    throw err
  }
}

async function startServers(plan: LabPlan, readyTimeoutMs: number, state: LabState): Promise<LabProcess[]> {
  mkdirSync(LAB_LOG_DIR, { recursive: true })
  const started: LabProcess[] = []
  const record = async (pid: number | undefined, netns: string, role: LabProcess['role']): Promise<void> => {
    if (pid === undefined) return
    started.push({ pid, startTime: (await procStartTime(pid)) ?? '', netns, role })
  }
  const launch = async (netns: string, role: LabProcess['role'], command: string, args: string[], stdin: string | null): Promise<void> => {
    const logFile = `${LAB_LOG_DIR}/${role === 'sctp-responder' ? 'sctp-responder' : netns}.log`
    const log = openSync(logFile, 'w')
    // detached: the servers outlive the process that ran labUp, each leading its own process group
    const child = spawn(command, args, { detached: true, cwd: projectRoot, stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', log] })
    closeSync(log)
    const ready = firstLine(child, readyTimeoutMs, `${role} in ${netns}`)
    ready.catch(() => {})
    await record(child.pid, netns, role)
    if (stdin !== null) {
      child.stdin?.on('error', () => {})
      child.stdin?.end(stdin)
    }
    try {
      const line = await ready
      let ok = false
      try {
        ok = (JSON.parse(line) as { ready?: unknown }).ready === true
      } catch {
        // not the readiness line
      }
      if (!ok) throw new LabError(`${role} in ${netns}`, line)
    } catch (err) {
      const stderr = readFileSync(logFile, 'utf8').slice(-4000)
      throw err instanceof LabError ? new LabError(err.step, err.detail, stderr) : err
    } finally {
      child.stdout?.destroy()
      child.unref()
    }
  }
  const jobs: Promise<void>[] = []
  if (plan.sctp.namespaces.length > 0) {
    jobs.push(launch(plan.nodeNetns, 'sctp-responder', pythonCommand(), [sctpHelperPath(), 'serve'], JSON.stringify(plan.sctp)))
  }
  // node start-up is CPU-bound: a few at a time per core is as fast as all at once, and gentler
  const serverArgs = await nodeEntryArgs('pod-server')
  const servers = mapLimit(plan.servers, Math.max(2, 2 * availableParallelism()), (s) =>
    launch(s.netns, 'pod-server', 'ip', ['netns', 'exec', s.netns, nodeCommand, ...serverArgs, '--spec', JSON.stringify(s)], null),
  )
  const results = await Promise.allSettled([...jobs, servers.then(() => undefined)])
  // record the PIDs even on failure, so that labDown finds them without scanning
  await writeLabState({ ...state, processes: started })
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return started
}

export interface LabDownReport {
  readonly namespaces: readonly string[]
  readonly killed: number
}

/**
 * Removes every lab namespace (names starting with npl- or netpol-lab-) and ends every lab process:
 * those in the state file (checked against their start time, so a reused PID is left alone) and any
 * process living in a lab namespace. Works without the state file, after a crash, and when nothing exists.
 */
export async function labDown(): Promise<LabDownReport> {
  const state = await readLabState()
  const present = await listNetns(LAB_NETNS_PREFIXES)
  const pids = new Set<number>()
  for (const p of state?.processes ?? []) {
    const st = await procStartTime(p.pid)
    if (st !== null && st === p.startTime) pids.add(p.pid)
  }
  for (const pid of (await pidsInNetns(present)).keys()) pids.add(pid)
  await terminate([...pids])
  if (present.length > 0) {
    await run('ip', ['-force', '-batch', '-'], present.map((n) => `netns del ${n}\n`).join(''))
    const left = await listNetns(LAB_NETNS_PREFIXES)
    for (const n of left) await mustRun('delete namespace', 'ip', ['netns', 'del', n])
  }
  await removeLabState()
  return { namespaces: present, killed: pids.size }
}

export interface LabStatus {
  readonly state: LabState | null
  /** lab namespaces that exist */
  readonly namespaces: readonly string[]
  readonly processes: readonly (LabProcess & { readonly alive: boolean })[]
  /** the lab is up, every planned namespace exists and every process runs */
  readonly healthy: boolean
}

export async function labStatus(): Promise<LabStatus> {
  const state = await readLabState()
  const namespaces = await listNetns(LAB_NETNS_PREFIXES)
  const processes = await Promise.all((state?.processes ?? []).map(async (p) => ({ ...p, alive: (await procStartTime(p.pid)) === p.startTime })))
  const have = new Set(namespaces)
  const healthy = state !== null && state.phase === 'ready' && state.namespaces.every((n) => have.has(n)) && processes.every((p) => p.alive)
  return { state, namespaces, processes, healthy }
}
