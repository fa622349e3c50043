/**
 * core/v1 Pod, and the pod templates of workloads, reduced to what network policy needs: labels, addresses,
 * host networking and declared container ports. Only the fields read here are validated.
 */
import type { Pod, Replicas, WorkloadKind } from './cluster.js'
import { parseIp, type IpAddress } from './ip.js'
import type { ModelIssue, Parsed, Path } from './issues.js'
import { formatSelector, selectorMatches, type LabelSelector } from './label-selector.js'
import { formatLabels, type Labels } from './labels.js'
import { arrayAt, at, checkKnownFields, checkObjectMeta, boolAt, elementObject, intAt, isObject, type Json, type Loc, type Mutable, NO_ITEMS, objectAt, parseLabels, parseMetadata, pathOf, result, stringAt, typeName, wrongType, nameIssue } from './parse-fields.js'
import { readControllerOwner, readReplicas, readUid, type OwnerRef } from './parse-owner.js'
import { readSelector, selectorFromLabels } from './parse-selector.js'
import { PROTOCOLS, type ContainerPort, type Protocol } from './port.js'
import type { SourceRef } from './source.js'
import { netpolAnnotations } from './netpol-annotations.js'
import { dnsSubdomainProblem, isPortNumber, portNameProblem, type Problem } from './validate-names.js'

export const WORKLOAD_KINDS: ReadonlySet<WorkloadKind> = new Set<WorkloadKind>([
  'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob',
])

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return WORKLOAD_KINDS.has(kind as WorkloadKind)
}

/** A workload's pod template, standing for the pods the workload would create. */
export interface Workload {
  readonly kind: WorkloadKind
  readonly namespace: string
  readonly name: string
  /** the pods the workload owns: spec.selector, else the template's labels */
  readonly selector: LabelSelector
  /** the template as a Pod named after the workload, with no addresses; `pod.template.replicas` = `replicas` */
  readonly pod: Pod
  /** how many pods it runs at once (see readReplicas) */
  readonly replicas: Replicas
  /** metadata.uid, when the object was read from a live cluster */
  readonly uid?: string
  /** the workload that manages this one (a ReplicaSet's Deployment, a Job's CronJob), from ownerReferences */
  readonly owner?: OwnerRef
}

const PROTOCOL_SET: ReadonlySet<string> = new Set(PROTOCOLS)
const CONTAINER_PORT_FIELDS: ReadonlySet<string> = new Set(['name', 'hostPort', 'containerPort', 'protocol', 'hostIP'])
const NO_IPS: readonly IpAddress[] = Object.freeze([])

/** Parses a Pod object. `path` prefixes every issue path. Collects every issue; never throws. */
export function parsePod(input: unknown, path: Path = [], source?: SourceRef): Parsed<Pod> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: 'Pod', got: typeName(input) }] }
  const meta = parseMetadata(input, path, issues, { name: dnsSubdomainProblem, namespaced: true })
  const spec = readPodSpec(objectAt(input, 'spec', path, issues), at(path, 'spec'), issues)
  const statusPath = at(path, 'status')
  const status = objectAt(input, 'status', path, issues)
  // "podIPs holds the IP addresses allocated to the pod ... the 0th entry must match the podIP field."
  const ips = status ? readIps(status, 'podIPs', 'podIP', statusPath, issues) : NO_IPS
  // hostIPs / hostIP: "IP address of the host to which the pod is assigned"
  const hostIPs = status ? readIps(status, 'hostIPs', 'hostIP', statusPath, issues) : NO_IPS
  const pod: Mutable<Pod> = { namespace: meta.namespace, name: meta.name, labels: meta.labels, ips, hostIPs, hostNetwork: spec.hostNetwork, ports: spec.ports }
  if (spec.nodeName !== undefined) pod.nodeName = spec.nodeName
  const annotations = netpolAnnotations(input)
  if (annotations) pod.annotations = annotations
  if (source) pod.source = source
  return result<Pod>(pod, issues)
}

/** `status.phase`, when it is a string; the builder skips pods that have finished. */
export function podPhase(input: unknown): string | undefined {
  if (!isObject(input) || !isObject(input.status)) return undefined
  const phase = input.status.phase
  return typeof phase === 'string' ? phase : undefined
}

/**
 * Parses a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).
 * Its pod template (spec.template, or spec.jobTemplate.spec.template for a CronJob) becomes a Pod named
 * after the workload. When a selector is given it must match the template's labels, as the API server
 * requires ("`selector` does not match template `labels`").
 */
export function parseWorkload(input: unknown, path: Path = [], source?: SourceRef): Parsed<Workload> {
  const issues: ModelIssue[] = []
  if (!isObject(input)) return { ok: false, issues: [{ code: 'not_an_object', path, expected: 'workload', got: typeName(input) }] }
  const kind = input.kind
  if (typeof kind !== 'string' || !isWorkloadKind(kind)) {
    return { ok: false, issues: [wrongType(pathOf(path, 'kind'), [...WORKLOAD_KINDS].join(', '), kind)] }
  }
  const meta = parseMetadata(input, path, issues, { name: kind === 'CronJob' ? cronJobNameProblem : dnsSubdomainProblem, namespaced: true })
  // a CronJob's pods come from spec.jobTemplate.spec.template, everything else's from spec.template
  const podsOwnerKeys = kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec'] : ['spec']
  const { value: owner, loc: ownerPath } = descend(input, podsOwnerKeys, path, issues)
  const templatePath = at(ownerPath, 'template')
  const template = owner ? objectAt(owner, 'template', ownerPath, issues) : undefined
  if (!template && !(owner && owner.template != null)) issues.push({ code: 'required', path: pathOf(templatePath), expected: 'a pod template' })
  const templateMeta = template ? objectAt(template, 'metadata', templatePath, issues) : undefined
  // the template's metadata is an ObjectMeta too, checked as one (known fields, annotations, labels)
  const labels = templateMeta ? checkObjectMeta(templateMeta, at(templatePath, 'metadata'), issues) : parseLabels(undefined, templatePath, issues)
  const spec = readPodSpec(template ? objectAt(template, 'spec', templatePath, issues) : undefined, at(templatePath, 'spec'), issues)
  const selector = readWorkloadSelector(kind, owner, ownerPath, labels, template !== undefined, issues)
  const top = isObject(input.spec) ? input.spec : undefined
  const replicas = readReplicas(kind, top, at(path, 'spec'), owner, ownerPath, issues, isObject(input.status) ? input.status : undefined)

  const pod: Mutable<Pod> = { namespace: meta.namespace, name: meta.name, labels, ips: NO_IPS, hostIPs: NO_IPS, hostNetwork: spec.hostNetwork, ports: spec.ports }
  if (spec.nodeName !== undefined) pod.nodeName = spec.nodeName
  pod.template = { kind, name: meta.name, replicas }
  // the workload's own annotations: findings on a template are about the workload
  const annotations = netpolAnnotations(input)
  if (annotations) pod.annotations = annotations
  if (source) pod.source = source
  const w: Mutable<Workload> = { kind, namespace: meta.namespace, name: meta.name, selector, pod, replicas }
  const uid = readUid(input)
  if (uid !== undefined) w.uid = uid
  const controller = readControllerOwner(input, path, issues)
  if (controller !== undefined) w.owner = controller
  return result<Workload>(w, issues)
}

/** "The name must be no more than 52 characters" (ValidateCronJob), besides being a DNS subdomain. */
function cronJobNameProblem(name: string): Problem | null {
  return dnsSubdomainProblem(name) ?? (name.length > 52 ? { max: 52 } : null)
}

/** Follows `keys` down from `obj`: the object reached (undefined if a step is missing) and its Loc. */
function descend(obj: Json, keys: readonly string[], loc: Loc, issues: ModelIssue[]): { value: Json | undefined; loc: Loc } {
  let cur: Json | undefined = obj
  let l = loc
  for (const k of keys) {
    if (cur) cur = objectAt(cur, k, l, issues)
    l = at(l, k)
  }
  return { value: cur, loc: l }
}

/**
 * The selector of a workload. A ReplicationController's is a plain label map that defaults to the
 * template's labels; the others use a LabelSelector. A Job usually has none (the controller generates
 * one), so a missing selector stands for the template's labels.
 */
function readWorkloadSelector(
  kind: WorkloadKind,
  owner: Json | undefined,
  ownerPath: Loc,
  labels: Labels,
  hasTemplate: boolean,
  issues: ModelIssue[],
): LabelSelector {
  const path = at(ownerPath, 'selector')
  const raw = owner?.selector
  let selector: LabelSelector | undefined
  if (raw != null) {
    const before = issues.length
    selector = kind === 'ReplicationController' ? selectorFromLabels(parseLabels(raw, path, issues)) : readSelector(raw, path, issues)
    if (issues.length !== before) return selectorFromLabels(labels)
  }
  if (!selector || selector.requirements.length === 0) return selectorFromLabels(labels)
  if (hasTemplate && !selectorMatches(selector, labels)) {
    issues.push({ code: 'selector_mismatch', path: pathOf(path), selector: formatSelector(selector), labels: formatLabels(labels) })
  }
  return selector
}

interface PodSpecFields {
  readonly ports: readonly ContainerPort[]
  readonly hostNetwork: boolean
  readonly nodeName?: string
}

function readPodSpec(spec: Json | undefined, path: Loc, issues: ModelIssue[]): PodSpecFields {
  if (!spec) return { ports: [], hostNetwork: false }
  const ports: ContainerPort[] = []
  const containers = arrayAt(spec, 'containers', path, issues) ?? NO_ITEMS
  for (let i = 0; i < containers.length; i++) {
    const cPath = at(at(path, 'containers'), i)
    const c = elementObject(containers[i], cPath, issues)
    if (c) readContainerPorts(c, cPath, issues, ports)
  }
  const inits = arrayAt(spec, 'initContainers', path, issues) ?? NO_ITEMS
  for (let i = 0; i < inits.length; i++) {
    const cPath = at(at(path, 'initContainers'), i)
    const c = elementObject(inits[i], cPath, issues)
    if (!c) continue
    // An init container with restartPolicy Always is a sidecar: it keeps running beside the app
    // containers, so its ports are served. Ports of ordinary init containers are checked but not kept.
    const sidecar = stringAt(c, 'restartPolicy', cPath, issues) === 'Always'
    readContainerPorts(c, cPath, issues, sidecar ? ports : [])
  }
  const hostNetwork = boolAt(spec, 'hostNetwork', path, issues) ?? false
  const nodeName = stringAt(spec, 'nodeName', path, issues)
  return nodeName ? { ports, hostNetwork, nodeName } : { ports, hostNetwork }
}

/** validateContainerPorts: a valid, unique IANA name if named; containerPort required, 1-65535; protocol defaults to TCP. */
function readContainerPorts(c: Json, cPath: Loc, issues: ModelIssue[], out: ContainerPort[]): void {
  const ports = arrayAt(c, 'ports', cPath, issues)
  if (!ports) return
  const names = new Set<string>()
  for (let i = 0; i < ports.length; i++) {
    const pPath = at(at(cPath, 'ports'), i)
    const p = elementObject(ports[i], pPath, issues)
    if (!p) continue
    checkKnownFields(p, CONTAINER_PORT_FIELDS, pPath, issues)
    const before = issues.length
    const name = stringAt(p, 'name', pPath, issues) ?? ''
    if (name !== '') {
      const problem = portNameProblem(name)
      if (problem !== null) issues.push(nameIssue('invalid_port_name', pathOf(pPath, 'name'), name, problem))
      else if (names.has(name)) issues.push({ code: 'duplicate_value', path: pathOf(pPath, 'name'), input: name })
      else names.add(name)
    }
    const port = intAt(p, 'containerPort', pPath, issues)
    if (port === undefined || port === 0) {
      if (p.containerPort == null || port === 0) issues.push({ code: 'required', path: pathOf(pPath, 'containerPort'), expected: 'a port number 1-65535' })
    } else if (!isPortNumber(port)) issues.push({ code: 'invalid_port_number', path: pathOf(pPath, 'containerPort'), input: port })
    // SetDefaults_ContainerPort: an empty protocol becomes TCP
    const protocolText = stringAt(p, 'protocol', pPath, issues) || 'TCP'
    if (!PROTOCOL_SET.has(protocolText)) issues.push({ code: 'invalid_protocol', path: pathOf(pPath, 'protocol'), input: protocolText })
    if (issues.length === before && port !== undefined) {
      out.push(name !== '' ? { name, port, protocol: protocolText as Protocol } : { port, protocol: protocolText as Protocol })
    }
  }
}

function readIps(status: Json, listKey: string, singleKey: string, path: Loc, issues: ModelIssue[]): readonly IpAddress[] {
  const list = arrayAt(status, listKey, path, issues) ?? NO_ITEMS
  const out: IpAddress[] = []
  for (let i = 0; i < list.length; i++) {
    const ePath = at(at(path, listKey), i)
    const entry = elementObject(list[i], ePath, issues)
    const text = entry ? stringAt(entry, 'ip', ePath, issues) : undefined
    if (text === undefined) continue
    const ip = parseIp(text)
    if (ip) out.push(ip)
    else issues.push({ code: 'invalid_ip', path: pathOf(ePath, 'ip'), input: text })
  }
  if (list.length > 0) return out
  const single = stringAt(status, singleKey, path, issues)
  if (single === undefined || single === '') return NO_IPS
  const ip = parseIp(single)
  if (ip) return [ip]
  issues.push({ code: 'invalid_ip', path: pathOf(path, singleKey), input: single })
  return NO_IPS
}
