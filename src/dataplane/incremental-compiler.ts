/**
 * The cluster's ruleset, compiled again after each change at the cost of what the change touches. The result is
 * always what `compilePolicies(cluster, { ...opts, previous })` gives (a property test holds the two together over
 * random change sequences); what is kept between compiles is in compile-memo.ts.
 *
 * The change is read from the objects themselves: the model's objects are never changed in place, and both of the
 * agent's inputs keep the object of everything that did not change (the live watchers parse an object once, the
 * manifest cache reads only the files that changed), so a pod, policy or namespace that is the same object as
 * before is the same. What each kind of change recomputes, per address family:
 * - a pod added, removed, relabelled, moved or readdressed: the label classes (one pass over the pods, each pod's
 *   key computed once), the peers' answers for label classes not seen before, the merge into selector and
 *   network classes, the profiles of the managed pods; each profile's `allowN` elements stay the same objects
 *   unless a class was added or removed, changed what it stands for, or its first member changed;
 * - a policy added, edited or deleted: the same, with the peers' answers asked again for every label class when
 *   the peers of the profiles' rules changed (a policy of no managed pod changes none of them);
 * - a namespace added, removed or relabelled: the peers' answers again for every label class, and every profile's
 *   elements;
 * - cluster policies and Nodes: the tier part (tier-chains.ts) is compiled whole on every change;
 * - always: the unknown-pod guard, the chains and the small maps. Map elements equal to the last compile's are
 *   the same objects, so the nft diff renders only what changed.
 */
import type { Cluster } from '../model/cluster.js'
import { compilePolicies, type CompiledRuleset, type CompileOptions } from './compile-policies.js'
import { CompileMemo } from './compile-memo.js'

export class IncrementalCompiler {
  private memo = new CompileMemo()

  /**
   * The ruleset of `cluster`, as `compilePolicies(cluster, opts)` gives it. `opts.previous` is the result in force
   * (usually this compiler's last one); whatever it is, the memo checks what it reuses.
   */
  compile(cluster: Cluster, opts: CompileOptions): CompiledRuleset {
    return compilePolicies(cluster, opts, this.memo)
  }

  /** Forgets what it kept (the next compile costs a whole one). */
  reset(): void {
    this.memo = new CompileMemo()
  }
}
