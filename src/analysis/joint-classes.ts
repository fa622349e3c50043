/**
 * The joint classes of a diff: the pods present on both sides grouped by their pair (class before, class after),
 * so every pod pair of two joint classes has the same verdicts before and after (see diffClusters).
 */

/** Joint classes: pods with the same class on both sides. `of[i]` is pod i's joint class. */
export interface JointClasses {
  readonly of: Int32Array
  /** per joint class, its pods (indexes into the shared pod lists), ascending */
  readonly members: readonly number[][]
  /** per joint class, its class before and after */
  readonly before: Int32Array
  readonly after: Int32Array
}

export function jointClasses(before: Int32Array, after: Int32Array): JointClasses {
  // one class list on both sides (a what-if that keeps the classes): the joint classes are its classes in order of
  // first member, kept with it
  if (before === after) {
    let j = sameJoint.get(before)
    if (j === undefined) sameJoint.set(before, (j = jointOf(before, after)))
    return j
  }
  return jointOf(before, after)
}
const sameJoint = new WeakMap<Int32Array, JointClasses>()

function jointOf(before: Int32Array, after: Int32Array): JointClasses {
  const byKey = new Map<string, number>()
  const members: number[][] = []
  const b: number[] = []
  const a: number[] = []
  const of = new Int32Array(before.length)
  for (let i = 0; i < before.length; i++) {
    const key = `${before[i]},${after[i]}`
    let c = byKey.get(key)
    if (c === undefined) {
      c = members.length
      byKey.set(key, c)
      members.push([])
      b.push(before[i]!)
      a.push(after[i]!)
    }
    members[c]!.push(i)
    of[i] = c
  }
  return { of, members, before: Int32Array.from(b), after: Int32Array.from(a) }
}
