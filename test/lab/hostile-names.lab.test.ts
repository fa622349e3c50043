/**
 * Hostile-looking input against the real components. The rule under test: names, labels and values from the
 * input never reach nft text unescaped; nft identifiers are derived, human names live only in escaped comments.
 * - valid input that looks like nft syntax or sits at the length limits (fixtures/hostile/cluster.yaml): the lab
 *   measures what the engine predicts, the kernel's listing of the agent's table holds no input outside comments,
 *   and the flow log keeps every name exact;
 * - invalid input (quotes, semicolons, newlines, braces, unicode, ...) in every field that carries a name: the
 *   agent exits 2 with file:line and the field path, and the table in force does not change by one byte.
 * The parts that need root (lab, scratch network namespace) are skipped elsewhere; `npm run build` first (the
 * CLI runs as `node dist/cli/main.js`, as users run it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadManifests } from '../../src/io/load-manifests.js'
import { buildCluster } from '../../src/model/build-cluster.js'
import type { Cluster } from '../../src/model/cluster.js'
import type { LabelSelector } from '../../src/model/label-selector.js'
import { parseCidr, parseIp } from '../../src/model/ip.js'
import { compilePolicies, LOG_PREFIX } from '../../src/dataplane/compile-policies.js'
import { renderTransaction } from '../../src/dataplane/nft-transaction.js'
import { planTransaction } from '../../src/dataplane/table-generations.js'
import { evaluateFlow, indexCluster, podEndpoint } from '../../src/engine/index.js'
import { FlowLog } from '../../src/agent/flow-log.js'
import { LAB_NETNS_PREFIXES, planLab } from '../../src/lab/index.js'
import { listNetns } from '../../src/lab/lab-state.js'
import { labPodInputs } from '../../src/cli/commands/lab.js'
import { acquireLabLock } from '../lab-lock.js'
import { hostSupports } from '../requirements.js'
import { BUILT_CLI, PROJECT_ROOT, runBuiltCli } from '../cli/built-cli.js'

const isRoot = hostSupports('the hostile-names lab (hostile-names.lab.test.ts)', ['ip', 'sysctl', 'nft', 'python3'])
const root = PROJECT_ROOT
const MAIN = BUILT_CLI
const FIXTURE = join(root, 'test/lab/fixtures/hostile/cluster.yaml')
/** the scratch namespace of this file; never `netpol-lab…` (the lab removes those) */
const NETNS = 'netpol-hostile-test'

let release: (() => void) | null = null
beforeAll(async () => {
  if (isRoot) release = await acquireLabLock()
}, 30 * 60_000)
afterAll(() => {
  release?.()
})

// ---------------------------------------------------------------------------------------------------------
// Helpers

const netpol = runBuiltCli

const inNetns = (...argv: string[]): string => execFileSync('ip', ['netns', 'exec', NETNS, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const ruleset = () => inNetns('nft', 'list', 'ruleset')
const listTable = (name: string) => inNetns('nft', 'list', 'table', 'inet', name)

/** A stack trace line, as Node prints them. */
const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m

async function loadFixture(): Promise<Cluster> {
  const r = await loadManifests([FIXTURE])
  expect(r.issues).toEqual([])
  return r.cluster
}

/** Every name, namespace, label key and value and port name the input holds: what must never reach rule text. */
function inputNames(c: Cluster): Set<string> {
  const names = new Set<string>()
  const labels = (l: Readonly<Record<string, string>>) => Object.entries(l).forEach(([k, v]) => names.add(k).add(v))
  const selector = (s: LabelSelector) => s.requirements.forEach((r) => [r.key, ...r.values].forEach((x) => names.add(x)))
  for (const ns of c.namespaces.values()) {
    names.add(ns.name)
    labels(ns.labels)
  }
  for (const p of c.pods) {
    names.add(p.namespace).add(p.name)
    labels(p.labels)
    for (const port of p.ports) if (port.name !== undefined) names.add(port.name)
  }
  for (const p of c.policies) {
    names.add(p.namespace).add(p.name)
    selector(p.podSelector)
    for (const rule of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
      if (rule.ports !== 'any') for (const spec of rule.ports) if (spec.port.kind === 'named') names.add(spec.port.name)
      if (rule.peers === 'any') continue
      for (const peer of rule.peers) {
        if (peer.kind !== 'pods') continue
        selector(peer.podSelector)
        if (peer.namespaces.kind === 'selector') selector(peer.namespaces.selector)
      }
    }
  }
  names.delete('')
  return names
}

/** The words of nft's grammar that netpol writes (and nft lists back); nothing else may stand outside a string. */
const NFT_WORDS = new Set(
  (
    'add delete flush table inet element rule map set type ipv4_addr ipv6_addr mark inet_proto inet_service verdict flags interval ' +
    'comment elements = chain hook forward input output priority filter policy accept drop return jump goto ct state ' +
    'established related invalid new untracked icmpv6 nd-router-solicit nd-router-advert nd-neighbor-solicit ' +
    'nd-neighbor-advert ip ip6 saddr daddr vmap meta l4proto th dport counter packets bytes limit rate burst log prefix ' +
    'group queue-threshold or | . : * tcp udp sctp'
  ).split(' '),
)
/**
 * Names netpol gives its sets, maps and chains: fixed words, or hashes of what they stand for, never input text;
 * all but the base chains and the writer set carry the suffix of their generation (a random number in base 36).
 */
const DERIVED_NAME = /^(((sel|net|eg|in|allow|pass|podnet|known|nodeaddr|managed)[46]|unknown_(in|eg)|ports|np_(eg|in)[46]|allowed[46]|(eg|in)[46]_[0-9a-z]{11}x*)_g[0-9a-z]{1,7}|writer|pods_forward|pods_to_node)$/
/** nftComment's output alphabet */
const COMMENT_TEXT = /^[A-Za-z0-9 ._/:=,+@()%-]*$/
const LOG_TEXT = new RegExp(`^${LOG_PREFIX} ((drop|audit) (ingress|egress)( unknown)?|accept (ingress|egress))$`)

const isAddressText = (t: string): boolean => {
  const parts = t.includes('::') || !t.includes(':') ? t.split(/-(?=[0-9a-f:])/) : [t]
  return parts.every((p) => parseIp(p) !== null || parseCidr(p) !== null)
}
const isNumberText = (t: string) => /^\d+(-\d+)?$/.test(t) || /^\d+\/second$/.test(t) || /^0x[0-9a-f]{8}(-0x[0-9a-f]{8})?$/.test(t)

/**
 * Problems with nft text (what netpol sends, or what the kernel lists back) for table `table`: quoted strings
 * other than comments and netpol's log prefix; comments outside nftComment's alphabet; tokens outside the
 * grammar words, numbers, addresses and derived names; object names that are not derived; any input name
 * outside a string. `comments` receives the comments' text.
 */
function nftTextProblems(text: string, table: string, names: ReadonlySet<string>, comments: string[] = []): string[] {
  const problems: string[] = []
  let bare = text.replace(/"([^"]*)"/g, (quoted, inner: string, at: number) => {
    const before = text.slice(Math.max(0, at - 12), at)
    if (before.endsWith('comment ')) {
      comments.push(inner)
      if (!COMMENT_TEXT.test(inner)) problems.push(`comment with characters nftComment never writes: ${quoted}`)
    } else if (before.endsWith('log prefix ')) {
      if (!LOG_TEXT.test(inner)) problems.push(`log prefix that is not netpol's: ${quoted}`)
    } else problems.push(`a quoted string that is not a comment: ${quoted} after "${before}"`)
    return '""'
  })
  // the table's own name (the --table option, not input) where nft syntax puts it
  bare = bare.replace(new RegExp(`\\btable inet ${table}\\b`, 'g'), 'table inet TABLE')
  bare = bare.replace(new RegExp(`\\b(add|delete|flush) (set|map|chain|rule|element) inet ${table}\\b`, 'g'), '$1 $2 TABLE')
  const tokens = bare.split(/[\s{},;]+/).filter((t) => t !== '')
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1] ?? ''
    // what follows these words names a chain, set or map (`ct mark set VALUE` is a statement, not a set), and so
    // does what follows the table in a command (`add rule inet TABLE NAME …`)
    const namesObject =
      t !== 'TABLE' &&
      (['chain', 'map', 'jump', 'goto'].includes(prev) || (prev === 'set' && tokens[i - 2] !== 'mark') || (prev === 'TABLE' && ['set', 'map', 'chain', 'rule', 'element'].includes(tokens[i - 2] ?? '')))
    if (t.startsWith('@') || namesObject) {
      if (!DERIVED_NAME.test(t.replace(/^@/, ''))) problems.push(`object name "${t}" (after "${prev}") is not a derived name`)
    } else if (!(NFT_WORDS.has(t) || t === '""' || t === 'TABLE' || DERIVED_NAME.test(t) || isNumberText(t) || isAddressText(t))) {
      problems.push(`token "${t}" is not nft syntax that netpol writes`)
    }
  })
  const tokenSet = new Set(tokens)
  for (const n of names) {
    // a name that is also an nft word may stand where the grammar has that word (checked above); other names
    // may not stand anywhere outside a string, neither as a token nor inside one
    if (NFT_WORDS.has(n)) continue
    if (tokenSet.has(n) || (n.length >= 5 && bare.includes(n))) problems.push(`input name "${n}" outside a comment`)
  }
  return problems
}

/** Each policy is named in some comment (names longer than the comment limit as a prefix ending in "..."). */
function policiesInComments(c: Cluster, comments: readonly string[]): string[] {
  const refs = new Set<string>()
  for (const text of comments) {
    const m = /^(ingress|egress): (.*)$/.exec(text)
    if (m) for (const r of m[2]!.split(' ')) refs.add(r)
  }
  const named = (ref: string) => refs.has(ref) || [...refs].some((r) => r.endsWith('...') && r.length > 10 && ref.startsWith(r.slice(0, -3)))
  return c.policies.map((p) => `${p.namespace}/${p.name}`).filter((ref) => !named(ref))
}

// ---------------------------------------------------------------------------------------------------------
// 1. Real packets

describe.runIf(isRoot).sequential('a cluster of nft-looking names on real packets', () => {
  test('netpol lab run -f fixture -o json: every measured cell agrees with the engine, exit 0', async () => {
    const lab = await netpol(['lab', 'run', '-f', FIXTURE, '-o', 'json'])
    console.log(`lab run on the hostile-names fixture: ${Math.round(lab.ms)} ms`)
    expect(lab.err).not.toMatch(STACK_LINE)
    expect(lab.err).toContain('agent (enforce): rules applied')
    expect(lab.err).toMatch(/lab vs engine \(IPv4\): (\d+) cells measured, \1 agree, 0 disagree, 0 failed/)
    // the fixture's ipBlocks: their outside hosts, both ways, agree too
    expect(lab.err).toMatch(/lab vs engine, outside hosts \(IPv4, \d+ hosts?, both ways\): (\d+) cells measured, \1 agree, 0 disagree, 0 failed/)
    expect(lab.code).toBe(0)
    const matrix = await netpol(['matrix', '-f', FIXTURE, '-o', 'json'])
    expect(matrix.code).toBe(0)
    type Json = { pods: string[]; results: { allowed: boolean[][] }[] }
    const got = JSON.parse(lab.out) as Json
    const want = JSON.parse(matrix.out) as Json
    const n = want.pods.length
    // the pods' block is the matrix; the outside hosts follow, named by their addresses
    expect(got.pods.slice(0, n)).toEqual(want.pods)
    expect(got.results.map((r) => r.allowed.slice(0, n).map((row) => row.slice(0, n)))).toEqual(want.results.map((r) => r.allowed))
    // both ends of every pair: 8 pods, the names exact
    expect(want.pods).toEqual((await loadFixture()).pods.map((p) => `${p.namespace}/${p.name}`))
    expect(await listNetns(LAB_NETNS_PREFIXES)).toEqual([])
  }, 120_000)
})

// ---------------------------------------------------------------------------------------------------------
// 2, 3. The agent's table in a scratch namespace

interface HostileField {
  readonly field: string
  /** a unique piece of the fixture, and what replaces it */
  readonly find: string
  readonly replace: (hostile: string) => string
  /** the field path the error must name */
  readonly path: string
  /** hostile values for this field only, besides its two of HOSTILE */
  readonly extra?: readonly string[]
}

const J = (s: string) => JSON.stringify(s)
/** Values the API server rejects, each trying to become nft syntax, a second line, or invisible text. */
const HOSTILE = [
  'x"; flush ruleset; #',
  'a\nflush ruleset',
  '$(nft flush ruleset)',
  '} ; delete table inet netpol ; {',
  '#drop',
  'back\\slash',
  'dröp-ünïcode',
  'has space',
  "it's; accept",
  '10.0.0.0/8"; flush ruleset; #',
  'a\u202eb',
]
const FIELDS: HostileField[] = [
  { field: 'NetworkPolicy name', find: '  name: flush\n', replace: (h) => `  name: ${J(h)}\n`, path: 'metadata.name' },
  { field: 'Namespace name', find: '  name: kube-system\n  labels', replace: (h) => `  name: ${J(h)}\n  labels`, path: 'metadata.name' },
  { field: 'namespace of a Pod', find: '  name: fwd\n  namespace: netpol\n', replace: (h) => `  name: fwd\n  namespace: ${J(h)}\n`, path: 'metadata.namespace' },
  { field: 'Pod name', find: '  name: ruleset\n', replace: (h) => `  name: ${J(h)}\n`, path: 'metadata.name' },
  { field: 'label key', find: '{app: fwd, example.com/x: define}', replace: (h) => `{app: fwd, ${J(h)}: define}`, path: 'metadata.labels[' },
  { field: 'label value', find: '{app: c, role: accept}', replace: (h) => `{app: c, role: ${J(h)}}`, path: 'metadata.labels.role' },
  { field: 'container port name', find: '{name: drop, containerPort: 8080, protocol: TCP}', replace: (h) => `{name: ${J(h)}, containerPort: 8080, protocol: TCP}`, path: 'spec.containers[0].ports[0].name' },
  { field: 'policy port name', find: '    - port: drop\n', replace: (h) => `    - port: ${J(h)}\n`, path: 'spec.ingress[0].ports[0].port' },
  { field: 'ipBlock cidr', find: '{cidr: 10.244.0.14/32}', replace: (h) => `{cidr: ${J(h)}}`, path: 'spec.egress[1].to[0].ipBlock.cidr', extra: ['10.244.0.14/32 } ; flush ruleset'] },
  { field: 'ipBlock except', find: 'except: [10.244.0.11/32]', replace: (h) => `except: [${J(h)}]`, path: 'spec.ingress[0].from[0].ipBlock.except[0]', extra: ['10.244.0.11/32\n10.0.0.0/8'] },
  { field: 'selector label value', find: 'matchLabels: {a.b-c/d_e.f: A-b_C.9z}', replace: (h) => `matchLabels: {a.b-c/d_e.f: ${J(h)}}`, path: 'spec.egress[0].to[0].podSelector.matchLabels["a.b-c/d_e.f"]' },
  { field: 'matchExpressions key', find: '{key: name-ref, operator: In, values: [fwd, netpol]}', replace: (h) => `{key: ${J(h)}, operator: In, values: [fwd, netpol]}`, path: 'spec.podSelector.matchExpressions[0].key' },
  { field: 'matchExpressions value', find: '{key: name-ref, operator: In, values: [fwd, netpol]}', replace: (h) => `{key: name-ref, operator: In, values: [fwd, ${J(h)}]}`, path: 'spec.podSelector.matchExpressions[0].values[1]' },
]
/** Two hostile values per field (every value used at least once), and the field's own. */
const CASES = FIELDS.flatMap((f, i) => [HOSTILE[(2 * i) % HOSTILE.length]!, HOSTILE[(2 * i + 1) % HOSTILE.length]!, ...(f.extra ?? [])].map((hostile) => ({ ...f, hostile })))

/** The fixture with one field made hostile, and the line that holds it. */
function hostileVariant(fixture: string, c: HostileField & { hostile: string }): { text: string; line: number } {
  expect(fixture.split(c.find).length, `"${c.find}" must occur once in the fixture`).toBe(2)
  const text = fixture.replace(c.find, c.replace(c.hostile))
  const at = text.indexOf(J(c.hostile))
  expect(at).toBeGreaterThan(0)
  return { text, line: text.slice(0, at).split('\n').length }
}

describe.runIf(isRoot).sequential('the agent in a scratch namespace', () => {
  let dir = ''
  const OTHER = 'table inet other {\n\tchain c {\n\t\ttype filter hook forward priority 10; policy accept;\n\t\ttcp dport 22 counter accept comment "not netpol\'s"\n\t}\n}\n'
  let otherBefore = ''

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netpol-hostile-'))
    // left over from an interrupted run: start clean
    if (execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').some((l) => l.split(' ')[0] === NETNS)) execFileSync('ip', ['netns', 'del', NETNS])
    execFileSync('ip', ['netns', 'add', NETNS])
    execFileSync('ip', ['netns', 'exec', NETNS, 'nft', '-f', '-'], { input: OTHER })
    otherBefore = listTable('other')
  })
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NETNS])
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  test('the compiled ruleset loads; its listing holds input names only inside comments; table inet other stays', async () => {
    const cluster = await loadFixture()
    // --flow-log adds the logging rules (log prefix, nflog group) to the table; --once starts no ulogd
    const r = await netpol(['agent', '-f', FIXTURE, '--all-pods', '--once', '--netns', NETNS, '--flow-log', join(dir, 'flows.jsonl')])
    expect(r.err).toMatch(/table inet netpol replaced in \d+ ms: 8 managed pods/)
    expect(r.code).toBe(0)
    const listing = listTable('netpol')
    expect(listing).toContain('log prefix "netpol drop ingress"')
    const comments: string[] = []
    const names = inputNames(cluster)
    expect(names.size).toBeGreaterThan(40)
    expect(nftTextProblems(listing, 'netpol', names, comments)).toEqual([])
    // the human names are there, in comments
    expect(policiesInComments(cluster, comments)).toEqual([])
    // every pod, by address, in the selector map and in the pass set: none merged with another
    for (const p of cluster.pods) for (const ip of p.ips) expect(listing).toMatch(new RegExp(`[ {]${ip.text.replace(/\./g, '\\.')} \\. ${ip.text.replace(/\./g, '\\.')}[,\\n ]`))
    expect(listTable('other')).toBe(otherBefore)
    expect(inNetns('nft', 'list', 'tables')).toBe('table inet other\ntable inet netpol\n')
  }, 60_000)

  test.each(CASES.map((c) => ({ ...c, shown: J(c.hostile) })))('a hostile $field ($shown): exit 2, file:line and field path, the rules in force stay byte for byte', async (c) => {
    const fixture = readFileSync(FIXTURE, 'utf8')
    const { text, line } = hostileVariant(fixture, c)
    const file = join(dir, 'hostile.yaml')
    writeFileSync(file, text)
    const before = ruleset()
    expect(before).toContain('table inet netpol')
    const r = await netpol(['agent', '-f', file, '--all-pods', '--once', '--netns', NETNS])
    expect(r.err).not.toMatch(STACK_LINE)
    expect(r.err).not.toContain('internal error')
    expect(r.code).toBe(2)
    // one line per issue: the hostile text never breaks a line or prints raw
    const lines = r.err.trimEnd().split('\n')
    for (const l of lines) expect(l).toMatch(/^(\d{4}-\d\d-\d\dT\S+ |  \/)/)
    const issue = lines.find((l) => l.startsWith(`  ${file}:${line}:`))
    expect(issue, `no issue at ${file}:${line} in:\n${r.err}`).toBeDefined()
    expect(issue).toContain(`: ${c.path}`)
    expect(r.err).toContain('the rules in force stay')
    expect(ruleset()).toBe(before)
  }, 30_000)

  test('watch mode: a hostile change is refused, the rules in force stay; the valid file again changes nothing', async () => {
    const fixture = readFileSync(FIXTURE, 'utf8')
    const file = join(dir, 'watched.yaml')
    const write = (text: string) => {
      writeFileSync(`${file}.tmp`, text)
      renameSync(`${file}.tmp`, file)
    }
    write(fixture)
    const child = spawn(process.execPath, [MAIN, 'agent', '-f', file, '--all-pods', '--netns', NETNS], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const err = stderrWatcher(child)
      await err.waitFor(/table inet netpol (replaced|changed)|no change/)
      const before = ruleset()
      const { text } = hostileVariant(fixture, { ...FIELDS[0]!, hostile: HOSTILE[0]! })
      write(text)
      const failed = await err.waitFor(/load failed.*\n(  .*\n)+/)
      expect(failed).toContain('metadata.name: "x\\"; flush ruleset; #" is not a valid name')
      expect(ruleset()).toBe(before)
      write(fixture)
      await err.waitFor(/no change/)
      expect(ruleset()).toBe(before)
      child.kill('SIGINT')
      expect(await err.exit).toBe(0)
      expect(err.text()).toContain('stopped; the rules in force stay')
      expect(err.text()).not.toMatch(STACK_LINE)
      expect(ruleset()).toBe(before)
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }, 60_000)

  test('--uninstall removes table inet netpol and leaves table inet other as it was', async () => {
    const r = await netpol(['agent', '--uninstall', '--netns', NETNS])
    expect(r.code).toBe(0)
    expect(r.err).toBe('removed table inet netpol\n')
    expect(inNetns('nft', 'list', 'tables')).toBe('table inet other\n')
    expect(listTable('other')).toBe(otherBefore)
  }, 30_000)
})

/** Collects a child's stderr; `waitFor(re)` resolves with the first match that appears after the previous one. */
function stderrWatcher(child: ChildProcess): { waitFor(re: RegExp, ms?: number): Promise<string>; text(): string; exit: Promise<number | null> } {
  let text = ''
  let from = 0
  let wake: (() => void) | null = null
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString('utf8')
    wake?.()
  })
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return {
    text: () => text,
    exit,
    async waitFor(re, ms = 15_000) {
      const deadline = Date.now() + ms
      for (;;) {
        const m = re.exec(text.slice(from))
        if (m) {
          from += m.index + m[0].length
          return m[0]
        }
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${re} on the agent's stderr within ${ms} ms:\n${text}`)
        await new Promise<void>((r) => {
          wake = r
          setTimeout(r, 100)
        })
      }
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// Without root: the text netpol sends to nft, the flow log, and pods that differ in one character

describe('the same input without the kernel', () => {
  test('the nft text of a new generation holds input names only inside comments', async () => {
    const cluster = await loadFixture()
    const compiled = compilePolicies(cluster, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 100 })
    expect(compiled.errors).toEqual([])
    const comments: string[] = []
    // what the agent sends when it starts: the generation's objects, then the switch to them
    const plan = planTransaction(null, compiled.table, { from: 1, to: 2 ** 32 - 2 })
    const text = renderTransaction(plan.before!) + renderTransaction(plan.tx)
    expect(nftTextProblems(text, 'netpol', inputNames(cluster), comments)).toEqual([])
    expect(policiesInComments(cluster, comments)).toEqual([])
    // and the check itself sees a name where it must not be
    expect(nftTextProblems('table inet netpol {\n\tchain flood {\n\t\tjump drop\n\t}\n}\n', 'netpol', new Set(['flood']))).toEqual([
      'object name "flood" (after "chain") is not a derived name',
      'object name "drop" (after "jump") is not a derived name',
      'input name "flood" outside a comment',
    ])
    expect(nftTextProblems('table inet netpol {\n\tcomment "a\\"b"\n}\n', 'netpol', new Set())).not.toEqual([])
  })

  test('flow log lines for hostile-looking pods and policies are JSON with every name exact', async () => {
    const cluster = await loadFixture()
    const lines: string[] = []
    const log = new FlowLog({ write: (l) => lines.push(l), now: () => 1_000_000 })
    log.setCluster(cluster)
    const pod = (ns: string, prefix: string) => cluster.pods.find((p) => p.namespace === ns && p.name.startsWith(prefix))!
    const policy = (ns: string, prefix: string) => cluster.policies.find((p) => p.namespace === ns && p.name.startsWith(prefix))!
    const N63 = 'table-chain-flush-ruleset-accept-drop-counter-define-include-00'
    const cases = [
      { from: pod('a-b', 'c'), to: pod('a', 'b-c'), port: 8080, direction: 'ingress', by: policy('a', 'table') },
      { from: pod('drop', 'flush-'), to: pod('ip', 'inet'), port: 80, direction: 'egress', by: policy('drop', 'define-') },
      { from: pod(N63, 'log-'), to: pod('kube-system', 'ruleset'), port: 80, direction: 'egress', by: policy(N63, 'counter') },
      { from: pod('ip', 'inet'), to: cluster.pods.find((p) => p.name.endsWith('z1'))!, port: 8080, direction: 'ingress', by: policy(N63, 'chain') },
    ] as const
    const index = indexCluster(cluster)
    for (const c of cases) {
      const [from, to] = [podEndpoint(c.from, 4), podEndpoint(c.to, 4)]
      // the fixture denies these: what the ruleset would log
      expect(evaluateFlow(index, { from, to, port: c.port, protocol: 'TCP' }).allowed).toBe(false)
      const written = log.ingest(
        JSON.stringify({ 'oob.prefix': `${LOG_PREFIX} drop ${c.direction}`, 'oob.time.sec': 1767261600, 'ip.protocol': 6, src_ip: from.ip!.text, dest_ip: to.ip!.text, dest_port: c.port }),
      )
      expect(written).not.toBeNull()
    }
    expect(lines).toHaveLength(cases.length)
    lines.forEach((line, i) => {
      const c = cases[i]!
      expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true)
      const who = c.direction === 'ingress' ? `ingress to ${c.to.namespace}/${c.to.name}` : `egress of ${c.from.namespace}/${c.from.name}`
      expect(JSON.parse(line)).toEqual({
        time: '2026-01-01T10:00:00.000Z',
        verdict: 'denied',
        direction: c.direction,
        protocol: 'TCP',
        port: c.port,
        src: { ip: c.from.ips[0]!.text, namespace: c.from.namespace, pod: c.from.name },
        dst: { ip: c.to.ips[0]!.text, namespace: c.to.namespace, pod: c.to.name },
        reason: `${who}: isolated by ${c.by.namespace}/${c.by.name}; no rule matched`,
      })
    })
    // the 253-character names came through whole
    expect(lines.join('')).toContain(policy('drop', 'define-').name)
    expect(policy('drop', 'define-').name).toHaveLength(253)
  })

  test('36 pods whose 253-character names differ only in the last character stay 36 pods', () => {
    const ns = 'table-chain-flush-ruleset-accept-drop-counter-define-include-00'
    const stem = 'log-meta-counter-define-include-log-meta-counter-define-include.accept-drop-accept-drop-accept-drop-accept-drop-accept-dropzzzz.inet-ip-table-inet-ip-table-inet-ip-table-inet-ip-table-inet-ip.same-prefix-same-prefix-same-prefix-same-prefix-same-prefixz'
    const last = '0123456789abcdefghijklmnopqrstuvwxyz'.split('')
    const values: unknown[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      ...last.map((ch, i) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${stem}${ch}`, namespace: ns, labels: { app: `log-${ch}` } },
        spec: { containers: [{ name: 'log', image: 'example/log', ports: [{ name: 'log', containerPort: 8080 }] }] },
        status: { phase: 'Running', podIPs: [{ ip: `10.244.1.${i + 1}` }] },
      })),
      // only ...z0 may reach the others
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'chain', namespace: ns }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'log-0' } } }] }] } },
    ]
    const built = buildCluster(values.map((value, i) => ({ file: 'generated', doc: i, pathPrefix: [], value })))
    expect(built.issues).toEqual([])
    const c = built.cluster
    expect(c.pods.map((p) => p.name)).toEqual(last.map((ch) => `${stem}${ch}`))
    expect(c.pods[0]!.name).toHaveLength(253)
    // the engine: ...z0 reaches every other pod, ...z1 none
    const index = indexCluster(c)
    const allowed = (a: number, b: number) => evaluateFlow(index, { from: podEndpoint(c.pods[a]!, 4), to: podEndpoint(c.pods[b]!, 4), port: 8080, protocol: 'TCP' }).allowed
    expect(last.slice(1).map((_, i) => allowed(0, i + 1))).toEqual(last.slice(1).map(() => true))
    expect(last.map((_, i) => (i === 1 ? null : allowed(1, i))).filter((x) => x !== null)).toEqual(last.slice(1).map(() => false))
    // the ruleset: one ingress jump and one pass element per pod
    const compiled = compilePolicies(c, { managed: () => true, mode: 'enforce', table: 'netpol' })
    const set = (name: string) => compiled.table.sets.find((s) => s.name === name)!.elements
    expect(set('in4')).toHaveLength(36)
    expect(set('pass4')).toHaveLength(36)
    expect(new Set(set('in4').map((e) => String(e.key[0]!.lo))).size).toBe(36)
    // the lab: a namespace, a veth and a MAC address of its own for each
    const plan = planLab(labPodInputs(c))
    expect(plan.issues).toEqual([])
    expect(new Set(plan.pods.map((p) => p.id)).size).toBe(36)
    expect(new Set(plan.pods.map((p) => p.netns)).size).toBe(36)
    expect(new Set(plan.pods.map((p) => p.hostVeth)).size).toBe(36)
    expect(new Set(plan.pods.map((p) => p.mac)).size).toBe(36)
  })
})
