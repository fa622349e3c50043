/**
 * Problems found in user input, as data. Messages are made by the CLI's renderer, never stored here.
 * Every issue carries the field path inside its object; the loader adds file, line and object.
 */
export type Path = readonly (string | number)[]

export type ModelIssue =
  | { code: 'yaml_syntax'; path: Path; message: string; line?: number; column?: number }
  | { code: 'not_an_object'; path: Path; expected: string; got: string }
  | { code: 'wrong_type'; path: Path; expected: string; got: string }
  | { code: 'required'; path: Path; expected: string }
  | { code: 'invalid_name'; path: Path; input: string; expected: string }
  | { code: 'invalid_label_key'; path: Path; input: string; expected: string }
  | { code: 'invalid_label_value'; path: Path; input: string; expected: string }
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
  | { code: 'invalid_port_name'; path: Path; input: string; expected: string }
  | { code: 'end_port_inverted'; path: Path; port: number; endPort: number }
  | { code: 'end_port_without_numeric_port'; path: Path; port: string | null }
  | { code: 'invalid_policy_type'; path: Path; input: string }
  | { code: 'too_many_policy_types'; path: Path; count: number }
  | { code: 'unknown_field'; path: Path; field: string; known: readonly string[] }
  | { code: 'duplicate_value'; path: Path; input: string }
  | { code: 'selector_mismatch'; path: Path; selector: string; labels: string }
  | { code: 'file_not_found'; path: Path; file: string }
  | { code: 'file_unreadable'; path: Path; file: string; message: string }
  /** a Helm chart directory (it holds Chart.yaml): its templates must be rendered first */
  | { code: 'helm_chart'; path: Path; chart: string }
  /** a file of Go template text (`{{ .Values.x }}`) that does not read as manifests; `chart` when it is a chart's template */
  | { code: 'go_template'; path: Path; chart?: string }

/** Notes are not errors: the input is usable, but the user should know what was assumed or skipped. */
export type ModelNote =
  | { code: 'unknown_kind_skipped'; kind: string; name: string }
  | { code: 'namespace_created'; namespace: string; referencedBy: string }
  | { code: 'template_skipped_pods_present'; kind: string; namespace: string; name: string }
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
  readonly file: string
  readonly doc: number
  readonly line?: number
  readonly column?: number
  readonly object?: ObjectRef
  readonly issue: ModelIssue
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: ModelIssue[] }

/** `['spec','ingress',0,'from',1]` → `spec.ingress[0].from[1]` */
export function toDotPath(path: Path): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? part : `.${part}`
  }
  return out
}

/** A bug in netpol, never a user mistake. */
export class InternalError extends Error {
  override name = 'InternalError'
}
