/** "Did you mean": the names closest to what was typed. */

/**
 * Up to `max` candidates for `input`: first those that `input` is a prefix of (`backend/api` for the pods
 * `backend/api-5c4` and `backend/api-6d1`, named after their workload), shortest first, then the closest by
 * edit distance.
 */
export function nearest(input: string, candidates: readonly string[], max = 3): string[] {
  const prefixed = input === '' ? [] : candidates.filter((c) => c.length > input.length && c.startsWith(input)).sort((a, b) => a.length - b.length || (a < b ? -1 : 1))
  const taken = new Set(prefixed)
  const close = candidates
    .filter((c) => !taken.has(c))
    .map((c) => ({ c, d: editDistance(input, c) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(input.length / 3)))
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
    .map((x) => x.c)
  return [...prefixed, ...close].slice(0, max)
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]!
}
