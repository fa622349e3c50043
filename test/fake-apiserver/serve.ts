/**
 * The test suite's FAKE API server, run by hand (for the README's live lab, or to try the agent):
 *
 *   npx tsx test/fake-apiserver/serve.ts [--port N] [--kubeconfig FILE] [DIR...]
 *
 * Loads the manifests of each DIR (default examples/three-tier) as `kubectl apply -f DIR` would create them,
 * writes a kubeconfig for it (default /tmp/netpol-fake/kubeconfig, with a CA file beside it for curl), prints
 * the kubeconfig's path, the URL and the token, and serves until SIGINT/SIGTERM. It is not kube-apiserver:
 * it serves the resources netpol reads, GET/list/watch and POST/PUT/DELETE, nothing else (no PATCH, so no
 * `kubectl apply` of an object that exists).
 */
import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { applyExample } from './example.js'
import { FakeApiServer } from './fake-apiserver.js'
import { writeFakeKubeconfig } from './kubeconfig.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '0' }, kubeconfig: { type: 'string', default: '/tmp/netpol-fake/kubeconfig' } },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port "${values.port}": expected 0-65535\n`)
  process.exit(2)
}
const fake = await FakeApiServer.start({ port })
let objects = 0
for (const dir of positionals.length > 0 ? positionals : ['examples/three-tier']) objects += applyExample(fake, dir).length
const kubeconfig = writeFakeKubeconfig(resolve(values.kubeconfig!), fake)
const caFile = join(dirname(kubeconfig), 'ca.crt')
writeFileSync(caFile, fake.certs.ca)
process.stdout.write(
  [
    `fake API server (the test suite's, not kube-apiserver) on ${fake.url}: ${objects} objects`,
    `kubeconfig: ${kubeconfig}`,
    `CA: ${caFile}`,
    `token: ${fake.token}`,
    '',
  ].join('\n'),
)
const stop = () => void fake.close().then(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
