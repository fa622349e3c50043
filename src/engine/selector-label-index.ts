import type { LabelSelector } from '../model/label-selector.js'
import type { PeerSpace } from './peer-cache.js'

/**
 * The selector classes of a PeerSpace (those of its namespaces) by label, key and value: a selector with an `In`
 * requirement (matchLabels included) can only match classes that carry one of its values, so a peer that names
 * many namespaces is decided on those classes instead of on every class.
 */
export class SelectorLabelIndex {
  private readonly byLabel = new Map<string, Map<string, number[]>>()

  constructor(space: PeerSpace) {
    for (const ids of space.selectorsByNamespace.values()) {
      for (const id of ids) {
        for (const [key, value] of Object.entries(space.selectorRep(id).pod.labels)) {
          let values = this.byLabel.get(key)
          if (values === undefined) this.byLabel.set(key, (values = new Map()))
          const list = values.get(value)
          if (list) list.push(id)
          else values.set(value, [id])
        }
      }
    }
  }

  /**
   * A superset of the classes `sel` matches: those carrying a value of its narrowest `In` requirement (each
   * at most once); null when it has none (then every class is a candidate).
   */
  candidates(sel: LabelSelector): readonly number[] | null {
    let best: number[] | null = null
    for (const r of sel.requirements) {
      if (r.operator !== 'In') continue
      const values = this.byLabel.get(r.key)
      const ids: number[] = []
      if (values !== undefined) for (const v of new Set(r.values)) for (const id of values.get(v) ?? []) ids.push(id)
      if (best === null || ids.length < best.length) best = ids
    }
    return best
  }
}
