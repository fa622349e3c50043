import type { Cluster, Pod } from '../../model/cluster.js'
import type { Family } from '../../model/ip.js'
import { selectorMatches, type LabelSelector } from '../../model/label-selector.js'
import type { Direction, NetworkPolicy, Peer, Rule } from '../../model/policy.js'
import { indexCluster, type ClusterIndex } from '../../engine/cluster-index.js'
import { podEndpoint } from '../../engine/endpoint.js'
import { PeerPods } from '../../engine/peer-pods.js'
import { policySelects } from '../../engine/select.js'
import type { Endpoint } from '../../engine/verdict.js'
import { TierClasses } from './tier-classes.js'
import { mergeTallies, tallyLabels, type LabelTally } from './suggest-labels.js'

/**
 * What every check reads, computed once per input. Every "who is selected" and "who does this peer admit"
 * answer comes from the engine (policySelects; the PeerCache's classes, expanded to pods), memoized per policy
 * and per peer.
 */
export interface LintContext {
  readonly cluster: Cluster
  readonly index: ClusterIndex
  /** the address family used for ipBlock questions: IPv4 unless the pods only have IPv6 addresses */
  readonly family: Family
  podsIn(namespace: string): readonly Pod[]
  /** the labels of the pods of `namespaces` (in that order) with how many carry each: what selector hints read */
  podLabels(namespaces: readonly string[]): LabelTally
  /** the pods `policy` applies to */
  selectedBy(policy: NetworkPolicy): readonly Pod[]
  /** the pods one peer of a rule in a policy of `policyNamespace` admits */
  peerPods(peer: Peer, policyNamespace: string): readonly Pod[]
  /** whether that peer admits some pod (decided on classes, no pod list made) */
  peerAdmitsPods(peer: Peer, policyNamespace: string): boolean
  /** the engine's class machinery over the input's pods: what rules admit as classes, and as pods */
  readonly classes: PeerPods
  /** the namespaces of the input whose labels `selector` matches */
  namespacesMatching(selector: LabelSelector): readonly string[]
  endpoint(pod: Pod): PodEndpoint
  /** the policy tiers on classes; null when the input has no cluster policies (then nothing of it is computed) */
  readonly tiers: TierClasses | null
}

export type PodEndpoint = Endpoint & { kind: 'pod' }

export function createContext(cluster: Cluster): LintContext {
  const index = indexCluster(cluster)
  const family: Family = cluster.pods.some((p) => p.ips.some((a) => a.family === 4)) || !cluster.pods.some((p) => p.ips.length > 0) ? 4 : 6
  const byNs = new Map<string, Pod[]>()
  for (const p of cluster.pods) {
    const list = byNs.get(p.namespace)
    if (list) list.push(p)
    else byNs.set(p.namespace, [p])
  }
  const endpoints = new Map<Pod, PodEndpoint>()
  const endpoint = (pod: Pod): PodEndpoint => {
    const known = endpoints.get(pod)
    if (known) return known
    const e = podEndpoint(pod, family) as PodEndpoint
    endpoints.set(pod, e)
    return e
  }
  const selected = new Map<NetworkPolicy, Pod[]>()
  let peers: PeerPods | null = null
  const classes = () => (peers ??= new PeerPods(index, cluster.pods, cluster.policies, family))
  const nsBySelector = new Map<string, string[]>()
  const tallies = new Map<string, LabelTally>()
  const tally = (ns: string): LabelTally => {
    let t = tallies.get(ns)
    if (t === undefined) {
      // by selector class (the same labels for all its pods; classes in the order of their first pod)
      const ids = classes().ids.selectorsByNamespace.get(ns) ?? []
      t = tallyLabels(ids.map((c) => classes().ids.selectorClasses[c]!.rep.pod.labels), ids.map((c) => classes().selectorCount(c)))
      tallies.set(ns, t)
    }
    return t
  }
  const merged = new Map<string, LabelTally>()
  let tiers: TierClasses | null | undefined
  return {
    cluster,
    index,
    family,
    endpoint,
    podsIn: (ns) => byNs.get(ns) ?? [],
    podLabels(namespaces) {
      if (namespaces.length === 1) return tally(namespaces[0]!)
      const key = namespaces.join('\n')
      let t = merged.get(key)
      if (t === undefined) merged.set(key, (t = mergeTallies(namespaces.map(tally))))
      return t
    },
    selectedBy(policy) {
      let pods = selected.get(policy)
      if (pods === undefined) {
        pods = (byNs.get(policy.namespace) ?? []).filter((p) => policySelects(policy, p))
        selected.set(policy, pods)
      }
      return pods
    },
    peerPods(peer, policyNamespace) {
      return classes().of(peer, policyNamespace)
    },
    peerAdmitsPods(peer, policyNamespace) {
      // every class holds a pod
      return !classes().cache.forPeer(peer, policyNamespace).isEmpty()
    },
    get classes() {
      return classes()
    },
    get tiers() {
      if (tiers === undefined) tiers = cluster.clusterPolicies.length === 0 ? null : new TierClasses(index, family)
      return tiers
    },
    namespacesMatching(selector) {
      let list = nsBySelector.get(selector.key)
      if (list === undefined) {
        list = [...cluster.namespaces.keys()].filter((ns) => selectorMatches(selector, index.namespaceLabels(ns)))
        nsBySelector.set(selector.key, list)
      }
      return list
    },
  }
}

/** Every rule of a policy with its direction, index and field path, in the order they are written. */
export interface RuleAt {
  readonly policy: NetworkPolicy
  readonly direction: Direction
  readonly index: number
  readonly rule: Rule
  /** `['spec', 'ingress', 0]` */
  readonly path: readonly (string | number)[]
  /** `from` or `to` */
  readonly peersKey: 'from' | 'to'
}

export function rulesOf(policy: NetworkPolicy): RuleAt[] {
  const out: RuleAt[] = []
  for (const direction of ['ingress', 'egress'] as const) {
    policy[direction]?.forEach((rule, index) =>
      out.push({ policy, direction, index, rule, path: ['spec', direction, index], peersKey: direction === 'ingress' ? 'from' : 'to' }),
    )
  }
  return out
}

/** Labels that controllers add to every pod; they never tell workloads apart. */
export const CONTROLLER_LABELS: ReadonlySet<string> = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-generation',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
  'job-name',
])
