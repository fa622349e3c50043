/** A label map as stored on an object. Keys are unique; values may be empty strings. */
export type Labels = Readonly<Record<string, string>>

export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',')
}

export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort()
  return keys.length === 0 ? '{}' : `{${keys.map((k) => `${k}=${labels[k]}`).join(', ')}}`
}
