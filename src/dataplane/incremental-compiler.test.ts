import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { comparePods, type Cluster, type Namespace, type Pod } from '../model/cluster.js'
import { sortClusterPolicies } from '../model/cluster-policy.js'
import { parseCidr } from '../model/ip.js'
import { clusters, tieredClusters } from '../../test/arbitraries.js'
import { ip, namespace } from '../../test/builders.js'
import type { NetworkPolicy } from '../model/policy.js'
import { compilePolicies, type CompiledRuleset, type CompileOptions } from './compile-policies.js'
import { IncrementalCompiler } from './incremental-compiler.js'
import { FakeNft } from './fake-nft.js'
import { diffTables, fullReplace } from './nft-transaction.js'

/**
 * One change to a cluster, as the agent's inputs see it: every object it does not touch stays the same object.
 * `n` picks the object changed, `from` is another random cluster that new labels, pods, policies and cluster
 * policies are taken from.
 */
const KINDS = [
  'pod-add',
  'pod-scale',
  'pod-remove',
  'pod-relabel',
  'pod-move',
  'pod-address',
  'policy-add',
  'policy-edit',
  'policy-rules',
  'policy-ports',
  'policy-delete',
  'namespace-relabel',
  'namespace-remove',
  'cluster-policy',
  'node',
] as const
type Change = { readonly kind: (typeof KINDS)[number]; readonly n: number; readonly from: Cluster }

const change: fc.Arbitrary<Change> = fc.record({ kind: fc.constantFrom(...KINDS), n: fc.nat(100), from: fc.oneof(clusters, tieredClusters) })

/** New pods sort before the others of their namespace or after them. */
const nameOf = (n: number, step: number): string => ((n + step) % 2 === 0 ? `a${step}` : `z${step}`)
const withPods = (c: Cluster, pods: readonly Pod[]): Cluster => ({ ...c, pods: [...pods].sort(comparePods) })
const pick = <T,>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length])

function apply(c: Cluster, { kind, n, from }: Change, step: number): Cluster {
  const target = pick(c.pods, n)
  const source = pick(from.pods, n)
  switch (kind) {
    case 'pod-add': {
      if (source === undefined) return c
      // now and then at an address another pod holds (the first by namespace and name keeps it)
      const taken = new Set(n % 4 === 0 ? [] : c.pods.flatMap((p) => p.ips.map((a) => a.text)))
      return withPods(c, [...c.pods, { ...source, name: nameOf(n, step), ips: source.ips.filter((a) => !taken.has(a.text)) }])
    }
    case 'pod-scale': {
      // another replica of a pod: the same labels, a new address
      if (target === undefined) return c
      const taken = new Set(c.pods.flatMap((p) => p.ips.map((a) => a.text)))
      const free = [`10.0.3.${(n % 200) + 1}`, `fd00::3:${(n % 200) + 1}`].filter((a) => !taken.has(a))
      // now and then at the same address (a pod that claims another's address: the first keeps it)
      const ips = n % 4 === 0 ? target.ips : target.ips.length === 0 ? [] : free.slice(0, target.ips.length).map((a) => ip(a))
      return withPods(c, [...c.pods, { ...target, name: nameOf(n, step), ips }])
    }
    case 'pod-remove':
      return target === undefined ? c : withPods(c, c.pods.filter((p) => p !== target))
    case 'pod-relabel':
      return target === undefined || source === undefined ? c : withPods(c, c.pods.map((p) => (p === target ? { ...p, labels: source.labels, ports: source.ports } : p)))
    case 'pod-move': {
      const ns = pick([...c.namespaces.keys()], n + 1)
      if (target === undefined || ns === undefined) return c
      return withPods(c, c.pods.map((p) => (p === target ? { ...p, namespace: ns } : p)))
    }
    case 'pod-address': {
      if (target === undefined || source === undefined) return c
      const taken = new Set(c.pods.filter((p) => p !== target).flatMap((p) => p.ips.map((a) => a.text)))
      return withPods(c, c.pods.map((p) => (p === target ? { ...p, ips: source.ips.filter((a) => !taken.has(a.text)) } : p)))
    }
    case 'policy-add': {
      const q = pick(from.policies, n)
      return q === undefined ? c : { ...c, policies: [...c.policies, { ...q, name: `new${step}` }] }
    }
    case 'policy-edit': {
      const p = pick(c.policies, n)
      const q = pick(from.policies, n)
      return p === undefined || q === undefined ? c : { ...c, policies: c.policies.map((x) => (x === p ? { ...q, namespace: p.namespace, name: p.name } : x)) }
    }
    case 'policy-rules': {
      // a rule changed, the selection kept: the profiles keep their names
      const p = pick(c.policies, n)
      const q = pick(from.policies, n)
      return p === undefined || q === undefined ? c : { ...c, policies: c.policies.map((x) => (x === p ? { ...p, ingress: q.ingress, egress: q.egress } : x)) }
    }
    case 'policy-ports': {
      // the same peers on other ports
      const p = pick(c.policies, n)
      const ports = pick(from.policies.flatMap((q) => [...(q.ingress ?? []), ...(q.egress ?? [])]), n)?.ports
      if (p === undefined || ports === undefined) return c
      const turn = (rules: NetworkPolicy['ingress']) => rules?.map((r, i) => (i === 0 ? { ...r, ports } : r)) ?? null
      return { ...c, policies: c.policies.map((x) => (x === p ? { ...p, ingress: turn(p.ingress), egress: turn(p.egress) } : x)) }
    }
    case 'policy-delete': {
      const p = pick(c.policies, n)
      return p === undefined ? c : { ...c, policies: c.policies.filter((x) => x !== p) }
    }
    case 'namespace-relabel': {
      const ns = pick([...c.namespaces.values()], n)
      const labels = pick([...from.namespaces.values()], n)?.labels
      if (ns === undefined || labels === undefined) return c
      const namespaces = new Map<string, Namespace>(c.namespaces)
      namespaces.set(ns.name, namespace(ns.name, labels))
      return { ...c, namespaces }
    }
    case 'namespace-remove': {
      // the namespace object gone (its pods may stay a moment): its labels are the default ones again
      const ns = pick([...c.namespaces.keys()], n)
      if (ns === undefined) return c
      const namespaces = new Map<string, Namespace>(c.namespaces)
      namespaces.delete(ns)
      return { ...c, namespaces }
    }
    case 'cluster-policy': {
      const q = pick(from.clusterPolicies, n)
      const kept = c.clusterPolicies.filter((_, i) => i !== n % Math.max(1, c.clusterPolicies.length))
      return { ...c, clusterPolicies: sortClusterPolicies(q === undefined ? kept : [...kept.filter((p) => p.kind !== q.kind || p.name !== q.name), q]) }
    }
    case 'node': {
      const nodes = from.nodes.length > 0 ? from.nodes : c.nodes.slice(1)
      return { ...c, nodes }
    }
  }
}

/** Several small clusters as one (the first one's namespaces, cluster policies and Nodes): more pods and profiles. */
const merged = (parts: readonly Cluster[]): Cluster => {
  const taken = new Set<string>()
  const pods = parts.flatMap((c, i) =>
    c.pods.map((p) => {
      const ips = p.ips.filter((a) => !taken.has(a.text))
      ips.forEach((a) => taken.add(a.text))
      return { ...p, name: `${p.name}-${i}`, ips }
    }),
  )
  return { ...parts[0]!, pods: pods.sort(comparePods), policies: parts.flatMap((c, i) => c.policies.map((p) => ({ ...p, name: `${p.name}-${i}` }))) }
}
const starts = fc.tuple(fc.oneof(clusters, tieredClusters), clusters, clusters).map(merged)

const loaded = (compiled: CompiledRuleset): FakeNft => {
  const fake = new FakeNft()
  const r = fake.runSync(fullReplace(compiled.table))
  if (!r.ok) throw new Error(r.error)
  return fake
}

/** Pods picked by name, so that a pod keeps being managed (or not) while it changes. */
const managedBy = (bits: number) => (p: Pod) => ((bits >>> ((p.name.charCodeAt(p.name.length - 1) + p.namespace.charCodeAt(0)) % 5)) & 1) === 1

describe('the incremental compiler gives what the whole compile gives', () => {
  test('after every change of random change sequences: the same ruleset, and the same nft state through the fake', () => {
    fc.assert(
      fc.property(starts, fc.array(change, { minLength: 1, maxLength: 20 }), fc.oneof(fc.constant(31), fc.nat(31)), fc.boolean(), (start, changes, bits, guard) => {
        const opts: CompileOptions = {
          managed: managedBy(bits),
          mode: 'enforce',
          table: 'netpol',
          logGroup: 3,
          ...(guard ? { podCidrs: [parseCidr('10.0.0.0/16')!, parseCidr('fd00::/64')!] } : {}),
        }
        const inc = new IncrementalCompiler()
        let c = start
        let whole = compilePolicies(c, opts)
        let incremental = inc.compile(c, opts)
        expect(incremental).toEqual(whole)
        const fake = loaded(incremental)
        changes.forEach((ch, step) => {
          c = apply(c, ch, step)
          const nextWhole = compilePolicies(c, { ...opts, previous: whole })
          const nextIncremental = inc.compile(c, { ...opts, previous: incremental })
          expect(nextIncremental, `after change ${step + 1} (${ch.kind})`).toEqual(nextWhole)
          if (nextIncremental.errors.length > 0) return
          const r = fake.runSync(diffTables(incremental.table, nextIncremental.table))
          expect(r).toMatchObject({ ok: true })
          expect(fake.dump(), `nft state after change ${step + 1} (${ch.kind})`).toBe(loaded(nextWhole).dump())
          whole = nextWhole
          incremental = nextIncremental
        })
      }),
      { numRuns: 200 },
    )
  })
})
