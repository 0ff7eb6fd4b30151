// Bundles the bare Cornerstone3D page (page.ts) and the dicom-image-loader's decode worker
// with esbuild, and serves them on loopback with the app's cross-origin isolation headers, so
// the bare page runs under the same conditions as the viewer. The worker and the codecs
// find their files as Cornerstone ships them: `new URL('./decodeImageFrameWorker.js',
// import.meta.url)` beside the page's bundle, `new URL('@cornerstonejs/<codec>/<file>',
// import.meta.url)` answered from node_modules through the codec package's exports.
import { readFile } from 'node:fs/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { build, type Plugin } from 'esbuild'
import { freePort } from '../../../tests/support/free-port'

const require = createRequire(import.meta.url)

export interface BarePageServer {
  url: string
  stop: () => Promise<void>
}

// Node built-ins in the browser, as the app's webpack build (Next) has them: the codecs'
// emscripten glue requires 'fs' and 'path' on Node only (next.config.ts maps them to
// nothing), and the metadata package's XML builder requires 'events' and 'url', which Next
// answers with its own browser versions.
const browserBuiltins: Record<string, string | null> = {
  fs: null,
  path: null,
  events: require.resolve('next/dist/compiled/events'),
  url: require.resolve('next/dist/compiled/native-url'),
}
const nodeBuiltinsForBrowser: Plugin = {
  name: 'node-builtins-for-browser',
  setup(context) {
    context.onResolve({ filter: /^(fs|path|events|url)$/ }, (args) => {
      const file = browserBuiltins[args.path]
      return file ? { path: file } : { path: args.path, namespace: 'empty' }
    })
    context.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default {}', loader: 'js' }))
  },
}

const contentTypes: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm' }
const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' }

async function bundle(outdir: string): Promise<void> {
  await build({
    entryPoints: {
      page: path.join(import.meta.dirname, 'page.ts'),
      // Not in the package's exports: found beside its entry, as the loader's own init() finds it.
      decodeImageFrameWorker: path.join(path.dirname(require.resolve('@cornerstonejs/dicom-image-loader')), 'decodeImageFrameWorker.js'),
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir,
    plugins: [nodeBuiltinsForBrowser],
    // CommonJS modules in the bundle read these at load time; webpack answers them with '/'.
    define: { __dirname: '"/"', __filename: '"/index.js"' },
    logLevel: 'error',
  })
}

/** The file behind a request path, or null: the page, its bundles, or a Cornerstone codec's exported file. */
function fileFor(pathname: string, outdir: string): string | null {
  if (pathname === '/') return path.join(import.meta.dirname, 'index.html')
  if (/^\/[\w-]+\.js$/.test(pathname)) return path.join(outdir, pathname)
  const codec = /^\/(@cornerstonejs\/codec-[\w-]+\/[\w-]+)$/.exec(pathname)
  if (codec) {
    try {
      return require.resolve(codec[1]!)
    } catch {
      return null
    }
  }
  return null
}

export async function startBarePage(): Promise<BarePageServer> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-bare-'))
  await bundle(outdir)
  const send = async (response: ServerResponse, file: string | null) => {
    const body = file ? await readFile(file).catch(() => null) : null
    if (!body) {
      response.writeHead(404, isolation).end()
      return
    }
    response.writeHead(200, { ...isolation, 'content-type': contentTypes[path.extname(file!)] ?? 'application/octet-stream' }).end(body)
  }
  const server = createServer((request, response) => void send(response, fileFor(new URL(request.url ?? '/', 'http://localhost').pathname, outdir)))
  const port = await freePort()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          rmSync(outdir, { recursive: true, force: true })
          resolve()
        })
      }),
  }
}
