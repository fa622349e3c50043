import { podAllowed, type Reachability } from '../../analysis/reachability.js'
import { outsideAllowed, type OutsideComparison } from '../../analysis/lab-outside.js'
import type { ClusterIndex } from '../../engine/cluster-index.js'
import { writeMatrixReport, type Sink } from '../../report/matrix-report.js'

/**
 * `lab probe -o json`: the schema of `netpol matrix -o json` (`{"pods": [...], "results": [{"port", "protocol",
 * "allowed": [[...]]}]}`), and without outside hosts exactly its bytes. Outside hosts follow the pods in `pods`,
 * named by their address: allowed[pod][host] is the pod's connection to the host, allowed[host][pod] the
 * host's to the pod, allowed[host][host] is false (that traffic never crosses the cluster).
 */
export async function writeLabJson(measured: Reachability, outside: OutsideComparison | null, index: ClusterIndex, write: Sink): Promise<void> {
  if (outside === null || outside.hosts.length === 0) return writeMatrixReport(measured, write)
  const n = measured.pods.length
  const names = [...measured.pods.map((p) => `${p.namespace}/${p.name}`), ...outside.hosts.map((h) => h.text)]
  const total = names.length
  await write(`{"pods": ${JSON.stringify(names)},\n "results": [`)
  for (let k = 0; k < measured.results.length; k++) {
    const m = measured.results[k]!
    await write(`${k ? ',' : ''}\n  {"port": ${m.port}, "protocol": "${m.protocol}", "allowed": [`)
    for (let i = 0; i < total; i++) {
      const row: boolean[] = []
      for (let j = 0; j < total; j++) {
        if (i < n && j < n) row.push(podAllowed(measured, m, i, j))
        else if (i >= n && j >= n) row.push(false)
        else row.push(outsideAllowed(outside, index, k, i, j))
      }
      await write(`${i ? ',' : ''}\n   [${row.join(',')}]`)
    }
    await write(`${total ? '\n  ' : ''}]}`)
  }
  await write(`${measured.results.length ? '\n ' : ''}]}\n`)
}
