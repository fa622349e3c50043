/**
 * Problems found in user input, as data. Messages are made by the CLI's renderer, never stored here.
 * Every issue carries the field path inside its object; the loader adds file, line and object.
 */
import type { Origin } from './source.js'

export type Path = readonly (string | number)[]

/**
 * What a name, label key or label value broke: a rule (`expected`), or only a length limit (`max`, of `part`
 * of a label key when given), which is reported alone as upstream does ("must be no more than 63 characters").
 */
export type NameRule = { readonly expected: string } | { readonly max: number; readonly part?: 'name part' | 'prefix' }

export type ModelIssue =
  | { code: 'yaml_syntax'; path: Path; message: string; line?: number; column?: number }
  | { code: 'duplicate_key'; path: Path; key: string }
  | { code: 'not_an_object'; path: Path; expected: string; got: string }
  | { code: 'wrong_type'; path: Path; expected: string; got: string }
  | { code: 'required'; path: Path; expected: string }
  | ({ code: 'invalid_name'; path: Path; input: string } & NameRule)
  | ({ code: 'invalid_label_key'; path: Path; input: string } & NameRule)
  | ({ code: 'invalid_label_value'; path: Path; input: string } & NameRule)
  | ({ code: 'invalid_annotation_key'; path: Path; input: string } & NameRule)
  | { code: 'annotations_too_large'; path: Path; bytes: number; max: number }
  | { code: 'unknown_operator'; path: Path; operator: string }
  | { code: 'values_required'; path: Path; operator: string }
  | { code: 'values_forbidden'; path: Path; operator: string }
  | { code: 'peer_empty'; path: Path }
  | { code: 'peer_ipblock_with_selector'; path: Path }
  | { code: 'invalid_cidr'; path: Path; input: string }
  | { code: 'invalid_ip'; path: Path; input: string }
  | { code: 'except_outside_cidr'; path: Path; cidr: string; except: string }
  | { code: 'invalid_protocol'; path: Path; input: string }
  | { code: 'invalid_port_number'; path: Path; input: number }
  | ({ code: 'invalid_port_name'; path: Path; input: string } & NameRule)
  | { code: 'end_port_inverted'; path: Path; port: number; endPort: number }
  | { code: 'end_port_without_numeric_port'; path: Path; port: string | null }
  | { code: 'invalid_policy_type'; path: Path; input: string }
  | { code: 'too_many_policy_types'; path: Path; count: number }
  | { code: 'unknown_field'; path: Path; field: string; known: readonly string[] }
  | { code: 'duplicate_value'; path: Path; input: string }
  | { code: 'selector_mismatch'; path: Path; selector: string; labels: string }
  | { code: 'service_ip'; path: Path; input: string; problem: ServiceIpProblem }
  | { code: 'negative_count'; path: Path; input: number }
  | { code: 'unserved_api_version'; path: Path; apiVersion: string; kind: string; served: string; removed: boolean }
  | { code: 'unknown_kind'; path: Path; kind: string; apiVersion: string; suggestion: string; served: string }
  // The OpenAPI limits and CEL rules of the sig-network-policy-api CRDs (ClusterNetworkPolicy, AdminNetworkPolicy,
  // BaselineAdminNetworkPolicy), in the API server's terms.
  /** an enum field holding another value (`Unsupported value`) */
  | { code: 'unsupported_value'; path: Path; input: string; supported: readonly string[] }
  /** an integer outside the schema's minimum/maximum */
  | { code: 'out_of_range'; path: Path; input: number; min: number; max: number }
  /** a list longer than maxItems (`Too many`) */
  | { code: 'too_many_items'; path: Path; count: number; max: number }
  /** a list shorter than minItems */
  | { code: 'too_few_items'; path: Path; count: number; min: number }
  /** a string longer than maxLength (characters) */
  | { code: 'too_long'; path: Path; length: number; max: number }
  /** an object with minProperties 1 and maxProperties 1 holding none or several of `fields` ("exactly one field must be set") */
  | { code: 'exactly_one_field'; path: Path; set: readonly string[]; fields: readonly string[] }
  /** an object with minProperties 1 holding none of `fields` */
  | { code: 'empty_object'; path: Path; fields: readonly string[] }
  /** a domainNames entry that does not match the CRD's DomainName pattern */
  | { code: 'invalid_domain_name'; path: Path; input: string }
  /** PortRange: "self.start < self.end" */
  | { code: 'port_range_not_increasing'; path: Path; start: number; end: number }
  /** the experimental channel's egress rule check: a named port with a peer that has no named ports */
  | { code: 'named_port_without_pods'; path: Path; peers: readonly string[] }
  /** domainNames in a rule whose action is not Accept/Allow ("only supported for Accept rules") */
  | { code: 'domain_names_not_accept'; path: Path; action: string }
  /** BaselineAdminNetworkPolicy: "self.metadata.name == 'default'" */
  | { code: 'baseline_not_default'; path: Path; name: string }
  | { code: 'file_not_found'; path: Path; file: string }
  | { code: 'file_unreadable'; path: Path; file: string; message: string }
  /** a Helm chart directory (it holds Chart.yaml): its templates must be rendered first */
  | { code: 'helm_chart'; path: Path; chart: string }
  /** a file of Go template text (`{{ .Values.x }}`) that does not read as manifests; `chart` when it is a chart's template */
  | { code: 'go_template'; path: Path; chart?: string }

/** What is wrong with a Service's clusterIP(s) or externalIPs, beyond not being an address (ValidateService). */
export type ServiceIpProblem = 'first-not-cluster-ip' | 'too-many' | 'same-family' | 'none-with-others' | 'unspecified' | 'loopback' | 'link-local' | 'link-local-multicast'

/** Notes are not errors: the input is usable, but the user should know what was assumed or skipped. */
export type ModelNote =
  | { code: 'unknown_kind_skipped'; kind: string; name: string; apiVersion?: string }
  | { code: 'generated_name'; kind: string; namespace: string; generateName: string; name: string }
  | { code: 'namespace_created'; namespace: string; referencedBy: string }
  | { code: 'template_skipped_pods_present'; kind: string; namespace: string; name: string }
  /** a workload whose spec asks for no pods (replicas 0, a suspended Job or CronJob): it stands for nothing */
  | { code: 'workload_no_replicas_skipped'; kind: string; namespace: string; name: string }
  /** a workload owned by another workload of the input (a Deployment's ReplicaSet, a CronJob's Job): the owner stands for it */
  | { code: 'template_owned_skipped'; kind: string; namespace: string; name: string; owner: string }
  /** a live workload (it has a uid) in an input that holds live pods, none of which is its: it runs no pod now */
  | { code: 'template_skipped_no_live_pods'; kind: string; namespace: string; name: string }
  | { code: 'pod_not_running_skipped'; namespace: string; name: string; phase: string }
  | { code: 'duplicate_object'; kind: string; namespace: string; name: string }
  /** files of other tools, skipped by name: kustomization.yaml, Helm values*.yaml */
  | { code: 'tool_files_skipped'; files: readonly { readonly file: string; readonly tool: 'kustomize' | 'helm-values' }[] }
  /** a path given with -f from which no document was read; `files`: how many manifest files a directory held (-1 for a file) */
  | { code: 'no_manifests'; path: string; files: number }

/** The object an issue belongs to, as far as it could be read. */
export interface ObjectRef {
  readonly kind: string
  readonly namespace?: string
  readonly name?: string
}

/**
 * An issue placed in the input: file, document index inside the file (0-based), and, once the loader has
 * looked it up, the 1-based line and column of `issue.path` in that document.
 */
export interface LocatedIssue {
  /** originName(origin): what messages print */
  readonly file: string
  readonly doc: number
  /** absent for a file on disk; see originOf */
  readonly origin?: Origin
  readonly line?: number
  readonly column?: number
  readonly object?: ObjectRef
  readonly issue: ModelIssue
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: ModelIssue[] }

/** A key written after a dot; any other key (a label key with "." or "/", say) is written in brackets. */
export const PLAIN_KEY = /^[A-Za-z0-9_-]+$/

/**
 * `['spec','ingress',0,'from',1]` → `spec.ingress[0].from[1]`; a key that is not plain is quoted in brackets,
 * so a label key's dots are not read as steps: `metadata.labels["example.com/a"]`.
 */
export function toDotPath(path: Path): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (!PLAIN_KEY.test(part)) out += `[${JSON.stringify(part)}]`
    else out += out === '' ? part : `.${part}`
  }
  return out
}

/** A bug in netpol, never a user mistake. */
export class InternalError extends Error {
  override name = 'InternalError'
}
