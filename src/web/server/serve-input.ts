/**
 * What the server answers about: the cluster as read now (a snapshot), and, for a live cluster, each change.
 * A snapshot never changes once made; a request works on the one current when it came, so an answer never
 * mixes two versions.
 */
import type { Cluster } from '../../model/cluster.js'
import type { LocatedIssue } from '../../model/issues.js'
import type { SourceTexts } from '../../io/source-texts.js'
import type { KubeObject } from '../../io/kube/kube-object.js'
import { textsJob, type LintJob } from './lint-job.js'

export interface Snapshot {
  /** increases by one on every change (see ClusterSummary.version) */
  readonly version: number
  readonly cluster: Cluster
  /** the texts read (files): policies are shown as written, findings placed at their lines */
  readonly texts: SourceTexts
  /** the objects read (live cluster): policies are shown as read */
  readonly objects: readonly KubeObject[]
  /** objects the model refused (live: the API server accepted them, netpol's validation did not) */
  readonly issues: readonly LocatedIssue[]
  /** the loader's notes, one line each */
  readonly notes: readonly string[]
  /** the input again, for a lint in a worker thread (lint-job.ts) */
  readonly lintJob: () => LintJob
}

export interface ServeInput {
  /** "files: examples/three-tier/" or "cluster: CONTEXT" */
  readonly source: string
  readonly live: boolean
  current(): Snapshot
  /** `listener` runs after each change with the new snapshot; returns the unsubscribe */
  subscribe(listener: (s: Snapshot) => void): () => void
  stop(): Promise<void>
}

/** Files read once: one snapshot, never a change. Its lint reads the texts kept. */
export function fixedInput(source: string, snapshot: Omit<Snapshot, 'version' | 'lintJob'>): ServeInput {
  const s: Snapshot = { ...snapshot, version: 1, lintJob: () => textsJob(snapshot.texts) }
  return { source, live: false, current: () => s, subscribe: () => () => undefined, stop: async () => undefined }
}

/** Listeners, each told of every change; one that throws does not stop the others. */
export class Listeners<T> {
  private readonly set = new Set<(v: T) => void>()
  add(l: (v: T) => void): () => void {
    this.set.add(l)
    return () => this.set.delete(l)
  }
  emit(v: T): void {
    for (const l of this.set) {
      try {
        l(v)
      } catch {
        // a listener's failure is its own (a closed stream); the others still hear
      }
    }
  }
}
