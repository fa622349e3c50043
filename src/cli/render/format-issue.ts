/**
 * Issues and notes as one line each: where (file:line:column), which object, which field, then one sentence
 * saying what was found and what was expected. The data carries no messages; they are all made here.
 */
import { closestWord } from '../../model/spelling.js'
import { PLAIN_KEY, type LocatedIssue, type ModelIssue, type ModelNote, type NameRule, type ObjectRef, type Path, type ServiceIpProblem } from '../../model/issues.js'

/** `x.yaml:14:9: NetworkPolicy shop/allow-web: spec.ingress[0].from[1].ipBlock.except[0]: <sentence>` */
export function formatIssue(i: LocatedIssue): string {
  const parts = [formatWhere(i)]
  // a live object's origin already names it: `cluster CONTEXT: Kind NS/NAME`
  if (i.object && i.origin?.kind !== 'cluster') parts.push(formatObject(i.object))
  const path = formatPath(i.issue.path)
  if (path !== '' && i.issue.code !== 'yaml_syntax') parts.push(path)
  parts.push(issueMessage(i.issue))
  return parts.join(': ')
}

function formatWhere(i: LocatedIssue): string {
  if (i.line !== undefined) return i.column !== undefined ? `${i.file}:${i.line}:${i.column}` : `${i.file}:${i.line}`
  return i.doc > 0 ? `${i.file} (document ${i.doc + 1})` : i.file
}

export function formatObject(o: ObjectRef): string {
  const name = o.name === undefined ? '(unnamed)' : shown(o.name)
  return o.namespace !== undefined ? `${shown(o.kind)} ${shown(o.namespace)}/${name}` : `${shown(o.kind)} ${name}`
}

// Issues are about input that failed validation, so the names, keys and kinds they show may hold anything. The
// rule: one issue is one line, and no input can pass for netpol's own words. Text made only of characters
// that valid names and label keys use is shown as it is; anything else is quoted, with escapes for line
// breaks, control characters and the characters that print as nothing or reorder text on a terminal.
// A text longer than SHOWN_MAX characters is cut, and its length said: `"xxxx…"… (100000 characters)`.
const PLAIN = /^[A-Za-z0-9._/-]+$/
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g
const SHOWN_MAX = 64
const escaped = (s: string): string => JSON.stringify(s).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
const q = (s: string): string => (s.length <= SHOWN_MAX ? escaped(s) : `${escaped(s.slice(0, SHOWN_MAX))}… (${s.length} characters)`)
/** a valid name (at most 253 characters) is never cut */
export const shown = (s: string): string => (PLAIN.test(s) && s.length <= 253 ? s : q(s))

/**
 * Like toDotPath (`spec.ingress[0].from[1]`), a key that is not plain quoted in brackets
 * (`metadata.labels["example.com/a"]`), with the escapes and the cut of quoted text above.
 */
export function formatPath(path: Path): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (!PLAIN_KEY.test(part)) out += `[${q(part)}]`
    else out += out === '' ? part : `.${part}`
  }
  return out
}

/** `; expected <rule>`, or for a length limit alone, upstream's words: `: must be no more than 63 characters`. */
function broken(r: NameRule): string {
  if ('max' in r) return `: ${r.part ? `its ${r.part} ` : ''}must be no more than ${r.max} characters`
  return `; expected ${r.expected}`
}

/** The sentence for one issue, without location. */
export function issueMessage(issue: ModelIssue): string {
  switch (issue.code) {
    case 'yaml_syntax':
      return `syntax error: ${issue.message}`
    case 'duplicate_key':
      return `key ${q(issue.key)} is given twice in this mapping; the API server refuses duplicate keys`
    case 'not_an_object':
      return `found ${article(issue.got)}, expected ${issue.expected} (a mapping with apiVersion, kind and metadata)`
    case 'wrong_type':
      return `found ${article(issue.got)}, expected ${article(issue.expected)}`
    case 'required':
      return `this field is missing or empty; expected ${issue.expected}`
    case 'invalid_name':
      return `${q(issue.input)} is not a valid name${broken(issue)}`
    case 'invalid_label_key':
      return `label key ${q(issue.input)} is invalid${broken(issue)}`
    case 'invalid_label_value':
      return `label value ${q(issue.input)} is invalid${broken(issue)}`
    case 'invalid_annotation_key':
      return `annotation key ${q(issue.input)} is invalid${broken(issue)}`
    case 'annotations_too_large':
      return `the annotations take ${issue.bytes} bytes; must be no more than ${issue.max} bytes (256 KiB, keys and values together)`
    case 'unknown_operator':
      return `operator ${q(issue.operator)} is not supported; expected In, NotIn, Exists or DoesNotExist (case-sensitive)`
    case 'values_required':
      return `operator ${issue.operator} needs a non-empty values list`
    case 'values_forbidden':
      return `operator ${issue.operator} takes no values; remove the values list`
    case 'peer_empty':
      // the API server: "Required value: must specify a peer"
      return 'invalid: a peer must specify podSelector, namespaceSelector or ipBlock (to allow everyone, leave out the from/to list)'
    case 'peer_ipblock_with_selector':
      return 'ipBlock cannot be combined with podSelector or namespaceSelector in the same peer; split them into separate peers'
    case 'invalid_cidr':
      return `${q(issue.input)} is not a valid CIDR; expected an address and a prefix length such as 10.0.0.0/8 or fd00::/64`
    case 'invalid_ip':
      return `${q(issue.input)} is not a valid IP address`
    case 'except_outside_cidr':
      return `${q(issue.except)} must be a strict subset of cidr ${q(issue.cidr)} (same family, longer prefix)`
    case 'invalid_protocol':
      return `protocol ${q(issue.input)} is not supported; expected TCP, UDP or SCTP (upper case)`
    case 'invalid_port_number':
      return `${portField(issue.path)} ${issue.input} is out of range; expected 1-65535`
    case 'invalid_port_name':
      return `${q(issue.input)} is not a valid port name${broken(issue)}${/^[0-9]+$/.test(issue.input) ? ' (write a port number without quotes)' : ''}`
    case 'end_port_inverted':
      return `endPort ${issue.endPort} is below port ${issue.port}; expected endPort >= port`
    case 'end_port_without_numeric_port':
      return issue.port === null
        ? 'endPort is set but port is not; endPort needs a numeric port'
        : `endPort cannot be used with the named port ${q(issue.port)}; expected a numeric port`
    case 'invalid_policy_type':
      return `policy type ${q(issue.input)} is not supported; expected Ingress or Egress (case-sensitive)`
    case 'too_many_policy_types':
      return `${issue.count} policy types given; expected at most 2 (Ingress, Egress)`
    case 'unknown_field':
    {
      const meant = closestWord(issue.field, issue.known)
      return meant ? `unknown field ${q(issue.field)}; did you mean ${meant}?` : `unknown field ${q(issue.field)}; expected one of ${issue.known.join(', ')}`
    }
    case 'duplicate_value':
      return `${q(issue.input)} is used twice; expected unique values`
    case 'selector_mismatch':
      return `selector ${issue.selector} does not match the template labels ${issue.labels}; expected a selector the template's pods satisfy`
    case 'service_ip':
      return SERVICE_IP_PROBLEMS[issue.problem](q(issue.input))
    case 'negative_count':
      return `${issue.input} must be greater than or equal to 0`
    case 'unserved_api_version':
      return `${shown(issue.apiVersion)} ${shown(issue.kind)} is ${issue.removed ? 'no longer' : 'not'} served; use apiVersion ${issue.served}`
    case 'unknown_kind':
      return `kind ${q(issue.kind)} is not served by ${shown(issue.apiVersion)}; did you mean ${issue.suggestion}?${issue.kind.toLowerCase() === issue.suggestion.toLowerCase() ? ' (kinds are case-sensitive)' : ''}${issue.apiVersion === issue.served ? '' : ` (apiVersion ${issue.served})`}`
    case 'unsupported_value':
      return `Unsupported value: ${q(issue.input)}: supported values: ${issue.supported.map((v) => JSON.stringify(v)).join(', ')}`
    case 'out_of_range':
      return `Invalid value: ${issue.input}: must be ${issue.input < issue.min ? `greater than or equal to ${issue.min}` : `less than or equal to ${issue.max}`}`
    case 'too_many_items':
      return `Too many: ${issue.count}: must have at most ${issue.max} items`
    case 'too_few_items':
      return `Invalid value: ${issue.count}: must have at least ${issue.min} item${issue.min === 1 ? '' : 's'}`
    case 'too_long':
      return `Too long: ${issue.length} characters; may not be more than ${issue.max}`
    case 'exactly_one_field':
      return issue.set.length === 0
        ? `Required value: exactly one of ${issue.fields.join(', ')} must be set`
        : `Invalid value: ${issue.set.join(' and ')} are set; exactly one of ${issue.fields.join(', ')} must be set`
    case 'empty_object':
      return `Required value: must set ${issue.fields.join(' or ')}`
    case 'invalid_domain_name':
      return `Invalid value: ${q(issue.input)}: expected a domain name such as example.com, or *.example.com for its subdomains (* only as the whole first label)`
    case 'port_range_not_increasing':
      return `Invalid value: start ${issue.start}, end ${issue.end}: Start port must be less than End port${issue.start === issue.end ? ' (for one port, write a single port number)' : ''}`
    case 'named_port_without_pods':
      return `Invalid value: ${issue.peers.join('/')} peer cannot be set with a named port since there are no named ports for ${issue.peers.join('/')}; use port numbers, or put the named port in a rule of pods/namespaces peers`
    case 'domain_names_not_accept':
      return `Invalid value: ${q(issue.action)}: domainNames are only supported in Accept (Allow) rules: accept the names, then deny the rest in a later rule`
    case 'baseline_not_default':
      return `Invalid value: ${q(issue.name)}: Only one baseline admin network policy with metadata.name="default" can be created in the cluster`
    case 'file_not_found':
      return 'no such file or directory'
    case 'file_unreadable':
      return `cannot read: ${issue.message}`
    case 'helm_chart':
      return `a Helm chart, not manifests: render it first: helm template RELEASE ${issue.chart} | netpol … -f -`
    case 'go_template':
      return issue.chart !== undefined
        ? `a Go template ({{ … }}), not a manifest: render its chart first: helm template RELEASE ${issue.chart} | netpol … -f -`
        : 'a Go template ({{ … }}), not a manifest: render it first (helm template, or the tool that owns it) and give the result with -f -'
  }
}

// the API server's words (ValidateService, ValidateNonSpecialIP), with what to write instead
const SERVICE_IP_PROBLEMS: Record<ServiceIpProblem, (input: string) => string> = {
  'first-not-cluster-ip': (v) => `${v}: the first value must match clusterIP (clusterIPs[0] is clusterIP; with clusterIPs, set clusterIP too)`,
  'too-many': (v) => `${v}: may only hold up to 2 values (one IPv4 and one IPv6 address)`,
  'same-family': (v) => `${v}: may specify no more than one IP for each IP family; expected one IPv4 and one IPv6 address`,
  'none-with-others': (v) => `${v}: must not have more than one value when clusterIP is "None" (a headless Service has no virtual address)`,
  unspecified: (v) => `${v} may not be unspecified (0.0.0.0, ::)`,
  loopback: (v) => `${v} may not be in the loopback range (127.0.0.0/8, ::1/128)`,
  'link-local': (v) => `${v} may not be in the link-local range (169.254.0.0/16, fe80::/10)`,
  'link-local-multicast': (v) => `${v} may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)`,
}

/** What a skipped kind is told: the kinds netpol reads (see api-kinds.ts). */
export const READ_KINDS = 'netpol reads Namespace, Pod, Service, Node, workload kinds, NetworkPolicy and the cluster policy kinds only'

/** A note as one sentence (the caller adds any `note:` prefix). */
export function formatNote(n: ModelNote): string {
  switch (n.code) {
    case 'unknown_kind_skipped':
      if (n.apiVersion !== undefined) return `${shown(n.apiVersion)} ${shown(n.kind)} ${n.name ? shown(n.name) : '(unnamed)'} skipped: a custom resource, not the Kubernetes ${n.kind}`
      return `${shown(n.kind)} ${n.name ? shown(n.name) : '(unnamed)'} skipped: ${READ_KINDS}`
    case 'generated_name':
      return `${shown(n.kind)} ${n.namespace ? `${shown(n.namespace)}/` : ''}${shown(n.name)} is named from generateName ${q(n.generateName)}: the API server adds 5 random characters, netpol 5 derived from the object`
    case 'namespace_created':
      return `namespace ${n.namespace} is not declared; assumed to exist because ${n.referencedBy} is in it`
    case 'template_skipped_pods_present':
      return `${n.kind} ${n.namespace}/${n.name}: pod template not used because pods matching its selector are present`
    case 'pod_not_running_skipped':
      return `Pod ${n.namespace}/${n.name} skipped: its phase is ${shown(n.phase)}`
    case 'duplicate_object':
      return `${shown(n.kind)} ${n.namespace ? `${shown(n.namespace)}/` : ''}${shown(n.name)} is given more than once; the last one is used`
    case 'workload_no_replicas_skipped':
      return `${n.kind} ${n.namespace}/${n.name} skipped: it runs no pod (replicas 0, suspended, or a finished Job)`
    case 'template_owned_skipped':
      return `${n.kind} ${n.namespace}/${n.name} skipped: its owner ${n.owner} stands for its pods`
    case 'template_skipped_no_live_pods':
      return `${n.kind} ${n.namespace}/${n.name} skipped: it comes from a live cluster whose pods are in the input, and none of them is its`
    case 'tool_files_skipped': {
      const files = n.files.map((f) => `${f.file} (${f.tool === 'kustomize' ? 'kustomize' : 'Helm values'})`).join(', ')
      const dirs = [...new Set(n.files.filter((f) => f.tool === 'kustomize').map((f) => (f.file.includes('/') ? f.file.slice(0, f.file.lastIndexOf('/')) : '.')))]
      const kustomize =
        dirs.length > 0
          ? `; the files beside a kustomization are read as they are, without its changes: to evaluate what it builds, give kubectl kustomize ${dirs.length === 1 ? dirs[0] : 'DIR'} | netpol … -f -`
          : ''
      return `skipped ${n.files.length} file${n.files.length === 1 ? '' : 's'} that hold${n.files.length === 1 ? 's' : ''} no Kubernetes objects: ${files}${kustomize}`
    }
    case 'no_manifests':
      return `no manifests in ${n.path}: ${n.files < 0 ? 'it holds no objects' : n.files === 0 ? 'it holds no .yaml, .yml or .json file' : `its ${n.files === 1 ? 'file holds' : `${n.files} files hold`} no objects`}`
  }
}

/** The field a port number was read from, by its path: port, endPort, containerPort, targetPort. */
function portField(path: Path): string {
  const last = path[path.length - 1]
  return typeof last === 'string' ? last : 'port'
}

function article(what: string): string {
  if (what === 'null') return 'null'
  return /^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`
}
