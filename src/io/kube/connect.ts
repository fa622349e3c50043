/** The kubeconfig found as kubectl finds it (see kube-config.ts) and a client for its context, in one step. */
import { createKubeClient, type KubeClient, type KubeClientOptions } from './kube-client.js'
import { loadKubeConfig, type KubeConfigOptions, type LoadedKubeConfig } from './kube-config.js'
import { ok, type KubeResult } from './kube-error.js'

export interface Connection {
  readonly config: LoadedKubeConfig
  readonly client: KubeClient
}

/** Loads the kubeconfig and makes its client; no request is sent yet. Never throws. */
export function connect(opts: KubeConfigOptions & KubeClientOptions = {}): KubeResult<Connection> {
  const config = loadKubeConfig(opts)
  if (!config.ok) return config
  return ok({ config: config.value, client: createKubeClient(config.value, opts) })
}
