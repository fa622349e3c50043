/**
 * Arguments the flow commands share. A time is RFC 3339 (`2026-12-07T14:00:00Z`, with a zone) or a duration
 * before now (`90s`, `30m`, `1h`, `2d`, `1h30m`), as `hubble observe --since` takes them.
 */
import { Readable } from 'node:stream'
import { UsageError, type CliIO } from './io.js'

/**
 * Flow input `-`: the command's stdin as a byte stream, read as it comes (any size, gzip); where the IO has only
 * text (some tests), that text as one chunk.
 */
export function flowStdin(io: CliIO): () => NodeJS.ReadableStream {
  return io.stdinStream ?? (() => Readable.from((async function* () { yield Buffer.from(await io.readStdin(), 'utf8') })()))
}

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export function parseTimeArg(flag: string, text: string, now: number): number {
  if (/^(\d+(ms|s|m|h|d))+$/.test(text)) {
    let ms = 0
    for (const m of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(m[1]) * UNIT[m[2]!]!
    return now - ms
  }
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text)) {
    const t = Date.parse(text)
    if (!Number.isNaN(t)) return t
  }
  throw new UsageError(`${flag} "${text}": expected an RFC 3339 time with a zone (2026-12-07T14:00:00Z) or a duration before now (30m, 1h, 2d, 1h30m)`)
}
