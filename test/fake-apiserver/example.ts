/**
 * An example directory of manifests put into a FAKE API server object by object (as `kubectl apply -f DIR`
 * would create them), and the objects as `kubectl get … -A -o json` would print them: the tests and the
 * README read the same example from both.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { FakeApiServer } from './fake-apiserver.js'
import { FAKE_RESOURCES, type Obj } from './resources.js'

/** The objects of every .yaml/.yml file under `dir` (sorted, recursive), in reading order. */
export function exampleObjects(dir: string): Obj[] {
  const out: Obj[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...exampleObjects(path))
    else if (/\.ya?ml$/.test(name)) for (const d of parseAllDocuments(readFileSync(path, 'utf8'))) if (d.contents !== null) out.push(d.toJS() as Obj)
  }
  return out
}

/** Applies every object of `dir` to the fake; returns the stored copies (with uid and resourceVersion). */
export function applyExample(fake: FakeApiServer, dir = 'examples/three-tier'): Obj[] {
  return fake.apply(...exampleObjects(dir))
}

/** Every object the fake holds, as one `kind: List` (what `kubectl get ns,pods,svc,netpol,… -A -o json` prints). */
export function dumpList(fake: FakeApiServer): { apiVersion: 'v1'; kind: 'List'; items: Obj[] } {
  return { apiVersion: 'v1', kind: 'List', items: FAKE_RESOURCES.flatMap((r) => fake.all(r.kind)) }
}
