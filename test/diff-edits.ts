import fc from 'fast-check'
import type { Cluster } from '../src/model/cluster.js'
import type { Family } from '../src/model/ip.js'
import type { NetworkPolicy } from '../src/model/policy.js'
import { clusters } from './arbitraries.js'

/**
 * after: the same cluster with a few edits: some policies removed, changed (another's rules under the same
 * name), added; sometimes a pod's labels or a namespace's labels taken from the other cluster, a pod dropped.
 */
export const edits = fc
  .tuple(clusters, clusters, fc.array(fc.nat(5), { minLength: 16, maxLength: 16 }), fc.constantFrom<Family>(4, 6))
  .map(([a, b, dice, family]) => {
    const policies = new Map<string, NetworkPolicy>(a.policies.map((p) => [`${p.namespace}/${p.name}`, p]))
    a.policies.forEach((p, i) => dice[i] === 0 && policies.delete(`${p.namespace}/${p.name}`))
    b.policies.forEach((q, i) => {
      const roll = dice[5 + i]!
      if (roll === 0) {
        // the same name with other rules or selector: a changed policy (or an added one)
        const p = a.policies[i]
        const name = p ? p.name : q.name
        const namespace = p ? p.namespace : q.namespace
        policies.set(`${namespace}/${name}`, { ...q, name, namespace })
      } else if (roll === 1) policies.set(`${q.namespace}/n${i}`, { ...q, name: `n${i}` })
    })
    const relabel = dice[10]! === 0 && b.pods.length > 0
    const pods = a.pods
      .filter((_, i) => dice[11]! !== 0 || i !== 0)
      .map((p, i) => (relabel && i === dice[12]! % a.pods.length ? { ...p, labels: b.pods[0]!.labels } : p))
    const nsFrom = dice[13]! === 0 ? b.namespaces : a.namespaces
    const after: Cluster = { ...a, pods, namespaces: nsFrom, policies: [...policies.values()] }
    return { before: a, after, family }
  })

