/**
 * A live lab (`netpol lab up --kubeconfig K | --context C`): the lab's agent follows the API server with
 * list+watch instead of applying the manifests written at `up` once, so a policy created, changed or deleted
 * through the API changes what real packets do; `lab probe` predicts from the cluster as it is at probe time.
 *
 * The lab cannot tell the API the addresses it gives pods, so a live lab holds only pods whose status.podIP the
 * API gives: the agent knows pods by the API's addresses, and the lab uses the same ones. The pods are those of
 * `up`; a pod created later has no namespace in the lab (bring the lab up again), while labels, namespaces and
 * policies are followed as they change.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Cluster, Pod } from '../../model/cluster.js'
import type { AgentMode } from '../../dataplane/compile-policies.js'
import type { LabNames, LabPlan } from '../../lab/index.js'
import { projectRoot } from '../../lab/lab-exec.js'
import { addLabProcess, logDir, procStartTime } from '../../lab/lab-state.js'

/** How `lab up` reached the cluster, kept in the lab's record for the agent and `lab probe`. */
export interface LiveInput {
  /** absolute */
  readonly kubeconfig?: string
  readonly context?: string
}

export function liveInputOf(opts: { kubeconfig?: string; context?: string }): LiveInput | null {
  if (opts.kubeconfig === undefined && opts.context === undefined) return null
  return { ...(opts.kubeconfig !== undefined ? { kubeconfig: resolve(opts.kubeconfig) } : {}), ...(opts.context !== undefined ? { context: opts.context } : {}) }
}

/** The pods a live lab can hold (an address from the API), and the others by namespace/name. */
export function livePods(cluster: Cluster): { readonly cluster: Cluster; readonly noAddress: readonly string[] } {
  const without = (p: Pod) => !p.hostNetwork && p.ips.length === 0
  const noAddress = cluster.pods.filter(without).map((p) => `${p.namespace}/${p.name}`)
  return { cluster: noAddress.length === 0 ? cluster : { ...cluster, pods: cluster.pods.filter((p) => !without(p)) }, noAddress }
}

export const noAddressNote = (pods: readonly string[]): string =>
  pods.length === 0
    ? ''
    : `not in the lab (no status.podIP; a live lab uses the API's pod addresses, which its agent knows pods by): ${pods.join(', ')}\n`

/**
 * The cluster read at probe time, cut to the pods the lab has (by namespace/name, at the address the lab gave
 * them), and the pods it leaves out with why.
 */
export function clusterInLab(cluster: Cluster, plan: LabPlan): { readonly cluster: Cluster; readonly note: string } {
  const inLab = new Map(plan.pods.map((p) => [p.id, new Set(p.addresses.map((a) => a.ip))]))
  const left: string[] = []
  const pods = cluster.pods.filter((p) => {
    if (p.hostNetwork) return true
    const ips = inLab.get(`${p.namespace}/${p.name}`)
    const ok = ips !== undefined && p.ips.length > 0 && p.ips.every((a) => ips.has(a.text))
    if (!ok) left.push(`${p.namespace}/${p.name}`)
    return ok
  })
  const note = left.length === 0 ? '' : `note: not probed, the lab has no such pod at that address (created or readdressed after \`lab up\`; bring the lab up again): ${left.join(', ')}\n`
  return { cluster: left.length === 0 ? cluster : { ...cluster, pods }, note }
}

export interface LiveAgentStart {
  readonly ok: boolean
  readonly ms: number
  /** the agent's log file */
  readonly log: string
  /** the end of the log, when it failed */
  readonly tail: string
}

/**
 * Starts `netpol agent --kubeconfig K [--context C] --all-pods --netns NODE --mode MODE` detached (its own
 * process group, in the host's network namespace, where the API server is reachable; it applies into the node
 * namespace), records it in the lab's state so that `lab down` ends it, and resolves once its first ruleset is
 * in force (the first `table inet netpol …` line of its log), or with ok false when it exits or takes longer
 * than `timeoutMs`.
 */
export async function startLiveAgent(
  lab: LabNames,
  plan: LabPlan,
  live: LiveInput,
  mode: AgentMode,
  entryArgs: readonly string[],
  timeoutMs = 30_000,
): Promise<LiveAgentStart> {
  const log = `${logDir(lab)}/agent.log`
  const fd = openSync(log, 'w')
  const args = [
    ...entryArgs,
    'agent',
    ...(live.kubeconfig !== undefined ? ['--kubeconfig', live.kubeconfig] : []),
    ...(live.context !== undefined ? ['--context', live.context] : []),
    '--all-pods',
    '--netns',
    plan.nodeNetns,
    '--mode',
    mode,
  ]
  const t0 = performance.now()
  const child = spawn(process.execPath, args, { detached: true, cwd: projectRoot, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  let exited: number | null = null
  child.once('exit', (code, sig) => (exited = code ?? (sig === null ? 1 : 128)))
  child.once('error', () => (exited = 127))
  child.unref()
  if (child.pid !== undefined) await addLabProcess(lab, { pid: child.pid, startTime: (await procStartTime(child.pid)) ?? '', netns: plan.nodeNetns, role: 'agent' })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = await readFile(log, 'utf8').catch(() => '')
    if (/ table inet netpol (replaced|changed)| no change$/m.test(text)) return { ok: true, ms: performance.now() - t0, log, tail: '' }
    if (exited !== null || Date.now() > deadline) {
      const why = exited !== null ? `exit ${exited}` : `no ruleset after ${timeoutMs / 1000} s`
      return { ok: false, ms: performance.now() - t0, log, tail: `${why}\n${text.trim().split('\n').slice(-20).join('\n')}`.trim() }
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}
