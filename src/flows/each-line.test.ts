import { Readable } from 'node:stream'
import { expect, test } from 'vitest'
import { eachLine } from './each-line.js'

const lines = async (chunks: (string | Buffer)[]) => {
  const out: [string, number][] = []
  const n = await eachLine(Readable.from(chunks), (t, i) => out.push([t, i]))
  return { n, out }
}

test.each([
  { name: 'lines across chunks', chunks: ['{"a"', ':1}\n{"b":2}\n', '\n'], want: ['{"a":1}', '{"b":2}', ''] },
  { name: 'last line without newline', chunks: ['a\nb'], want: ['a', 'b'] },
  { name: 'CRLF', chunks: ['a\r\nb\r\n'], want: ['a', 'b'] },
  { name: 'BOM at the start only', chunks: ['\uFEFFsrc,dst\n\uFEFFx'], want: ['src,dst', '\uFEFFx'] },
  { name: 'a UTF-8 character split between chunks', chunks: [Buffer.from([0x7b, 0xc3]), Buffer.from([0xa9, 0x7d, 0x0a])], want: ['{é}'] },
  { name: 'empty input', chunks: [], want: [] },
])('$name', async ({ chunks, want }) => {
  const { n, out } = await lines(chunks)
  expect(out.map(([t]) => t)).toEqual(want)
  expect(out.map(([, i]) => i)).toEqual(want.map((_, i) => i + 1))
  expect(n).toBe(want.length)
})
