/**
 * The size of a generated bench cluster as the benches take it on the command line (--pods, --namespaces,
 * --policies, --seed; the 10k/10k cluster of seed 1 by default), and where its files are kept in bench/out/, so
 * that every bench reuses the same generated cluster.
 */
export const CLUSTER_SIZE_OPTIONS = {
  pods: { type: 'string', default: '10000' },
  namespaces: { type: 'string', default: '200' },
  policies: { type: 'string', default: '10000' },
  seed: { type: 'string', default: '1' },
} as const

export interface ClusterSize {
  readonly seed: number
  readonly pods: number
  readonly namespaces: number
  readonly policies: number
}

export function clusterSize(values: { pods?: string; namespaces?: string; policies?: string; seed?: string }): ClusterSize {
  return { seed: Number(values.seed), pods: Number(values.pods), namespaces: Number(values.namespaces), policies: Number(values.policies) }
}

/** bench/out/cluster-s…-p…-n…-np… (add .json or .yaml) */
export function clusterBase(size: ClusterSize): string {
  return `bench/out/cluster-s${size.seed}-p${size.pods}-n${size.namespaces}-np${size.policies}`
}
