/**
 * `netpol lab up | probe | down | run`: the manifests' cluster as network namespaces with real servers, the
 * nftables agent enforcing its policies, and real connections compared with the engine's prediction.
 * Read → plan → host (src/lab) → compare (pure) → render.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Cluster } from '../../model/cluster.js'
import type { ManifestDoc } from '../../model/documents.js'
import { parseCidr, type Family } from '../../model/ip.js'
import { indexCluster } from '../../engine/cluster-index.js'
import { computeReachability } from '../../analysis/reachability.js'
import { matrixPorts } from '../../analysis/matrix-ports.js'
import { compareLab, labProbeCells, measuredReachability, type LabMeasurement } from '../../analysis/lab-compare.js'
import type { HostPodInput } from '../../lab/lab-plan.js'
import { policySelects } from '../../engine/select.js'
import { formatRef } from '../../model/policy.js'
import { LAB_NODE_NETNS, LabBusyError, LabError, labDown, labNames, labStatus, labUp, probeAll, type LabNames, type LabPodInput, type ProbeTarget } from '../../lab/index.js'
import { labOf, labTools, requireRoot, requireLabTools, type LabNameOption } from './lab-prerequisites.js'
import { labLiveness, readLabState } from '../../lab/lab-state.js'
import { projectRoot, run } from '../../lab/lab-exec.js'
import type { AgentMode } from '../../dataplane/compile-policies.js'
import { parsePortArg } from '../args.js'
import { ExitError, UsageError, writer, type CliIO } from '../io.js'
export { labTools } from './lab-prerequisites.js'
import { loadClusterOrExit, loadInputOrExit } from '../load.js'
import { liveOf } from '../shown-namespaces.js'
import { policyDocuments, renderLabManifests } from '../render/lab-manifests.js'
import { renderLabUp } from '../render/lab-up.js'
import { clusterInLab, liveInputOf, livePods, noAddressNote, startLiveAgent, type LiveInput } from './lab-live.js'
import { writeLabTable } from '../render/lab-table.js'
import { renderLabDiff } from '../render/lab-diff.js'
import { outsideProbes, outsideUpLine, parseExternals, planWithOutside } from './lab-outside.js'
import type { OutsideMeasurement } from '../../analysis/lab-outside.js'
import { writeLabJson } from '../render/lab-json.js'
import { renderOutsideDiff, writeOutsideTable } from '../render/lab-outside.js'

export interface LabUpOptions extends LabNameOption {
  filename: string[]
  podCidr: string[]
  /** false with --no-agent */
  agent: boolean
  mode: AgentMode
  /** with no -f: build the lab from the pods of this kubeconfig's cluster (only when given: see readLabInput) */
  kubeconfig?: string
  context?: string
  /** --external: outside hosts besides those of the policies' ipBlocks */
  external?: string[]
  /** false with --no-outside: only the --external hosts */
  outside?: boolean
}

export interface LabProbeOptions extends LabNameOption {
  port: string[]
  output: 'table' | 'json'
  timeoutMs: string
  family?: '4' | '6'
}

export type LabRunOptions = LabUpOptions & LabProbeOptions

/** Where `lab up` leaves what `lab probe` needs, beside the lab runtime's own state (removed with it). */
export const labCliDir = (lab: LabNames): string => join(lab.runDir, 'cli')
const recordFile = (lab: LabNames) => join(labCliDir(lab), 'input.json')
export const labManifestsFile = (lab: LabNames): string => join(labCliDir(lab), 'manifests.yaml')
/** the default lab's */
export const LAB_CLI_DIR = labCliDir(labNames())
export const LAB_MANIFESTS_FILE = labManifestsFile(labNames())

/** Written by `lab up` once the lab is ready; `labCreatedAt` ties it to that lab. */
interface LabRecord {
  readonly version: 1
  readonly labCreatedAt: string
  /** the -f paths as given, made absolute */
  readonly files: readonly string[]
  /** the manifests the lab runs on (LAB_MANIFESTS_FILE) */
  readonly manifests: string
  /** the agent's mode, or null when the lab runs without one */
  readonly agent: AgentMode | null
  /** a live lab (lab-live.ts): its agent follows this cluster, and `lab probe` reads it */
  readonly live?: LiveInput
}

/** The CLI entry point as node arguments: the compiled file, or the source through tsx. */
export function cliEntryArgs(): string[] {
  if (import.meta.url.endsWith('.ts')) return ['--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))]
  return [fileURLToPath(new URL('../main.js', import.meta.url))]
}

/** A host failure (a command of the lab runtime, the agent) as one error message; exit 2. */
function hostFailure(io: CliIO, err: unknown): never {
  if (err instanceof LabBusyError) {
    io.stderr.write(`error: ${err.message}\n`)
    throw new ExitError(2)
  }
  if (err instanceof LabError || err instanceof AgentError) {
    io.stderr.write(`error: lab: ${err.message}\n`)
    throw new ExitError(2)
  }
  throw err
}

/** The cluster's hostNetwork pods with their ports: in the lab they are the node (lab-plan.ts `hostPods`). */
export function labHostPods(cluster: Cluster): HostPodInput[] {
  return cluster.pods
    .filter((p) => p.hostNetwork)
    .map((p) => ({ namespace: p.namespace, name: p.name, ports: p.ports.map(({ port, protocol }) => ({ port, protocol })), ...(p.ips.length > 0 ? { ips: p.ips.map((a) => a.text) } : {}) }))
}

/** The lab's pods: every pod of the cluster that has a network of its own, with its addresses and ports. */
export function labPodInputs(cluster: Cluster): LabPodInput[] {
  return cluster.pods
    .filter((p) => !p.hostNetwork)
    .map((p) => ({ namespace: p.namespace, name: p.name, ips: p.ips.map((a) => a.text), ports: p.ports.map(({ port, protocol }) => ({ port, protocol })) }))
}

/** Each hostNetwork pod with the policies that select it. */
function hostPodSummaries(cluster: Cluster): { id: string; selectedBy: string[] }[] {
  return cluster.pods
    .filter((p) => p.hostNetwork)
    .map((p) => ({ id: `${p.namespace}/${p.name}`, selectedBy: cluster.policies.filter((pol) => policySelects(pol, p)).map((pol) => formatRef(pol)) }))
}

function podCidrOptions(texts: readonly string[]): { podCidr4?: string; podCidr6?: string } {
  const out: { podCidr4?: string; podCidr6?: string } = {}
  for (const t of texts) {
    const c = parseCidr(t)
    if (c === null) throw new UsageError(`--pod-cidr "${t}": expected an IPv4 or IPv6 range such as 10.244.0.0/16`)
    const key = c.family === 4 ? 'podCidr4' : 'podCidr6'
    if (out[key] !== undefined) throw new UsageError(`--pod-cidr: one range per address family (got ${out[key]} and ${t})`)
    out[key] = t
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// The agent

export class AgentError extends Error {
  override name = 'AgentError'
}

export interface AgentRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * Runs `netpol agent -f FILES --netns NETNS --all-pods --once --mode MODE` as a child of this CLI (same
 * node, same entry point) and resolves with how it ended; never rejects for a failing agent. `signal`
 * kills it.
 */
export function runAgentOnce(files: readonly string[], mode: AgentMode, opts: { netns?: string; signal?: AbortSignal } = {}): Promise<AgentRun> {
  const args = [...cliEntryArgs(), 'agent', ...files.flatMap((f) => ['-f', f]), '--netns', opts.netns ?? LAB_NODE_NETNS, '--all-pods', '--once', '--mode', mode]
  const t0 = performance.now()
  return new Promise((resolvePromise) => {
    let child: ChildProcess
    try {
      child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (err) {
      resolvePromise({ code: 127, stdout: '', stderr: String(err), ms: 0 })
      return
    }
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    const kill = () => child.kill('SIGTERM')
    opts.signal?.addEventListener('abort', kill, { once: true })
    child.once('error', (err) => (stderr += err.message))
    child.once('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', kill)
      resolvePromise({ code: code ?? (sig === null ? 1 : 128), stdout, stderr, ms: performance.now() - t0 })
    })
  })
}

/** The names of the `inet netpol…` tables in the node namespace (the agent's is `netpol`, by its contract). */
async function netpolTables(nodeNetns: string): Promise<string[]> {
  const r = await run('ip', ['netns', 'exec', nodeNetns, 'nft', 'list', 'tables'])
  return [...r.stdout.matchAll(/^table inet (netpol\S*)$/gm)].map((m) => m[1]!)
}

// ---------------------------------------------------------------------------------------------------------
// up

/**
 * The lab's input, read once: the cluster, and its policies as the user wrote them (from the text kept at load),
 * or as the API server returned them when read from a cluster. A cluster is read only when --kubeconfig or
 * --context is given: a lab of every pod of the current context is not something to build by accident.
 */
export async function readLabInput(opts: Pick<LabUpOptions, 'filename' | 'kubeconfig' | 'context'>, io: CliIO): Promise<{ cluster: Cluster; policyDocs: unknown[] }> {
  const live = opts.kubeconfig !== undefined || opts.context !== undefined ? { live: liveOf(opts) } : {}
  const { cluster, texts } = await loadInputOrExit({ files: opts.filename, keepText: true, ...live }, io)
  const docsOf = (file: string): readonly ManifestDoc[] => texts.documents(file)
  const { docs: policyDocs, missing } = policyDocuments(cluster.policies, docsOf)
  if (missing.length > 0) throw new Error(`policies not found again in their files (changed while reading?): ${missing.join(', ')}`)
  return { cluster, policyDocs }
}

/**
 * Reads the input, builds the lab, writes the lab's manifests, runs the agent, and last writes the record
 * that `lab probe` needs (so a lab whose agent never finished cannot be probed). `say` gets the summary.
 */
async function bringUp(opts: LabUpOptions, io: CliIO, say: (s: string) => void, run: { signal?: AbortSignal; started?: () => void } = {}): Promise<void> {
  const { signal } = run
  const lab = labOf(opts)
  requireRoot(io)
  const cidrs = podCidrOptions(opts.podCidr)
  const given = parseExternals(opts.external ?? [])
  const input = await readLabInput(opts, io)
  const { policyDocs } = input
  // a live lab's agent follows the cluster: only pods with an address from the API (lab-live.ts)
  const live = opts.agent ? liveInputOf(opts) : null
  const { cluster, noAddress } = live === null ? { cluster: input.cluster, noAddress: [] } : livePods(input.cluster)

  const pods = labPodInputs(cluster)
  // the outside hosts serve the ports a probe asks for: those of `lab run --port`, else the matrix's
  const asked = ((opts as Partial<LabProbeOptions>).port ?? []).map(parsePortArg)
  const { plan, hosts } = planWithOutside(cluster, pods, { ...cidrs, name: lab.name, hostPods: labHostPods(cluster) }, { given, fromPolicies: opts.outside !== false, ports: asked.length > 0 ? asked : matrixPorts(cluster) })
  requireLabTools(io, labTools(plan, opts.agent))
  const t0 = performance.now()
  try {
    await labUp(plan, {
      onStale: (stale, why) => io.stderr.write(`note: removing a stale lab (pid ${stale.owner?.pid ?? 'unknown'}, since ${stale.createdAt}): ${why}\n`),
    })
  } catch (err) {
    hostFailure(io, err)
  }
  // from here on the lab is this process's: `lab run` removes it on every way out
  run.started?.()
  const state = (await labStatus(lab.name)).state
  if (state === null) throw new Error('the lab state file is missing right after lab up')

  const addresses = new Map(plan.pods.map((p) => [p.id, p.addresses.map((a) => a.ip)]))
  const LAB_MANIFESTS_FILE = labManifestsFile(lab)
  await mkdir(labCliDir(lab), { recursive: true })
  await writeAtomic(LAB_MANIFESTS_FILE, renderLabManifests(cluster, addresses, policyDocs))
  const record: LabRecord = {
    version: 1,
    labCreatedAt: state.createdAt,
    files: opts.filename.map((f) => (f === '-' ? f : resolve(f))),
    manifests: LAB_MANIFESTS_FILE,
    agent: opts.agent ? opts.mode : null,
    ...(live === null ? {} : { live }),
  }
  say(
    renderLabUp({
      plan,
      pods,
      hostNetwork: hostPodSummaries(cluster),
      ms: performance.now() - t0,
      manifests: LAB_MANIFESTS_FILE,
    }) +
      outsideUpLine(hosts, plan) +
      noAddressNote(noAddress),
  )

  if (signal?.aborted) return
  if (!opts.agent) {
    say('no agent (--no-agent): no policy is enforced, every connection the servers accept is allowed\n')
    await writeAtomic(recordFile(lab), JSON.stringify(record, null, 1) + '\n')
    return
  }
  if (live !== null) {
    const started = await startLiveAgent(lab, plan, live, opts.mode, cliEntryArgs())
    if (signal?.aborted) return
    if (!started.ok) {
      await tearDown(lab)
      hostFailure(io, new AgentError(`the agent failed (${started.tail.split('\n')[0]}); the lab was removed${started.tail.includes('\n') ? `:\n${indent(started.tail.slice(started.tail.indexOf('\n') + 1))}` : ''}`))
    }
    const where = live.context !== undefined ? `context ${live.context}` : `kubeconfig ${live.kubeconfig}`
    say(`agent (${opts.mode}): follows the cluster of ${where} (list+watch); first rules in table inet netpol in ${plan.nodeNetns} after ${(started.ms / 1000).toFixed(1)} s; log ${started.log}\n`)
    await writeAtomic(recordFile(lab), JSON.stringify(record, null, 1) + '\n')
    return
  }
  const agent = await runAgentOnce([LAB_MANIFESTS_FILE], opts.mode, { netns: plan.nodeNetns, ...(signal === undefined ? {} : { signal }) })
  if (signal?.aborted) return
  if (agent.code !== 0) {
    const out = [agent.stderr.trim(), agent.stdout.trim()].filter((s) => s !== '').join('\n')
    // a lab without its rules would only mislead a probe
    await tearDown(lab)
    hostFailure(io, new AgentError(`the agent failed (exit ${agent.code}); the lab was removed${out === '' ? '' : `:\n${indent(out)}`}`))
  }
  say(`agent (${opts.mode}): rules applied to table inet netpol in ${plan.nodeNetns} in ${(agent.ms / 1000).toFixed(1)} s\n`)
  if (!(await netpolTables(plan.nodeNetns)).includes('netpol')) say(`warning: the agent exited 0, but table inet netpol is not in ${plan.nodeNetns}\n`)
  await writeAtomic(recordFile(lab), JSON.stringify(record, null, 1) + '\n')
}

const indent = (s: string) => s.split('\n').map((l) => `  ${l}`).join('\n')

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, file)
}

async function tearDown(lab: LabNames): Promise<{ namespaces: number; killed: number }> {
  const report = await labDown(lab.name)
  await rm(labCliDir(lab), { recursive: true, force: true })
  return { namespaces: report.namespaces.length, killed: report.killed }
}

/** `netpol lab up`. */
export async function labUpCommand(opts: LabUpOptions, io: CliIO): Promise<void> {
  await bringUp(opts, io, (s) => io.stdout.write(s))
}

// ---------------------------------------------------------------------------------------------------------
// probe

async function readRecord(lab: LabNames): Promise<LabRecord | null> {
  try {
    const r = JSON.parse(await readFile(recordFile(lab), 'utf8')) as Partial<LabRecord>
    return r.version === 1 && typeof r.labCreatedAt === 'string' && typeof r.manifests === 'string' && Array.isArray(r.files) ? (r as LabRecord) : null
  } catch {
    return null
  }
}

function parseTimeout(text: string): number {
  const ms = Number(text)
  if (!Number.isInteger(ms) || ms < 1 || ms > 60_000) throw new UsageError(`--timeout-ms "${text}": expected whole milliseconds, 1-60000`)
  return ms
}

/** Probes the lab that is up and prints the measured table and the comparison; resolves with the exit code. */
async function probeLab(opts: LabProbeOptions, io: CliIO, run: { signal?: AbortSignal; removedAfter?: boolean } = {}): Promise<number> {
  const { signal } = run
  const lab = labOf(opts)
  requireRoot(io)
  const timeoutMs = parseTimeout(opts.timeoutMs)
  const ports0 = opts.port.map(parsePortArg)
  const status = await labStatus(lab.name)
  const record = await readRecord(lab)
  const nameArg = opts.name === undefined ? '' : ` --name ${lab.name}`
  if (status.state === null) {
    io.stderr.write(`error: no lab${nameArg === '' ? '' : ` named ${lab.name}`} is up: run \`netpol lab up${nameArg} -f PATH...\` first\n`)
    return 2
  }
  if (record === null || record.labCreatedAt !== status.state.createdAt) {
    io.stderr.write(`error: the lab that is up was not made by \`netpol lab up\` (or its record is gone): run \`netpol lab up${nameArg} -f PATH...\` again\n`)
    return 2
  }
  if (!status.healthy) {
    const dead = status.processes.filter((p) => !p.alive).map((p) => `${p.role} in ${p.netns}`)
    const have = new Set(status.namespaces)
    const gone = status.state.namespaces.filter((n) => !have.has(n))
    const what = [...(dead.length > 0 ? [`not running: ${dead.join(', ')}`] : []), ...(gone.length > 0 ? [`missing namespaces: ${gone.join(', ')}`] : [])]
    io.stderr.write(`error: the lab is damaged (${what.join('; ') || `phase ${status.state.phase}`}): run \`netpol lab up${nameArg}\` again\n`)
    return 2
  }
  const plan = status.state.plan
  // a live lab: the cluster as it is now, cut to the pods the lab has
  const inLab = record.live === undefined ? null : clusterInLab(await loadClusterOrExit({ files: [], live: record.live, quiet: true }, io), plan)
  const cluster = inLab?.cluster ?? (await loadClusterOrExit({ files: [record.manifests], quiet: true }, io))
  const ports = ports0.length > 0 ? ports0 : matrixPorts(cluster)
  const pods = cluster.pods
  const family: Family = opts.family ? (Number(opts.family) as Family) : pods.some((p) => p.ips.some((a) => a.family === 4)) || !pods.some((p) => p.ips.length) ? 4 : 6
  const index = indexCluster(cluster)
  const predicted = computeReachability(index, pods, ports, family)
  const cells = labProbeCells(pods, ports, family)

  // one target list per source pod; each (destination address, port, protocol) once per source
  const bySource = new Map<string, ProbeTarget[]>()
  const cellOf = new Map<string, (typeof cells.probe)[number]>()
  const key = (source: string, t: ProbeTarget) => `${source}\n${t.ip}\n${t.port}/${t.protocol}`
  for (const c of cells.probe) {
    const source = `${pods[c.from]!.namespace}/${pods[c.from]!.name}`
    const { port, protocol } = ports[c.port]!
    const t: ProbeTarget = { ip: c.toIp, port, protocol }
    bySource.set(source, [...(bySource.get(source) ?? []), t])
    cellOf.set(key(source, t), c)
  }
  const outside = outsideProbes(plan, cluster, ports, family)
  outside.addTargets(bySource)
  const progress = progressLine(io, cells.probe.length + outside.cells.probe.length)
  const measurements: LabMeasurement[] = []
  const outsideMeasured: OutsideMeasurement[] = []
  try {
    for await (const r of probeAll(plan, bySource, { timeoutMs, onProgress: progress.update })) {
      const c = cellOf.get(key(r.source, r))
      if (c !== undefined) measurements.push({ from: c.from, to: c.to, port: c.port, outcome: r.result, ...(r.error === undefined ? {} : { error: r.error }) })
      else {
        const o = outside.measurement(r)
        if (o !== null) outsideMeasured.push(o)
      }
      if (signal?.aborted) break
    }
  } finally {
    progress.done()
  }
  if (signal?.aborted) return 130

  const cmp = compareLab(index, predicted, measurements)
  const cmpOutside = outside.compare(index, outsideMeasured)
  // `lab run` removes the lab's copy of the manifests: the hint then names the input (without assigned addresses)
  const checkFiles = run.removedAfter ? record.files : [record.manifests]
  const live = record.live
  const checkInput = live === undefined ? {} : { checkInput: [...(live.kubeconfig !== undefined ? [`--kubeconfig ${live.kubeconfig}`] : []), ...(live.context !== undefined ? [`--context ${live.context}`] : [])].join(' ') }
  const diff = (inLab?.note ?? '') + renderLabDiff(cmp, { notProbed: cells.notProbed, checkFiles, ...checkInput }) + renderOutsideDiff(cmpOutside, outside.cells.notProbed)
  const audit = record.agent === 'audit' ? 'note: the agent runs in audit mode: it logs what the policies deny and lets it through\n' : ''
  const noAgent = record.agent === null ? await noAgentNote(plan.nodeNetns) : ''
  const out = writer(io.stdout)
  const write = (s: string | Uint8Array) => out.write(s)
  if (opts.output === 'json') {
    await writeLabJson(measuredReachability(cmp, predicted), cmpOutside, index, write)
    io.stderr.write(noAgent + audit + diff)
  } else {
    if (ports.length === 0) await write('no ports: no pod declares a container port and no policy names one; give --port\n')
    await writeLabTable(cmp, write)
    await writeOutsideTable(cmpOutside, outside.why, write)
    await write(`\n${noAgent}${audit}${diff}`)
  }
  await out.end()
  const wrong = cmp.disagreements.length + cmp.failures.length + cmpOutside.disagreements.length + cmpOutside.failures.length
  return wrong > 0 ? 1 : 0
}

/**
 * The note for a lab brought up with --no-agent: nothing enforces the policies, unless an agent started by hand
 * keeps a netpol table in the node namespace.
 */
async function noAgentNote(nodeNetns: string): Promise<string> {
  const table = (await netpolTables(nodeNetns))[0]
  return table === undefined
    ? 'note: the lab runs without the agent (--no-agent): no policy is enforced\n'
    : `note: the lab was brought up with --no-agent; table inet ${table} in ${nodeNetns} is another agent's\n`
}

/** `probing N/M` on stderr when it is a terminal, redrawn at most every 100 ms; nothing otherwise. */
function progressLine(io: CliIO, total: number): { update: (p: { done: number; total: number }) => void; done: () => void } {
  if (!io.stderr.isTTY || total === 0) return { update: () => {}, done: () => {} }
  let last = 0
  let shown = false
  return {
    update: ({ done }) => {
      const now = performance.now()
      if (done < total && now - last < 100) return
      last = now
      shown = true
      io.stderr.write(`\rprobing ${done}/${total}`)
    },
    done: () => {
      if (shown) io.stderr.write('\r\x1b[K')
    },
  }
}

/** `netpol lab probe`: exit 0 when every measured cell agrees with the engine, 1 otherwise, 2 without a lab. */
export async function labProbeCommand(opts: LabProbeOptions, io: CliIO): Promise<void> {
  const code = await probeLab(opts, io)
  if (code !== 0) throw new ExitError(code)
}

// ---------------------------------------------------------------------------------------------------------
// down, run

/** `netpol lab down`: removes the lab (of --name), also after a crash; a stale one is said to be. */
export async function labDownCommand(opts: LabNameOption, io: CliIO): Promise<void> {
  const lab = labOf(opts)
  requireRoot(io)
  const state = await readLabState(lab)
  const live = state === null ? null : await labLiveness(state)
  const r = await tearDown(lab)
  const named = opts.name === undefined ? '' : ` ${lab.name}`
  if (live?.kind === 'stale') io.stdout.write(`lab down${named}: removed a stale lab (pid ${state?.owner?.pid ?? 'unknown'}, since ${state?.createdAt}; ${live.why}): ${r.namespaces} namespaces, ended ${r.killed} processes\n`)
  else io.stdout.write(r.namespaces === 0 ? `no lab${named === '' ? '' : ` named${named}`} was up\n` : `lab down${named}: removed ${r.namespaces} namespaces, ended ${r.killed} processes\n`)
}

/**
 * `netpol lab run`: up, probe, down, with the probe's exit code. The lab is removed on every way out:
 * success, failure, and SIGINT/SIGTERM (then exit 130).
 */
export async function labRunCommand(opts: LabRunOptions, io: CliIO): Promise<void> {
  const lab = labOf(opts)
  requireRoot(io)
  parseTimeout(opts.timeoutMs)
  opts.port.forEach(parsePortArg)
  parseExternals(opts.external ?? [])
  const ac = new AbortController()
  const onSignal = (sig: NodeJS.Signals) => {
    if (!ac.signal.aborted) io.stderr.write(`\n${sig}: stopping; removing the lab\n`)
    ac.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let code: number
  let started = false
  try {
    await bringUp(opts, io, (s) => io.stderr.write(s), { signal: ac.signal, started: () => (started = true) })
    code = ac.signal.aborted ? 130 : await probeLab(opts, io, { signal: ac.signal, removedAfter: true })
  } finally {
    // input errors end before anything was built: a lab that was already up stays
    if (started) await tearDown(lab)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  if (ac.signal.aborted) code = 130
  if (code !== 0) throw new ExitError(code)
}
