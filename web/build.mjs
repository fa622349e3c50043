// Bundles the page (web/src/main.ts, web/index.html, web/app.css) into dist/web/ with esbuild: one script and one
// stylesheet under assets/, no inline code (the server's Content-Security-Policy allows only 'self'). Prints sizes.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'

const web = dirname(fileURLToPath(import.meta.url))
const out = join(web, '..', 'dist', 'web')
rmSync(join(out, 'assets'), { recursive: true, force: true })
mkdirSync(join(out, 'assets'), { recursive: true })
const t0 = performance.now()
await build({
  entryPoints: [join(web, 'src', 'main.ts')],
  outdir: join(out, 'assets'),
  entryNames: 'app',
  // the editor (CodeMirror) is a chunk of its own, loaded when the What-if tab opens: the graph paints without it
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: process.env.NETPOL_WEB_DEBUG !== '1',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
})
copyFileSync(join(web, 'index.html'), join(out, 'index.html'))
copyFileSync(join(web, 'app.css'), join(out, 'assets', 'app.css'))
copyFileSync(join(web, 'favicon.svg'), join(out, 'assets', 'favicon.svg'))
const size = (f) => {
  const p = join(out, f)
  return `${f} ${(statSync(p).size / 1024).toFixed(0)} KiB (${(gzipSync(readFileSync(p)).length / 1024).toFixed(0)} KiB gzip)`
}
const chunks = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js') && f !== 'app.js').map((f) => size(`assets/${f}`))
console.log(`web: dist/web/ in ${Math.round(performance.now() - t0)} ms: ${[size('assets/app.js'), ...chunks, size('assets/app.css')].join(', ')}`)
