/**
 * Certificates for the fake API server, made with the `openssl` command at test start: a CA, a server
 * certificate for 127.0.0.1 and localhost signed by it, and a client certificate (CN = user, O = group) for
 * client-certificate authentication. Made once per process and shared.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)
/** openssl, or an error that says what to install */
const run = (cmd: string, args: readonly string[]) =>
  execFileP(cmd, args).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error(`the fake API server makes its certificates with \`${cmd}\`: install the Debian package openssl (apt-get install -y openssl)`)
    throw err
  })

export interface FakeCerts {
  /** PEM of the CA that signed both certificates */
  readonly ca: string
  readonly serverCert: string
  readonly serverKey: string
  /** a client certificate for the user `clientUser` (CN) in group `system:masters` (O) */
  readonly clientCert: string
  readonly clientKey: string
  readonly clientUser: string
  /** PEM of a CA that signed nothing here: a kubeconfig that trusts it fails certificate verification */
  readonly otherCa: string
}

let made: Promise<FakeCerts> | undefined

/** The certificates, made on the first call (about 0.1 s). */
export function fakeCerts(): Promise<FakeCerts> {
  made ??= makeCerts()
  return made
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

async function makeCerts(): Promise<FakeCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-certs-'))
  const p = (f: string) => join(dir, f)
  try {
    const ca = async (name: string) =>
      run('openssl', ['req', '-x509', ...EC, '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`])
    const leaf = async (name: string, subj: string, ext: string) => {
      await writeFile(p(`${name}.ext`), ext)
      await run('openssl', ['req', ...EC, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj])
      await run('openssl', ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.crt`), '-days', '2', '-extfile', p(`${name}.ext`)])
    }
    await Promise.all([ca('ca'), ca('other-ca')])
    await leaf('server', '/CN=fake-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
    await leaf('client', '/O=system:masters/CN=fake-admin', 'extendedKeyUsage=clientAuth\n')
    const read = (f: string) => readFile(p(f), 'utf8')
    return {
      ca: await read('ca.crt'),
      serverCert: await read('server.crt'),
      serverKey: await read('server.key'),
      clientCert: await read('client.crt'),
      clientKey: await read('client.key'),
      clientUser: 'fake-admin',
      otherCa: await read('other-ca.crt'),
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
