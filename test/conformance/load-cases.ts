import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isSeq, parseDocument } from 'yaml'

/** "The protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP." */
export type CaseProtocol = 'TCP' | 'UDP' | 'SCTP'
export const CASE_PROTOCOLS: readonly CaseProtocol[] = ['TCP', 'UDP', 'SCTP']

/**
 * One probe of a case: may `from` open a connection to `to` on `port`/`protocol`?
 * `from` and `to` are `namespace/podName` or an IP address that belongs to no pod of the case.
 */
export interface ConformanceExpectation {
  from: string
  to: string
  port: number
  protocol: CaseProtocol
  allowed: boolean
}

/** One little cluster (multi-document YAML in `resources`) and what must hold in it. */
export interface ConformanceCase {
  /** basename of the case file, e.g. `ip-block.yaml` */
  file: string
  name: string
  /** the sentence of the Kubernetes API reference or concepts page the expectations follow from */
  spec?: string
  /**
   * The case's whole cluster: the objects of its `base` file (when it names one), then its own. Runners read
   * only this, so a base file is a way of writing, not a second kind of case.
   */
  resources: string
  /** the base cluster the case starts from: `cases/base/NAME.yaml` */
  base?: string
  expect: ConformanceExpectation[]
}

/** A structural problem of a case file: where it is (`path` inside the file's YAML) and what is wrong. */
export interface CaseFileIssue {
  file: string
  path: readonly (string | number)[]
  message: string
}

export const CASES_DIR: string = fileURLToPath(new URL('./cases/', import.meta.url))

/**
 * Base clusters shared by many cases (the upstream suites of sig-network-policy-api run every step against one
 * set of namespaces and pods): `cases/base/NAME.yaml`, multi-document YAML. A case names one with `base: NAME`.
 */
export const BASES_DIR = 'base'

/** Reads the text of base cluster `name`; undefined when there is no such base. */
export type BaseReader = (name: string) => string | undefined

const CASE_KEYS = new Set(['name', 'spec', 'base', 'resources', 'expect'])
const EXPECT_KEYS = new Set(['from', 'to', 'port', 'protocol', 'allowed'])

type Plain = Record<string, unknown>
const isPlainObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Parses the text of one case file. Never throws: YAML errors and fields of the wrong shape are
 * returned as issues, and a case with any issue is left out of `cases`. `protocol` defaults to TCP.
 * A case's `base` is read with `readBase` and put before its own resources.
 */
export function parseCaseFile(file: string, text: string, readBase: BaseReader = () => undefined): { cases: ConformanceCase[]; issues: CaseFileIssue[] } {
  const issues: CaseFileIssue[] = []
  const issue = (path: readonly (string | number)[], message: string): void => {
    issues.push({ file, path, message })
  }
  const doc = parseDocument(text, { uniqueKeys: true })
  for (const e of doc.errors) issue([], `YAML: ${e.message}`)
  if (doc.errors.length > 0) return { cases: [], issues }
  if (!isSeq(doc.contents)) {
    issue([], 'a case file holds a YAML list of cases')
    return { cases: [], issues }
  }
  const raw: unknown = doc.toJS()
  const items = Array.isArray(raw) ? raw : []
  const cases: ConformanceCase[] = []
  items.forEach((item: unknown, i: number) => {
    const before = issues.length
    if (!isPlainObject(item)) {
      issue([i], 'a case is a mapping')
      return
    }
    for (const k of Object.keys(item)) if (!CASE_KEYS.has(k)) issue([i, k], `unknown key "${k}"`)
    const { name, spec, base, resources, expect } = item
    if (typeof name !== 'string' || name.trim() === '') issue([i, 'name'], 'name must be a non-empty string')
    if (spec !== undefined && typeof spec !== 'string') issue([i, 'spec'], 'spec must be a string')
    let baseText: string | undefined
    if (base !== undefined) {
      if (typeof base !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(base)) issue([i, 'base'], 'base must be the name of a file of cases/base/ (without .yaml)')
      else if ((baseText = readBase(base)) === undefined) issue([i, 'base'], `no base cluster ${BASES_DIR}/${base}.yaml`)
    }
    if (typeof resources !== 'string' || resources.trim() === '') issue([i, 'resources'], 'resources must be a non-empty YAML string')
    const expectations: ConformanceExpectation[] = []
    if (!Array.isArray(expect) || expect.length === 0) issue([i, 'expect'], 'expect must be a non-empty list')
    else
      expect.forEach((e: unknown, j: number) => {
        const path = [i, 'expect', j]
        if (!isPlainObject(e)) {
          issue(path, 'an expectation is a mapping')
          return
        }
        for (const k of Object.keys(e)) if (!EXPECT_KEYS.has(k)) issue([...path, k], `unknown key "${k}"`)
        const protocol = e.protocol ?? 'TCP'
        if (typeof e.from !== 'string') issue([...path, 'from'], 'from must be a string (quote IPv6 addresses)')
        if (typeof e.to !== 'string') issue([...path, 'to'], 'to must be a string (quote IPv6 addresses)')
        if (typeof e.port !== 'number' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535)
          issue([...path, 'port'], 'port must be an integer in 1..65535')
        if (!CASE_PROTOCOLS.includes(protocol as CaseProtocol)) issue([...path, 'protocol'], 'protocol must be TCP, UDP or SCTP')
        if (typeof e.allowed !== 'boolean') issue([...path, 'allowed'], 'allowed must be true or false')
        expectations.push({
          from: String(e.from),
          to: String(e.to),
          port: Number(e.port),
          protocol: protocol as CaseProtocol,
          allowed: e.allowed === true,
        })
      })
    if (issues.length > before) return
    const own = resources as string
    const all = baseText === undefined ? own : `${baseText.replace(/\n*$/, '')}\n---\n${own}`
    const c: ConformanceCase = { file, name: name as string, resources: all, expect: expectations }
    if (typeof spec === 'string') c.spec = spec
    if (typeof base === 'string') c.base = base
    cases.push(c)
  })
  return { cases, issues }
}

/** Reads and parses every `*.yaml` file of `dir`, in file-name order; bases come from `dir/base/`. */
export function readCaseFiles(dir: string = CASES_DIR): { cases: ConformanceCase[]; issues: CaseFileIssue[] } {
  const cases: ConformanceCase[] = []
  const issues: CaseFileIssue[] = []
  const bases = new Map<string, string | undefined>()
  const readBase: BaseReader = (name) => {
    if (!bases.has(name)) {
      const path = join(dir, BASES_DIR, `${name}.yaml`)
      bases.set(name, existsSync(path) ? readFileSync(path, 'utf8') : undefined)
    }
    return bases.get(name)
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
  for (const f of files) {
    const r = parseCaseFile(f, readFileSync(join(dir, f), 'utf8'), readBase)
    cases.push(...r.cases)
    issues.push(...r.issues)
  }
  return { cases, issues }
}

/**
 * Every conformance case of `test/conformance/cases/*.yaml`, protocol defaulted to TCP.
 * Throws when a file is malformed, listing every issue, so no runner silently skips a case.
 */
export function loadConformanceCases(dir: string = CASES_DIR): ConformanceCase[] {
  const { cases, issues } = readCaseFiles(dir)
  if (issues.length > 0)
    throw new Error(`malformed conformance case files:\n${issues.map((x) => `  ${x.file} ${x.path.join('.')}: ${x.message}`).join('\n')}`)
  return cases
}
