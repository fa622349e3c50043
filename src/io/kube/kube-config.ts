/**
 * Which cluster to read and with which credentials, found as kubectl finds them: `--kubeconfig FILE`, else
 * the files of `KUBECONFIG` (colon-separated, merged: the first file to name a cluster, user or context, or to
 * set current-context, wins; missing files are skipped), else `~/.kube/config`, else the in-cluster service
 * account (token and CA under /var/run/secrets/kubernetes.io/serviceaccount, server from
 * KUBERNETES_SERVICE_HOST/PORT) when running in a pod. `--context` picks a context other than the current one.
 * Parsing and authentication (tokens, client certificates, exec and auth-provider plugins) are
 * @kubernetes/client-node's KubeConfig.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import { delimiter, join } from 'node:path'
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node'
import { fail, ok, type KubeResult, type LookedFor } from './kube-error.js'

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'
/** The context name of the in-cluster configuration. */
export const IN_CLUSTER_CONTEXT = 'in-cluster'

export interface KubeConfigOptions {
  /** --kubeconfig: this file only (it must exist) */
  readonly kubeconfig?: string
  /** --context: this context instead of current-context */
  readonly context?: string
  /** the environment (default process.env): KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** where a pod's service-account token, ca.crt and namespace are (default SERVICE_ACCOUNT_DIR) */
  readonly serviceAccountDir?: string
}

/** A kubeconfig resolved to one context, ready to make authenticated requests (see createKubeClient). */
export interface LoadedKubeConfig {
  /** the context's name (`in-cluster` for the service account) */
  readonly context: string
  /** the API server URL, e.g. https://10.0.0.1:6443 */
  readonly server: string
  /** the kubeconfig user's name, for messages */
  readonly user: string
  /** the context's default namespace, when it sets one (the pod's own namespace in-cluster) */
  readonly namespace?: string
  /** the files the configuration came from, or ['in-cluster'] */
  readonly files: readonly string[]
  /** client-node's KubeConfig, its current context set; `applyToHTTPSOptions` authenticates a request */
  readonly kc: KubeConfig
}

/** Finds and loads the kubeconfig (see the module comment). Never throws. */
export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeResult<LoadedKubeConfig> {
  const env = opts.env ?? process.env
  const looked: LookedFor[] = []
  let files: string[]
  if (opts.kubeconfig !== undefined) {
    if (!existsSync(opts.kubeconfig)) return fail({ code: 'bad_kubeconfig', file: opts.kubeconfig, problem: 'no such file' })
    files = [opts.kubeconfig]
  } else if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter((f) => f !== '')
    files = listed.filter((f) => existsSync(f))
    if (files.length === 0) looked.push({ what: 'KUBECONFIG', found: `${listed.join(delimiter)} (no such file)` })
  } else {
    const home = env.HOME
    const config = home ? join(home, '.kube', 'config') : undefined
    files = config !== undefined && existsSync(config) ? [config] : []
    looked.push({ what: 'KUBECONFIG', found: 'not set' })
    if (files.length === 0) looked.push({ what: '~/.kube/config', found: config !== undefined ? `${config} (no such file)` : 'HOME not set' })
  }
  if (files.length === 0) {
    const inCluster = loadInCluster(env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, looked)
    if (inCluster) return inCluster
    return fail({ code: 'no_kubeconfig', looked })
  }
  const merged = new KubeConfig()
  const clusters: Cluster[] = []
  const users: User[] = []
  const contexts: Context[] = []
  let current: string | undefined
  for (const file of files) {
    const kc = new KubeConfig()
    try {
      kc.loadFromFile(file)
    } catch (err) {
      return fail({ code: 'bad_kubeconfig', file, problem: problemOf(err) })
    }
    // first wins, as kubectl merges (client-node's mergeConfig lets later files win and throws on duplicates)
    addNew(clusters, kc.getClusters())
    addNew(users, kc.getUsers())
    addNew(contexts, kc.getContexts())
    current ||= kc.getCurrentContext() || undefined
  }
  const fileText = files.join(delimiter)
  const name = opts.context ?? current
  if (name === undefined) {
    return fail({ code: 'bad_kubeconfig', file: fileText, problem: `no current-context is set; pass --context (contexts: ${contexts.map((c) => c.name).join(', ') || 'none'})` })
  }
  const ctx = contexts.find((c) => c.name === name)
  if (!ctx) return fail({ code: 'unknown_context', file: fileText, context: name, available: contexts.map((c) => c.name) })
  const cluster = clusters.find((c) => c.name === ctx.cluster)
  if (!cluster) return fail({ code: 'bad_kubeconfig', file: fileText, problem: `context "${name}" names cluster "${ctx.cluster}", which is not defined` })
  if (!users.some((u) => u.name === ctx.user)) {
    return fail({ code: 'bad_kubeconfig', file: fileText, problem: `context "${name}" names user "${ctx.user}", which is not defined` })
  }
  const user = users.find((u) => u.name === ctx.user)!
  for (const [field, file] of [['certificate-authority', cluster.caFile], ['client-certificate', user.certFile], ['client-key', user.keyFile]] as const) {
    if (file && !existsSync(file)) return fail({ code: 'bad_kubeconfig', file: fileText, problem: `${field} ${file} of context "${name}": no such file` })
  }
  merged.loadFromOptions({ clusters, users, contexts, currentContext: name })
  return ok({ context: name, server: cluster.server, user: ctx.user, ...(ctx.namespace ? { namespace: ctx.namespace } : {}), files, kc: merged })
}

function addNew<T extends { name: string }>(into: T[], from: readonly T[]): void {
  for (const x of from) if (!into.some((y) => y.name === x.name)) into.push(x)
}

function problemOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  // an empty file or one that is not a mapping fails inside client-node with a TypeError
  if (err instanceof TypeError) return 'not a kubeconfig: the file is empty or not a YAML mapping'
  return msg.split('\n')[0]!
}

/**
 * The service-account configuration of a pod, when there is one: KUBERNETES_SERVICE_HOST and _PORT set and a
 * token file in `dir`. Records what it looked for in `looked` when there is none.
 */
function loadInCluster(env: Readonly<Record<string, string | undefined>>, dir: string, looked: LookedFor[]): KubeResult<LoadedKubeConfig> | undefined {
  const host = env.KUBERNETES_SERVICE_HOST
  const port = env.KUBERNETES_SERVICE_PORT
  const tokenFile = join(dir, 'token')
  const hasToken = existsSync(tokenFile)
  if (!host || !port || !hasToken) {
    const missing = [!host || !port ? 'KUBERNETES_SERVICE_HOST/PORT not set' : '', hasToken ? '' : `${tokenFile} (no such file)`].filter((s) => s !== '')
    looked.push({ what: 'in-cluster service account', found: missing.join(', ') })
    return undefined
  }
  if (!existsSync(join(dir, 'ca.crt'))) return fail({ code: 'bad_kubeconfig', file: dir, problem: 'in-cluster service account without ca.crt' })
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`
  const nsFile = join(dir, 'namespace')
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : ''
  const kc = new KubeConfig()
  kc.addAuthenticator(new TokenFileAuth())
  kc.loadFromOptions({
    clusters: [{ name: IN_CLUSTER_CONTEXT, server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: IN_CLUSTER_CONTEXT, authProvider: { name: TOKEN_FILE_PROVIDER, config: { path: tokenFile } } }],
    contexts: [{ name: IN_CLUSTER_CONTEXT, cluster: IN_CLUSTER_CONTEXT, user: IN_CLUSTER_CONTEXT, ...(namespace ? { namespace } : {}) }],
    currentContext: IN_CLUSTER_CONTEXT,
  })
  return ok({ context: IN_CLUSTER_CONTEXT, server, user: 'service account', ...(namespace ? { namespace } : {}), files: [IN_CLUSTER_CONTEXT], kc })
}

const TOKEN_FILE_PROVIDER = 'netpol-service-account-token'
const TOKEN_REREAD_MS = 60_000

/**
 * The service-account token, read again every minute: projected tokens are rotated by the kubelet (about
 * hourly). Trimmed, so a token file written with a newline still makes a valid header.
 */
class TokenFileAuth {
  private token = ''
  private readAt = 0

  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: string } | undefined)?.name === TOKEN_FILE_PROVIDER
  }

  async applyAuthentication(user: User, opts: { headers?: Record<string, unknown> }): Promise<void> {
    const path = (user.authProvider as { config: { path: string } }).config.path
    if (this.token === '' || Date.now() - this.readAt > TOKEN_REREAD_MS) {
      this.token = readFileSync(path, 'utf8').trim()
      this.readAt = Date.now()
    }
    opts.headers ??= {}
    opts.headers.Authorization = `Bearer ${this.token}`
  }
}
