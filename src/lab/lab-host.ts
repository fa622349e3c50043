import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { LabError, firstLine, mapLimit, mustRun, nodeCommand, nodeEntryArgs, projectRoot, pythonCommand, run, sctpHelperPath, spawn } from './lab-exec.js'
import { LAB_BRIDGE, LAB_EXT_HOST_MAC, LAB_EXT_VETH, LAB_POD_IFACE, type LabEndpoint, type LabPlan, type LabRoute } from './lab-plan.js'
import { labNames, type LabNames } from './lab-names.js'
import {
  claimLabState,
  labLiveness,
  listNetns,
  logDir,
  pidsInNetns,
  procStartTime,
  readLabState,
  removeLabState,
  runs,
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
  /** called when a stale lab of the same name is in the way, before it is removed */
  readonly onStale?: (stale: LabState, why: string) => void
}

/** A lab of this name is up and live (its owner or its servers run): `labUp` changes nothing. */
export class LabBusyError extends Error {
  override name = 'LabBusyError'
  constructor(
    readonly lab: string,
    readonly pid: number | null,
    readonly since: string,
  ) {
    const named = lab === labNames().name
    super(
      `a lab${named ? '' : ` named ${lab}`} is already up (pid ${pid ?? 'unknown'}, since ${since}); \`netpol lab down${named ? '' : ` --name ${lab}`}\` or ${named ? '' : 'another '}\`--name\``,
    )
  }
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
  `route replace ${r.dst === 'default' ? (r.family === 6 ? '::/0' : '0.0.0.0/0') : r.dst}${r.via === null ? '' : ` via ${r.via}`} dev ${r.dev ?? dev}${r.onlink ? ' onlink' : ''}`

/**
 * Neighbour entries are written in advance, permanent, for every lab address. Neighbour tables are shared
 * by all namespaces of the host and capped by the root namespace's gc_thresh3 (1024 by default): with ARP,
 * 50 pods probing each other need 2,450 entries and the rest of the probes silently time out. Permanent
 * entries are exempt from that cap, and nothing is learned or resolved while probing.
 */
function neighbourLines(plan: LabPlan, self: LabEndpoint | null, dev: string): string[] {
  const families = new Set(self === null ? [4, 6] : self.addresses.map((a) => a.family))
  const lines: string[] = []
  const add = (ip: string, family: number, mac: string, on = dev): void => {
    if (families.has(family)) lines.push(`neigh replace ${ip} lladdr ${mac} dev ${on} nud permanent`)
  }
  const ext = plan.external
  // the external namespace is routed: it knows only its gateway (the node's end of its veth), and only the node knows it
  if (self !== null && self === ext) {
    for (const g of plan.gateways) add(g.ip, g.family, LAB_EXT_HOST_MAC)
    return lines
  }
  if (self !== null) for (const g of plan.gateways) add(g.ip, g.family, plan.bridgeMac)
  for (const ep of plan.pods) {
    if (ep === self) continue
    for (const a of ep.addresses) add(a.ip, a.family, ep.mac)
  }
  if (self === null && ext !== null) for (const a of ext.addresses) add(a.ip, a.family, ext.mac, LAB_EXT_VETH)
  return lines
}

function nodeBatch(plan: LabPlan): string {
  const lines = [
    'link set dev lo up',
    `link add name ${LAB_BRIDGE} address ${plan.bridgeMac} type bridge mcast_snooping 0`,
    ...plan.gateways.map((g) => `addr add ${g.ip}/${g.prefix} dev ${LAB_BRIDGE}${g.family === 6 ? ' nodad' : ''}`),
    // hostNetwork pods' addresses: the node's own, reached through the gateways
    ...(plan.nodeAddresses ?? []).map((g) => `addr add ${g.ip}/${g.prefix} dev ${LAB_BRIDGE}${g.family === 6 ? ' nodad' : ''}`),
    `link set dev ${LAB_BRIDGE} up`,
  ]
  for (const ep of plan.pods) {
    lines.push(`link add name ${ep.hostVeth} type veth peer name ${LAB_POD_IFACE} address ${ep.mac} netns ${ep.netns}`)
    lines.push(`link set dev ${ep.hostVeth} master ${LAB_BRIDGE} up`)
  }
  const ext = plan.external
  if (ext !== null) {
    lines.push(`link add name ${ext.hostVeth} address ${LAB_EXT_HOST_MAC} type veth peer name ${LAB_POD_IFACE} address ${ext.mac} netns ${ext.netns}`)
    lines.push(`link set dev ${ext.hostVeth} up`)
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
 * A live lab of the same name is left alone: LabBusyError, nothing changed. A stale one (lab-state.ts) is
 * removed first. On failure the partial lab is removed and a LabError is thrown, carrying the failing
 * command's or server's stderr. While the lab runs, the servers' stderr is in RUNDIR/logs/.
 */
export async function labUp(plan: LabPlan, opts: LabUpOptions = {}): Promise<void> {
  const lab = labNames(plan.name)
  const namespaces = planNamespaces(plan)
  const owner = { pid: process.pid, startTime: (await procStartTime(process.pid)) ?? '' }
  const state: LabState = { version: 1, createdAt: new Date().toISOString(), phase: 'up', namespaces, processes: [], plan, owner }
  // written before anything exists, so that a crash from here on is still cleaned up by labDown
  await timed('claim', opts, () => claim(lab, state, opts))
  try {
    // namespaces of this lab's prefix without a state file: a lab whose state was lost
    await timed('leftovers', opts, () => removeObjects(lab, null))
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
    const processes = await timed('servers', opts, () => startServers(plan, opts.readyTimeoutMs ?? 15_000, state, lab))
    await writeLabState({ ...state, phase: 'ready', processes }, lab)
  } catch (err) {
    await labDown(lab.name)
    throw err
  }
}

/** Makes `state` the lab's state file: at once when there is none, after removing a stale lab, never over a live one. */
async function claim(lab: LabNames, state: LabState, opts: LabUpOptions): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await claimLabState(state, lab)) return
    const existing = await readLabState(lab)
    const live = existing === null ? null : await labLiveness(existing)
    // this very process brought it up (a library caller, a test): replaced, as a lab always was
    const ours = existing?.owner?.pid === process.pid && existing.owner.startTime === state.owner?.startTime
    if (existing !== null && live?.kind === 'live' && !ours) throw new LabBusyError(lab.name, existing.owner?.pid ?? null, existing.createdAt)
    if (attempt >= 5) throw new LabError('claim the lab', `the state file ${lab.runDir}/state.json keeps coming back`)
    if (existing !== null && live?.kind === 'stale' && !ours) opts.onStale?.(existing, live.why)
    // removed only if it is still the very state judged stale (another process may have replaced it meanwhile)
    const again = await readLabState(lab)
    if ((again?.createdAt ?? null) === (existing?.createdAt ?? null)) await labDown(lab.name)
  }
}

async function startServers(plan: LabPlan, readyTimeoutMs: number, state: LabState, lab: LabNames): Promise<LabProcess[]> {
  const LAB_LOG_DIR = logDir(lab)
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
  await writeLabState({ ...state, processes: started }, lab)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return started
}

export interface LabDownReport {
  readonly namespaces: readonly string[]
  readonly killed: number
}

/**
 * Removes every namespace of lab `name` (lab-names.ts: for the default lab, names starting with npl- or
 * netpol-lab-) and ends every process of it: those in the state file (checked against their start time,
 * so a reused PID is left alone) and any process living in one of its namespaces. Works without the state
 * file, after a crash, and when nothing exists. Another lab's namespaces never match.
 */
export async function labDown(name?: string): Promise<LabDownReport> {
  const lab = labNames(name)
  const state = await readLabState(lab)
  const report = await removeObjects(lab, state)
  await removeLabState(lab)
  return report
}

/** Ends the lab's processes and deletes its namespaces; the state file stays. */
async function removeObjects(lab: LabNames, state: LabState | null): Promise<LabDownReport> {
  const present = await listNetns(lab.netnsPrefixes)
  const pids = new Set<number>()
  for (const p of state?.processes ?? []) {
    const st = await procStartTime(p.pid)
    if (st !== null && st === p.startTime) pids.add(p.pid)
  }
  for (const pid of (await pidsInNetns(present)).keys()) pids.add(pid)
  await terminate([...pids])
  if (present.length > 0) {
    await run('ip', ['-force', '-batch', '-'], present.map((n) => `netns del ${n}\n`).join(''))
    const left = await listNetns(lab.netnsPrefixes)
    for (const n of left) await mustRun('delete namespace', 'ip', ['netns', 'del', n])
  }
  return { namespaces: present, killed: pids.size }
}

export interface LabStatus {
  readonly state: LabState | null
  /** namespaces of this lab that exist */
  readonly namespaces: readonly string[]
  readonly processes: readonly (LabProcess & { readonly alive: boolean })[]
  /** the lab is up, every planned namespace exists and every process runs */
  readonly healthy: boolean
}

export async function labStatus(name?: string): Promise<LabStatus> {
  const lab = labNames(name)
  const state = await readLabState(lab)
  const namespaces = await listNetns(lab.netnsPrefixes)
  const processes = await Promise.all((state?.processes ?? []).map(async (p) => ({ ...p, alive: await runs(p) })))
  const have = new Set(namespaces)
  const healthy = state !== null && state.phase === 'ready' && state.namespaces.every((n) => have.has(n)) && processes.every((p) => p.alive)
  return { state, namespaces, processes, healthy }
}
