/** Near misses: a misspelt kind or field, and the word it was meant to be. */

/**
 * The candidate closest to `word` ignoring case, if one is at most `max` edits away (a transposition is one
 * edit); by default 1 for a word of up to 4 letters, else 2.
 */
export function closestWord(word: string, candidates: Iterable<string>, max = word.length <= 4 ? 1 : 2): string | undefined {
  const w = word.toLowerCase()
  let best: string | undefined
  let bestDistance = max + 1
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

/** Levenshtein distance, with a transposition counting as one edit (`NetowrkPolicy`); any distance above 2 may be reported as 3. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}
