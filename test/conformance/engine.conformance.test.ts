import { evaluateFlow } from '../../src/engine/evaluate.js'
import { indexCluster } from '../../src/engine/cluster-index.js'
import { computeReachability, podAllowed } from '../../src/analysis/reachability.js'
import { referenceAllowed } from '../reference-evaluator.js'
import { runConformance } from './run-conformance.js'

runConformance({
  name: 'engine (evaluateFlow)',
  newEvaluator: (cluster) => {
    const index = indexCluster(cluster)
    return { allowed: (from, to, port, protocol) => evaluateFlow(index, { from, to, port, protocol }).allowed }
  },
})

runConformance({
  name: 'reference evaluator',
  newEvaluator: (cluster) => ({
    allowed: (from, to, port, protocol) =>
      referenceAllowed(cluster, from.kind === 'pod' ? { pod: from.pod, ip: from.ip } : { pod: null, ip: from.ip }, to.kind === 'pod' ? { pod: to.pod, ip: to.ip } : { pod: null, ip: to.ip }, port, protocol),
  }),
})

runConformance({
  name: 'class matrix (pod pairs only)',
  newEvaluator: (cluster) => {
    const index = indexCluster(cluster)
    const direct = (from: Parameters<typeof evaluateFlow>[1]['from'], to: Parameters<typeof evaluateFlow>[1]['to'], port: number, protocol: 'TCP' | 'UDP' | 'SCTP') => evaluateFlow(index, { from, to, port, protocol }).allowed
    return {
      allowed: (from, to, port, protocol) => {
        if (from.kind !== 'pod' || to.kind !== 'pod') return direct(from, to, port, protocol)
        const family = to.ip?.family ?? from.ip?.family ?? 4
        const r = computeReachability(index, cluster.pods, [{ port, protocol }], family)
        return podAllowed(r, r.results[0]!, cluster.pods.indexOf(from.pod), cluster.pods.indexOf(to.pod))
      },
    }
  },
})
