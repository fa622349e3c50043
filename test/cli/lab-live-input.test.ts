/**
 * `lab up --kubeconfig K` reads the lab's input from the cluster (the lab itself needs root and is tested in
 * test/lab/): the cluster, and the policies to write out for the lab's agent, as the API server returned them.
 */
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { expect, test } from 'vitest'
import { readLabInput } from '../../src/cli/commands/lab.js'
import { ExitError, type CliIO } from '../../src/cli/io.js'
import { writeFakeKubeconfig } from '../fake-apiserver/index.js'
import { fakeApiServer } from '../fake-apiserver/fixture.js'
import { scratchDir } from '../scratch-dir.js'

const api = fakeApiServer()
const dir = scratchDir('netpol-lab-live-')

function io(): { io: CliIO; err: () => string } {
  const stderr = new PassThrough()
  let err = ''
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  return { io: { stdout: new PassThrough(), stderr, readStdin: async () => '' }, err: () => err }
}

test('with --kubeconfig: the pods of the cluster, and every policy as the API server returned it', async () => {
  const kubeconfig = writeFakeKubeconfig(join(dir.path(), 'k'), api.server, { context: 'prod' })
  const { cluster, policyDocs } = await readLabInput({ filename: [], kubeconfig }, io().io)
  expect(cluster.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(api.server.all('Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name}`))
  expect(policyDocs).toEqual(api.server.all('NetworkPolicy'))
})

test('with neither -f nor --kubeconfig/--context: no input, as before (a lab is not built from the current context by accident)', async () => {
  const t = io()
  await expect(readLabInput({ filename: [] }, t.io)).rejects.toBeInstanceOf(ExitError)
  expect(t.err()).toBe('error: no input: give at least one -f FILE|DIR|-\n')
})
