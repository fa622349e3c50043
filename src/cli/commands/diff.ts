import { isAbsolute, relative, sep } from 'node:path'
import { podId, type Cluster, type Namespace } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { compareNodes, sortClusterPolicies } from '../../model/cluster-policy.js'
import { git } from '../../io/git-tree.js'
import { gitRevision, type SourceRead } from '../../io/sources.js'
import { diffClusters, type ClusterDiff } from '../../analysis/diff.js'
import { limitDiff } from '../../analysis/diff-limit.js'
import { manifestSources } from '../../io/load-manifests.js'
import { parsePortArg } from '../args.js'
import { ExitError, UsageError, type CliIO } from '../io.js'
import { loadClusterOrExit } from '../load.js'
import { checkNamespaceFlags, liveOf, shownNamespaces } from '../shown-namespaces.js'
import { diffReport } from '../../report/diff-report.js'
import { renderDiffMarkdown } from '../render/diff-md.js'
import { diffSides, renderDiffText } from '../render/diff-text.js'

export interface DiffCommandOptions {
  filename: string[]
  git?: string
  cluster: string[]
  port: string[]
  family?: '4' | '6'
  failOn?: 'added' | 'removed' | 'any'
  output: 'text' | 'json' | 'md'
  live?: boolean
  namespace?: string[]
  allNamespaces?: boolean
  kubeconfig?: string
  context?: string
}

/**
 * `netpol diff OLD NEW` or `netpol diff --git REVS -f PATH...`: load both sides (each over the shared `--cluster`
 * manifests), compare them class by class, render. With `--fail-on`, exit 1 when a change of that kind exists:
 * `added` = a connection becomes allowed, `removed` = a connection becomes denied, `any` = either.
 */
export async function diff(oldPath: string | undefined, newPath: string | undefined, opts: DiffCommandOptions, io: CliIO): Promise<void> {
  const ports = opts.port.length > 0 ? opts.port.map(parsePortArg) : undefined
  checkNamespaceFlags(opts)
  if (!opts.live && (opts.kubeconfig !== undefined || opts.context !== undefined)) throw new UsageError(`diff reads the cluster only with --live (${opts.kubeconfig !== undefined ? '--kubeconfig' : '--context'} was given)`)
  if (opts.live && opts.cluster.length > 0) throw new UsageError('diff --live reads the pods and namespaces from the cluster: give no --cluster')
  const shared = opts.cluster.length > 0 ? await loadClusterOrExit({ files: opts.cluster }, io) : null
  const [before, after] = opts.live ? await liveSides(oldPath, opts, io) : await loadSides(oldPath, newPath, opts, io)
  const old = shared ? overlayCluster(shared, before) : before
  const now = shared ? overlayCluster(shared, after) : after
  const shown = shownNamespaces(opts, new Map([...old.namespaces, ...now.namespaces]))
  const result = limitDiff(diffClusters(old, now, { ...(ports ? { ports } : {}), ...(opts.family ? { family: Number(opts.family) as Family } : {}) }), shown)
  const sides = diffSides(old, now)
  if (opts.output === 'json') io.stdout.write(JSON.stringify(diffReport(result), null, 2) + '\n')
  else if (opts.output === 'md') io.stdout.write(renderDiffMarkdown(result, sides))
  else io.stdout.write(renderDiffText(result, sides))
  const unjudged = nothingCompared(result, old, now)
  if (unjudged !== null) {
    // a gate that compared nothing must not pass: say so where CI logs show it, and fail under --fail-on
    io.stderr.write(`${opts.failOn !== undefined ? 'error' : 'warning'}: nothing was compared: ${unjudged}\n`)
    if (opts.failOn !== undefined) throw new ExitError(2)
  }
  if (opts.failOn !== undefined && failsOn(result, opts.failOn)) throw new ExitError(1)
}

/** Why the diff could not judge the change (no pod on both sides, or no port), or null when it could. */
export function nothingCompared(d: ClusterDiff, before: Cluster, after: Cluster): string | null {
  if (d.comparedPods === 0) {
    const pods = (c: Cluster) => `${c.pods.length} pod${c.pods.length === 1 ? '' : 's'}`
    return (
      `no pod is present on both sides (old: ${pods(before)}, new: ${pods(after)}), so no connection could change and the policy changes were not judged. ` +
      'Policies decide nothing without the pods they select: give the pods and namespaces both sides share with --cluster PATH ' +
      '(e.g. kubectl get ns,pods -A -o json > cluster.json), or compare manifests that hold them'
    )
  }
  if (d.ports.length === 0) return 'no port to compare: no pod declares a container port and no policy names one; give --port'
  return null
}

export function failsOn(d: ClusterDiff, on: 'added' | 'removed' | 'any'): boolean {
  return d.changes.some((c) => on === 'any' || (on === 'added' ? c.change === 'allowed' : c.change === 'denied'))
}

/**
 * `diff --live -f PATH`: old is the live cluster; new is the live cluster with the -f objects applied over it,
 * as `kubectl apply -f PATH` would: an object of the same kind, namespace and name is replaced (the model keeps
 * the last of several, see assembleCluster), others are added, nothing is deleted. The cluster is read once.
 */
async function liveSides(oldPath: string | undefined, opts: DiffCommandOptions, io: CliIO): Promise<[Cluster, Cluster]> {
  if (opts.git !== undefined) throw new UsageError('diff: give --live or --git, not both')
  if (oldPath !== undefined) throw new UsageError('diff --live compares the cluster with the -f manifests: give no OLD/NEW paths')
  if (opts.filename.length === 0) throw new UsageError('diff --live: name the manifests to apply over the cluster with -f PATH (file, directory or -); repeatable')
  const { liveSource, readLiveOrExit } = await import('../live.js')
  const live = liveSource(await readLiveOrExit(liveOf(opts), io))
  const before = await loadClusterOrExit({ files: [], sources: [live], quiet: true, stops: 'compared' }, io)
  const after = await loadClusterOrExit({ files: [], sources: [live, ...manifestSources(opts.filename, { stdin: () => io.readStdin() })], quiet: true, stops: 'compared' }, io)
  return [before, after]
}

async function loadSides(oldPath: string | undefined, newPath: string | undefined, opts: DiffCommandOptions, io: CliIO): Promise<[Cluster, Cluster]> {
  const load = (files: readonly string[]) => loadClusterOrExit({ files, quiet: true, allowEmpty: true }, io)
  if (opts.git === undefined) {
    if (opts.filename.length > 0) throw new UsageError('-f names the paths to read at git revisions: use it with --git (for manifests shared by both sides, use --cluster)')
    if (oldPath === undefined || newPath === undefined) throw new UsageError('diff: give OLD and NEW (files or directories), or --git REV..REV -f PATH')
    return [await load([oldPath]), await load([newPath])]
  }
  if (oldPath !== undefined) throw new UsageError('diff --git reads the -f paths at the revisions: give no OLD/NEW paths')
  if (opts.filename.length === 0) throw new UsageError('diff --git: name the manifests to compare with -f PATH (file or directory); repeatable')
  if (opts.filename.includes('-')) throw new UsageError('diff --git: -f - (stdin) cannot be read at a revision')
  const cwd = process.cwd()
  const revs = await parseRevisions(cwd, opts.git, io)
  const paths = opts.filename.map((f) => toRepoPath(cwd, f))
  const readSide = (rev: string) => gitRevision(rev, paths, cwd).read({}).catch((err: unknown) => gitFailure(`--git: cannot read ${rev}${gitMessage(err)}`, io))
  const old = await readSide(revs.old)
  const now = revs.new === null ? null : await readSide(revs.new)
  for (const p of paths) {
    const inOld = !old.missing.includes(p)
    const inNew = now === null ? true : !now.missing.includes(p)
    if (!inOld && !inNew) {
      io.stderr.write(`error: -f ${p}: no such path at ${revs.old} nor at ${revs.new}\n`)
      throw new ExitError(2)
    }
    if (!inOld) io.stderr.write(`note: ${p} does not exist at ${revs.old}; read as empty\n`)
    if (!inNew) io.stderr.write(`note: ${p} does not exist at ${revs.new}; read as empty\n`)
  }
  const side = (read: SourceRead, rev: string) =>
    loadClusterOrExit({ files: [], sources: [{ read: async () => read }], quiet: true, allowEmpty: true, at: rev, stops: 'compared' }, io)
  const before = await side(old, revs.old)
  const after = now === null ? await load(opts.filename) : await side(now, revs.new!)
  return [before, after]
}

/** `A..B` (A and B), `A...B` (their merge base and B), `A` (A and the working tree); an empty side is HEAD. */
async function parseRevisions(cwd: string, spec: string, io: CliIO): Promise<{ old: string; new: string | null }> {
  const three = spec.indexOf('...')
  const two = spec.indexOf('..')
  let old: string
  let now: string | null
  if (three >= 0) {
    now = spec.slice(three + 3) || 'HEAD'
    const a = spec.slice(0, three) || 'HEAD'
    await verifyRevision(cwd, a, io)
    await verifyRevision(cwd, now, io)
    old = (await git(cwd, ['merge-base', a, now]).catch(() => gitFailure(`--git ${spec}: ${a} and ${now} have no common ancestor`, io))).toString('utf8').trim()
    return { old, new: now }
  }
  if (two >= 0) {
    old = spec.slice(0, two) || 'HEAD'
    now = spec.slice(two + 2) || 'HEAD'
  } else {
    old = spec
    now = null
  }
  await verifyRevision(cwd, old, io)
  if (now !== null) await verifyRevision(cwd, now, io)
  return { old, new: now }
}

async function verifyRevision(cwd: string, rev: string, io: CliIO): Promise<void> {
  if (rev.startsWith('-')) throw new UsageError(`--git: "${rev}" is not a revision`)
  await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).catch((err: unknown) =>
    gitFailure(`--git: unknown revision "${rev}"${gitMessage(err)}`, io),
  )
}

function gitFailure(message: string, io: CliIO): never {
  io.stderr.write(`error: ${message}\n`)
  throw new ExitError(2)
}

function gitMessage(err: unknown): string {
  const stderr = (err as { stderr?: Buffer | string }).stderr?.toString().trim()
  if ((err as { code?: string }).code === 'ENOENT') return ' (git is not installed or not on PATH)'
  return stderr ? ` (${stderr.split('\n')[0]})` : ''
}

/** A -f path as git sees it from `cwd`: relative, with forward slashes; `.` for the current directory. */
function toRepoPath(cwd: string, path: string): string {
  const rel = isAbsolute(path) ? relative(cwd, path) : path
  const clean = rel.split(sep).join('/').replace(/^\.\/+/, '').replace(/\/+$/, '')
  return clean === '' ? '.' : clean
}

/**
 * `top` over `base`: objects of `top` replace those of `base` with the same namespace and name; a namespace
 * `top` only created because something referenced it does not replace a declared one.
 */
export function overlayCluster(base: Cluster, top: Cluster): Cluster {
  const namespaces = new Map<string, Namespace>(base.namespaces)
  for (const [name, ns] of top.namespaces) if (!(ns.implicit && namespaces.has(name))) namespaces.set(name, ns)
  const byId = <T extends { namespace: string; name: string }>(a: readonly T[], b: readonly T[]) => {
    const m = new Map<string, T>()
    for (const x of [...a, ...b]) m.set(podId(x), x)
    return [...m.values()].sort((x, y) => (x.namespace < y.namespace ? -1 : x.namespace > y.namespace ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
  }
  return {
    namespaces: new Map([...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    pods: byId(base.pods, top.pods),
    policies: byId(base.policies, top.policies),
    services: byId(base.services, top.services),
    clusterPolicies: sortClusterPolicies(overlayByName(base.clusterPolicies, top.clusterPolicies, (p) => `${p.kind}/${p.name}`)),
    nodes: overlayByName(base.nodes, top.nodes, (n) => n.name).sort(compareNodes),
  }
}

/** `top`'s objects replace `base`'s of the same key. */
function overlayByName<T>(base: readonly T[], top: readonly T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>()
  for (const x of [...base, ...top]) m.set(key(x), x)
  return [...m.values()]
}
