/**
 * The JSON contract of `matrix -o classes`: the matrix of equivalence classes, for clusters whose pod matrix nobody
 * can read (10¹⁰ cells at 100,000 pods). Computed from the same classes and per-port answers as the pod matrix
 * (analysis/class-pairs.ts), written as a stream.
 */
import type { Reachability } from '../analysis/reachability.js'
import { classPairs } from '../analysis/class-pairs.js'
import { axesOf, podName, type MatrixAxes, type Sink } from './matrix-report.js'

/**
 * `{"classes": [{"namespace": "shop", "pods": ["shop/web-1", ...]}, ...], "results": [{"port": 80, "protocol":
 * "TCP", "allowed": [{"from": [0, 3], "to": [[0, 2], [5, 5]]}, ...]}]}` — the stable contract. A class is its
 * index in `classes`: pods no policy can tell apart (one namespace, the same labels, named ports and ipBlock
 * memberships; with cluster policies also whether hostNetwork, and which `networks` CIDRs and which `nodes`
 * peers' node addresses hold the address), in input order. Each `allowed` entry says that every class of `from` may open a connection to
 * every class of the inclusive ranges of `to`, for two different pods (a pod may always reach itself); pairs
 * no entry names are denied. Each class appears in at most one `from` per port. When rows and columns differ
 * (--from-namespace, --to-namespace), `from` holds only classes of the rows and `to` only classes of the columns.
 */
export async function writeClassesReport(r: Reachability, write: Sink, axes?: MatrixAxes): Promise<void> {
  const a = axesOf(r, axes)
  const n = r.identities.classes.length
  let rows: ((k: number) => boolean) | undefined
  let columns: ((k: number) => boolean) | undefined
  if (!a.square || a.from.length !== r.pods.length) {
    // a class lies in one namespace, and the axes are chosen by namespace: its first pod says where it is
    const inRows = new Uint8Array(r.pods.length)
    const inColumns = new Uint8Array(r.pods.length)
    for (const i of a.from) inRows[i] = 1
    for (const i of a.to) inColumns[i] = 1
    rows = (c) => inRows[r.identities.classes[c]!.members[0]!] === 1
    columns = (c) => inColumns[r.identities.classes[c]!.members[0]!] === 1
  }
  const cp = classPairs(r, rows, columns)
  // written in pieces of ~64 KB (one write per class was 74,365 writes at 100k pods)
  let text = '{"classes": ['
  for (let k = 0; k < n; k++) {
    const c = r.identities.classes[cp.order[k]!]!
    text += `${k ? ',' : ''}\n  {"namespace": ${JSON.stringify(c.namespace)}, "pods": ${JSON.stringify(c.members.map((i) => podName(r, i)))}}`
    if (text.length > 1 << 16) {
      await write(text)
      text = ''
    }
  }
  await write(`${text}${n ? '\n ' : ''}],\n "results": [`)
  for (let p = 0; p < cp.results.length; p++) {
    const res = cp.results[p]!
    await write(`${p ? ',' : ''}\n  {"port": ${res.port}, "protocol": "${res.protocol}", "allowed": [`)
    let chunk = ''
    for (let i = 0; i < res.groups.length; i++) {
      const g = res.groups[i]!
      let to = ''
      for (let j = 0; j < g.to.length; j += 2) to += `${j ? ', ' : ''}[${g.to[j]}, ${g.to[j + 1]}]`
      chunk += `${i ? ',' : ''}\n   {"from": [${g.from.join(', ')}], "to": [${to}]}`
      if (chunk.length > 1 << 16) {
        await write(chunk)
        chunk = ''
      }
    }
    await write(`${chunk}${res.groups.length ? '\n  ' : ''}]}`)
  }
  await write(`${cp.results.length ? '\n ' : ''}]}\n`)
}
