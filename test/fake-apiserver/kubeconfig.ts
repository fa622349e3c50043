/**
 * Kubeconfig files pointing at a fake API server, for tests: a cluster with the fake's CA (inline, or as a
 * file next to the kubeconfig), a user with its bearer token (or its client certificate), and a context.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { FakeApiServer } from './fake-apiserver.js'

export interface FakeKubeconfigOptions {
  /** context name (default `fake`); the cluster and user are named after it */
  readonly context?: string
  /** a token other than the fake's (to test 401) */
  readonly token?: string
  /** authenticate with the fake's client certificate instead of a token */
  readonly clientCert?: boolean
  /** the CA written to the file (default the fake's; `other` for one that did not sign the server's certificate) */
  readonly ca?: 'fake' | 'other'
  /** write the CA as a file `ca.crt` beside the kubeconfig, referred to by a relative path */
  readonly caFile?: boolean
  /** the server URL (default the fake's) */
  readonly server?: string
  /** the namespace of the context */
  readonly namespace?: string
}

const b64 = (s: string) => Buffer.from(s).toString('base64')

/** The YAML of a kubeconfig for the fake (see FakeKubeconfigOptions). */
export function fakeKubeconfigYaml(fake: FakeApiServer, opts: FakeKubeconfigOptions = {}): string {
  const ctx = opts.context ?? 'fake'
  const ca = opts.ca === 'other' ? fake.certs.otherCa : fake.certs.ca
  const caLine = opts.caFile ? `    certificate-authority: ca-${ctx}.crt` : `    certificate-authority-data: ${b64(ca)}`
  const userLines = opts.clientCert
    ? [`    client-certificate-data: ${b64(fake.certs.clientCert)}`, `    client-key-data: ${b64(fake.certs.clientKey)}`]
    : [`    token: ${opts.token ?? fake.token}`]
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${ctx}`,
    'clusters:',
    `- name: ${ctx}-cluster`,
    '  cluster:',
    `    server: ${opts.server ?? fake.url}`,
    caLine,
    'users:',
    `- name: ${ctx}-user`,
    '  user:',
    ...userLines,
    'contexts:',
    `- name: ${ctx}`,
    '  context:',
    `    cluster: ${ctx}-cluster`,
    `    user: ${ctx}-user`,
    ...(opts.namespace ? [`    namespace: ${opts.namespace}`] : []),
    '',
  ].join('\n')
}

/** Writes a kubeconfig for the fake at `file` (and its CA file when asked); returns `file`. */
export function writeFakeKubeconfig(file: string, fake: FakeApiServer, opts: FakeKubeconfigOptions = {}): string {
  mkdirSync(dirname(file), { recursive: true })
  if (opts.caFile) writeFileSync(join(dirname(file), `ca-${opts.context ?? 'fake'}.crt`), opts.ca === 'other' ? fake.certs.otherCa : fake.certs.ca)
  writeFileSync(file, fakeKubeconfigYaml(fake, opts))
  return file
}
