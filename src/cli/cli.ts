import { Command, CommanderError, Option } from 'commander'
import { ExitError, UsageError, type CliIO } from './io.js'

const collect = (value: string, previous: string[]): string[] => [...previous, value]
const fileOption = () => new Option('-f, --filename <path>', 'manifest file, directory (recursive) or - for stdin; repeatable; without -f the cluster of the kubeconfig context is read').argParser(collect).default([])

/** The options of every command that reads a live cluster when no -f is given (as kubectl finds it). */
const clusterOptions = (c: Command, what = 'read the cluster of this kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the pod\'s service account)') =>
  c
    .option('--kubeconfig <file>', `without -f: ${what}`)
    .option('--context <name>', "without -f: the kubeconfig context to read (default: its current-context)")

/**
 * -n/-A: which namespaces a command shows. The analysis always reads every namespace (their labels, and every
 * pod a policy can select); the default is all of them, whatever the kubeconfig context's namespace.
 */
const namespaceOptions = (c: Command, what: string) =>
  c
    .addOption(new Option('-n, --namespace <ns>', `show only ${what}; repeatable`).argParser(collect).default([], 'every namespace'))
    .option('-A, --all-namespaces', 'show every namespace (the default; as kubectl -A)')

/**
 * The table of commands. Each entry declares its options and loads its implementation only when it runs,
 * so `netpol check` does not pay for the agent's or the lab's imports.
 */
function define(program: Command, io: CliIO): void {
  const check = program
    .command('check')
    .description('may one endpoint open a connection to another? ALLOWED/DENIED with the reasons (exit 0 allowed, 1 denied, 2 bad input, 3 the answer depends on DNS)')
    .addOption(fileOption())
    .requiredOption('--from <endpoint>', 'source: NS/POD, an IP address, svc/NS/NAME, or a workload (deploy/NS/NAME, sts/, ds/, rs/, rc/, job/, cronjob/)')
    .requiredOption('--to <endpoint>', "destination: NS/POD, an IP address, svc/NS/NAME:PORT, a Service's clusterIP:PORT ([IPv6]:PORT), a workload (deploy/NS/NAME, sts/, ds/, ...), or a domain name NAME[:PORT] that --resolve maps")
    .option('--port <port>', 'PORT[/PROTOCOL] (TCP by default); optional when --to is a service port; for a clusterIP, the service port')
    .addOption(new Option('--family <family>', 'address family of the connection').choices(['4', '6']))
    .option('--resolve <name=ips>', 'NAME=IP[,IP]: what a domain name resolves to, for domainNames peers of cluster policies and a name as --to (netpol never asks DNS); repeatable', collect, [])
    .option('--resolve-file <file>', 'lines of NAME IP [IP...] (# comments), as --resolve; repeatable', collect, [])
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
  clusterOptions(check).action(async (opts) => (await import('./commands/check.js')).check(opts, io))

  const matrix = program
    .command('matrix')
    .description('who can talk to whom: one truth table per port (rows: from, columns: to)')
    .addOption(fileOption())
    .option('--port <port>', 'PORT[/PROTOCOL]; repeatable; default: every port a pod serves or a policy names', collect, [])
    .option('--from-namespace <ns>', 'rows (sources): only pods of this namespace; repeatable', collect, [])
    .option('--to-namespace <ns>', 'columns (destinations): only pods of this namespace, e.g. who reaches it from anywhere; repeatable', collect, [])
    .addOption(new Option('--family <family>', 'address family used for ipBlock matching (default: IPv4 if any pod has an IPv4 address)').choices(['4', '6']))
    .addOption(new Option('-o, --output <format>', 'output format; classes: JSON of the classes of pods and the class pairs allowed, for large clusters; dot and mermaid draw the graph of one port (or of any port without --port)').choices(['table', 'json', 'csv', 'md', 'classes', 'dot', 'mermaid']).default('table'))
    .addOption(new Option('--level <level>', 'with -o dot|mermaid: what a node is; auto: workloads up to 500, else classes (above 500 classes each namespace collapsed into one node)').choices(['auto', 'workload', 'class', 'namespace', 'pod']).default('auto'))
  namespaceOptions(clusterOptions(matrix), 'the pods of this namespace, as rows and as columns').action(async (opts) => (await import('./commands/matrix.js')).matrix(opts, io))

  const describe = program
    .command('describe')
    .description('policies resolved against the cluster: the pods each selects and what its rules admit now; `describe pod NS/NAME`: who may reach the pod and whom it may reach, and the cluster policies it meets in order')
    .argument('[names...]', 'NS/NAME of policies (default: all), cnp/NAME, anp/NAME, banp/default (cluster policies; `cnp` alone: every one of the kind), or `pod NS/NAME...`')
    .addOption(fileOption())
    .addOption(new Option('--family <family>', 'address family for describe pod (default: the pod\'s primary)').choices(['4', '6']))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
  namespaceOptions(clusterOptions(describe), 'the policies of this namespace (when none is named)').action(async (names: string[], opts) => (await import('./commands/describe.js')).describe(names, opts, io))

  const diff = program
    .command('diff')
    .description('connections that become allowed or denied between two versions of the manifests, with the policy change responsible')
    .argument('[old]', 'manifests before: file or directory')
    .argument('[new]', 'manifests after: file or directory')
    .addOption(new Option('-f, --filename <path>', 'with --git: a manifest file or directory to read at each revision; with --live: the manifests applied over the cluster; repeatable').argParser(collect).default([]))
    .option('--live', 'old: the live cluster; new: the live cluster with the -f manifests applied over it (as kubectl apply: same kind/namespace/name replaces, others are added, nothing is deleted)')
    .option('--git <revs>', 'read the -f paths at git revisions: REV..REV, REV...REV (from the merge base), or REV (against the working tree)')
    .option('--cluster <path>', 'manifests shared by both sides (e.g. pods and namespaces), read from disk; repeatable', collect, [])
    .option('--port <port>', 'PORT[/PROTOCOL]; repeatable; default: every port a pod serves or a policy names, on either side', collect, [])
    .addOption(new Option('--family <family>', 'address family used for ipBlock matching').choices(['4', '6']))
    .addOption(new Option('--fail-on <change>', 'exit 1 when a connection becomes allowed (added), denied (removed), or either (any)').choices(['added', 'removed', 'any']))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'md']).default('text'))
  namespaceOptions(clusterOptions(diff), 'the changes from or to pods of this namespace, and its policy, pod and namespace changes').action(async (oldPath: string | undefined, newPath: string | undefined, opts) => (await import('./commands/diff.js')).diff(oldPath, newPath, opts, io))

  const lint = program
    .command('lint')
    .description('a catalog of checks for common policy mistakes (NP001…): missing baselines, DNS, typos in selectors, ports, redundancy (exit 1 when an error-level finding remains)')
    .addOption(fileOption())
    .option('--disable <check>', 'a check id (NP004) or slug (selector-matches-nothing) to skip; repeatable', collect, [])
    .option('--config <file>', 'YAML: disable: [ids or slugs], severity: {NP001: warning}, minSeverity: warning, ignore: [{check: NP003, object: NS/NAME}]')
    .addOption(new Option('--min-severity <level>', 'drop findings less severe than this').choices(['error', 'warning', 'info']))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
  namespaceOptions(clusterOptions(lint), 'the findings on objects of this namespace').action(async (opts) => (await import('./commands/lint.js')).lint(opts, io))

  const generate = program
    .command('generate')
    .description('least-privilege NetworkPolicies from observed flows (Hubble, Calico, netpol agent, CSV), each rule with the flows that justify it; verified with the engine (exit 1 when an observed connection would be denied)')
    .option('--flows <file>', 'observed flows: Hubble JSON, Calico flow log, netpol flow log or CSV (src,dst,port,proto[,count]); gzip accepted; - for stdin; repeatable', collect, [])
    .addOption(fileOption())
    .option('-o, --output-dir <dir>', 'write one file per namespace (NAMESPACE.yaml) into DIR; default: one YAML stream on stdout, the summary on stderr')
    .option('--no-baseline', 'no default-deny policy per namespace')
    .option('--merge-cidrs <prefix>', 'merge external addresses into CIDRs of this length (e.g. /24; IPv6: plus 96), except the pod ranges; default: one /32 (/128) each')
  clusterOptions(generate).action(async (opts) => (await import('./commands/generate.js')).generate({ ...opts, output: opts.outputDir }, io))

  const serve = program
    .command('serve')
    .description('a page in the browser over the engine: the graph of who may talk to whom, why, the policies, and what a change would open or close (read only)')
    .addOption(fileOption())
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--address <addr>', 'address to listen on; anything but loopback lets others read the policies (a warning is printed)', '127.0.0.1')
    .option('--allow-host <name>', 'a further host name the page may be reached under (the Host header is checked against DNS rebinding); repeatable', collect, [])
  clusterOptions(serve, 'read and watch the cluster of this kubeconfig').action(async (opts) => (await import('./commands/serve.js')).serve(opts, io))

  program
    .command('agent')
    .description("enforce the policies on this node: keep one nftables table equal to the compiled policies for this node's pods (root)")
    .addOption(fileOption())
    // without -f: the cluster, followed with list+watch (in a pod: its ServiceAccount)
    .option('--kubeconfig <file>', 'without -f: the kubeconfig of the cluster to follow (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'without -f: the kubeconfig context (default: its current-context)')
    // from the downward API (spec.nodeName) in the DaemonSet
    .addOption(new Option('--node-name <node>', 'filter the pods whose spec.nodeName is this node').env('NODE_NAME'))
    .option('--node-ip <ip>', 'filter the pods whose status.hostIP is this address')
    .option('--pod-cidr <cidr>', 'filter the pods with an address in this range; repeatable', collect, [])
    .option('--all-pods', 'filter every pod of the input')
    .addOption(
      new Option('--unknown-pods <verdict>', "an address in the node's pod CIDRs (the Node's spec.podCIDRs, or --pod-cidr) that no known pod holds: drop (a new pod is isolated until its rules are in; default without -f) or allow (default with -f)").choices([
        'drop',
        'allow',
      ]),
    )
    // the environment variable lets a DaemonSet switch modes with one `kubectl set env`, its args untouched
    .addOption(new Option('--mode <mode>', 'enforce drops what the policies deny; audit only logs it').choices(['enforce', 'audit']).default('enforce').env('NETPOL_MODE'))
    .option('--metrics <addr>', 'serve /metrics, /healthz and /readyz on [HOST]:PORT, e.g. :9100')
    .option('--flow-log <file>', 'write one JSON line per denied (or audited) connection to FILE, or - for stdout (runs ulogd2)')
    .option('--flow-log-all', 'with --flow-log: also one JSON line per accepted new connection of a managed pod (deduplicated per flow every 10 s, rate-limited), to observe before enforcing')
    .option('--log-group <n>', 'nflog group of the log rules', '100')
    .option('--table <name>', 'the nftables table (family inet) netpol owns', 'netpol')
    .option('--netns <name>', 'apply inside this network namespace (ip netns exec NAME nft …)')
    .option('--strict', 'after a tightened ruleset, cut established connections it denies (conntrack -D)')
    .option('--once', 'compile and apply once, then exit; the rules stay in force')
    .option('--uninstall', 'remove the table and exit')
    .action(async (opts) => (await import('./commands/agent.js')).agent(opts, io))

  const audit = program
    .command('audit')
    .description('would the proposed policies break observed traffic? each observed connection checked with the engine (exit 1 if one would be denied, 2 bad input)')
    .option('--flows <file>', 'observed flows: Hubble JSON, Calico flow log, netpol\'s agent log or CSV (plain or gzip; - for stdin); repeatable', collect, [])
    .addOption(new Option('-f, --filename <path>', 'the cluster: manifest file or directory; repeatable; without -f the cluster of the kubeconfig context is read').argParser(collect).default([]))
    .option('--proposed <path>', 'the proposed policies (or any objects), applied over the cluster as kubectl apply would; repeatable', collect, [])
    .addOption(new Option('--format <format>', 'the format of every --flows input (default: detected per input from its first line)').choices(['hubble', 'calico', 'netpol', 'csv']))
    .option('--since <time>', 'only flows at or after this time: RFC 3339 (2026-12-07T14:00:00Z) or a duration before now (30m, 1h, 2d)')
    .option('--until <time>', 'only flows before this time (same forms as --since)')
    .addOption(new Option('-o, --output <format>', 'output format (md: for a pull request)').choices(['text', 'json', 'md']).default('text'))
  clusterOptions(audit).action(async (opts) => (await import('./commands/audit.js')).audit(opts, io))

  // the lab: subcommands inherit exitOverride and the output streams from `program`, set before define()
  const lab = program
    .command('lab')
    .description("the manifests' cluster as network namespaces with real servers, enforced by the agent: real connections against the engine's prediction (root)")
  const labName = (c: Command) => c.option('--name <name>', 'a lab of its own, beside any other (a-z, 0-9, -; at most 32); default: the one default lab')
  const labUpOptions = (c: Command) =>
    clusterOptions(labName(c), "build the lab from the pods of this kubeconfig's cluster (a cluster is read only when --kubeconfig or --context is given)")
      .addOption(new Option('-f, --filename <path>', 'manifest file, directory (recursive) or - for stdin; repeatable').argParser(collect).default([]))
      .option('--pod-cidr <cidr>', 'range for pods the input gives no address (one IPv4 and/or one IPv6; default 10.244.0.0/16); repeatable', collect, [])
      .option('--no-agent', 'do not run the agent: no policy is enforced')
      .addOption(new Option('--mode <mode>', "the agent's mode").choices(['enforce', 'audit']).default('enforce'))
      .option('--external <ip>', 'an outside host (routed through the node) to probe both ways, besides those the ipBlocks name; repeatable', collect, [])
      .option('--no-outside', "no outside hosts for the policies' ipBlocks: only the --external ones")
  const labProbeOptions = (c: Command) =>
    c
      .option('--port <port>', 'PORT[/PROTOCOL]; repeatable; default: the ports `netpol matrix` shows', collect, [])
      .addOption(new Option('--family <family>', 'address family of the probes (default: as `netpol matrix`)').choices(['4', '6']))
      .addOption(new Option('-o, --output <format>', 'output format; json is the `netpol matrix -o json` schema, the comparison goes to stderr').choices(['table', 'json']).default('table'))
      .option('--timeout-ms <ms>', 'per probe; no answer within it counts as dropped', '300')
  labUpOptions(lab.command('up').description('build the lab and apply the policies with `netpol agent --once`'))
    .action(async (opts) => (await import('./commands/lab.js')).labUpCommand(opts, io))
  labProbeOptions(labName(lab.command('probe')).description('open a real connection per (pod, pod, served port), and both ways between pods and the outside hosts; print the measured tables and where the engine disagrees (exit 1)'))
    .action(async (opts) => (await import('./commands/lab.js')).labProbeCommand(opts, io))
  labName(lab.command('down'))
    .description('remove the lab: namespaces, servers, rules (also after a crash)')
    .action(async (opts) => (await import('./commands/lab.js')).labDownCommand(opts, io))
  labProbeOptions(labUpOptions(lab.command('run').description('up, probe, down in one; the lab is removed on every way out; exit code of the probe')))
    .action(async (opts) => (await import('./commands/lab.js')).labRunCommand(opts, io))
}

/** What a program is called in its help and usage lines: `netpol`, or `kubectl netpol` when run as a kubectl plugin. */
export interface RunOptions {
  readonly name?: string
}

/**
 * The whole command table with its options, output and exit handling, before anything is parsed; `run` parses
 * with it. Tests use it to check command lines without running the commands.
 */
export async function buildProgram(argv: readonly string[], io: CliIO, opts: RunOptions = {}): Promise<Command> {
  const program = new Command()
    .name(opts.name ?? 'netpol')
    .description('Kubernetes NetworkPolicy: exact semantics, explanations, reachability')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
  // the version is read only when it is asked for: every other start-up skips the file
  const command = argv.findIndex((a) => !a.startsWith('-'))
  const beforeCommand = command < 0 ? argv : argv.slice(0, command)
  const wantsVersion = beforeCommand.some((a) => a === '--version' || a === '-V')
  program.version(wantsVersion ? (await import('./version.js')).packageVersion() : '', '-V, --version', "print netpol's version and exit")
  define(program, io)
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
  return program
}

export async function run(argv: readonly string[], io: CliIO, opts: RunOptions = {}): Promise<number> {
  const program = await buildProgram(argv, io, opts)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof ExitError) return err.code
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n`)
      return 2
    }
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    throw err
  }
}
