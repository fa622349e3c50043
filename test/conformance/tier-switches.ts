/**
 * Which implementations do not run the conformance cases of the cluster policy tiers (ClusterNetworkPolicy,
 * AdminNetworkPolicy, BaselineAdminNetworkPolicy, and the Node objects their `nodes` peers select) yet. Each part of
 * netpol learns the tiers on its own schedule; until it does, its runner skips these cases and says how many, so
 * nothing passes or fails silently. Flip a switch when its part lands, and only then; then remove it.
 * The parser, the engine (evaluateFlow, the reference evaluator) and the class matrix run them.
 */
import { parseAllDocuments } from 'yaml'
import type { ConformanceCase } from './load-cases.js'

/** The compiled nftables ruleset (FakeNft) and the lab run the tier cases (nft/lab conformance tests). */
export const DATAPLANE_TIERS = true

/** The kinds of the tiers, with the apiVersion each is served as. */
export const TIER_KINDS: Readonly<Record<string, string>> = {
  ClusterNetworkPolicy: 'policy.networking.k8s.io/v1alpha2',
  AdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
  BaselineAdminNetworkPolicy: 'policy.networking.k8s.io/v1alpha1',
  Node: 'v1',
}

const tierCase = new WeakMap<ConformanceCase, boolean>()

/** A case of the tiers: its resources hold a cluster policy or a Node, or a host-network pod (only these cases have them). */
export function isTierCase(c: ConformanceCase): boolean {
  let known = tierCase.get(c)
  if (known === undefined) {
    const objects = parseAllDocuments(c.resources).flatMap((d) => ('toJS' in d ? [d.toJS() as unknown] : []))
    known = objects.some((o) => {
      if (typeof o !== 'object' || o === null) return false
      const { kind, spec } = o as { kind?: unknown; spec?: { hostNetwork?: unknown } }
      return (typeof kind === 'string' && kind in TIER_KINDS) || (kind === 'Pod' && spec?.hostNetwork === true)
    })
    tierCase.set(c, known)
  }
  return known
}

/** Splits `cases` into those a runner runs and the tier cases it skips while its switch is off. */
export function tierCasesToSkip(cases: readonly ConformanceCase[], enabled: boolean): Set<string> {
  return new Set(enabled ? [] : cases.filter(isTierCase).map((c) => c.name))
}
