/**
 * Lines of a stream, one callback each: the text without its `\n` (nor a `\r` before it; a UTF-8 BOM at the start
 * is dropped) and its 1-based number. Decodes each chunk once and splits with indexOf, which is several times
 * faster than node:readline over a large file (see bench/README.md, "Reading flows"). A last line without a
 * newline is given too. Resolves to the number of lines.
 */
import { StringDecoder } from 'node:string_decoder'

export async function eachLine(stream: AsyncIterable<Buffer | string>, onLine: (text: string, lineNo: number) => void): Promise<number> {
  const decoder = new StringDecoder('utf8')
  let rest = ''
  let n = 0
  const emit = (s: string) => {
    n++
    if (n === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1)
    onLine(s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s, n)
  }
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk))
    let start = 0
    let nl = text.indexOf('\n')
    while (nl >= 0) {
      emit(text.slice(start, nl))
      start = nl + 1
      nl = text.indexOf('\n', start)
    }
    rest = start === 0 ? text : text.slice(start)
  }
  rest += decoder.end()
  if (rest !== '') emit(rest)
  return n
}
