// Builds the demo into web-demo/dist. onnxruntime-web is resolved to its "extern wasm" build
// (ort.webgpu.min.mjs), which loads its WebAssembly glue and binary from ort.env.wasm.wasmPaths;
// the plugin below copies exactly those two files into dist/ort/ (and serves them in `vite dev`),
// so nothing comes from a CDN. The WebGPU bundle uses the asyncify build of the WASM files. The published
// package leaves that copy out: `onnxgrad serve` then sends onnxruntime-web's own (src/runtime/web-files.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
// The pages import onnxgrad by name, as a user's page would. Vite resolves a bare name from
// node_modules only (no self-reference), so onnxgradEntry() resolves `onnxgrad` as a bundler
// would from node_modules: package.json's `exports` for '.', taking the first condition that
// applies to a browser build (dist/src/browser.js, which `npm run build` compiles before the
// pages). No page reaches into src/ (test/package/pages.test.ts checks).
const PACKAGE_ROOT = join(here, '..');
const BROWSER_CONDITIONS = new Set(['browser', 'import', 'module', 'default']);

type Exports = string | { [condition: string]: Exports };

/** The file an `exports` entry names under the browser conditions (types skipped), or undefined. */
export function exportTarget(entry: Exports): string | undefined {
  if (typeof entry === 'string') return entry;
  for (const [condition, target] of Object.entries(entry)) {
    if (!BROWSER_CONDITIONS.has(condition)) continue;
    const file = exportTarget(target);
    if (file !== undefined) return file;
  }
  return undefined;
}

function onnxgradEntry(): Plugin {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, Exports>;
  };
  const root = pkg.exports['.'];
  const target = root === undefined ? undefined : exportTarget(root);
  if (target === undefined) throw new Error(`package.json: exports['.'] names no file for a browser build`);
  const file = join(PACKAGE_ROOT, target);
  return {
    name: 'onnxgrad-self-reference',
    enforce: 'pre',
    resolveId(id) {
      return id === pkg.name ? file : undefined;
    },
  };
}

const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm'));
export const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function onnxruntimeFiles(): Plugin {
  return {
    name: 'onnxgrad-ort-files',
    generateBundle() {
      for (const name of ORT_FILES)
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(join(ortDist, name)) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0]?.replace(/^\/ort\//, '');
        if (!name || !ORT_FILES.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(readFileSync(join(ortDist, name)));
      });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  plugins: [onnxgradEntry(), onnxruntimeFiles()],
  // the training page's worker is an ES module (new Worker(..., { type: 'module' })), like the pages
  worker: { format: 'es', plugins: () => [onnxgradEntry()] },
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    // two pages: the digit recogniser and the training page
    rollupOptions: { input: { main: join(here, 'index.html'), train: join(here, 'train.html') } },
  },
  // `vite dev` next to `onnxgrad serve --port 8080` for the API and the model
  server: {
    headers: CROSS_ORIGIN_ISOLATION,
    proxy: { '/v1': 'http://127.0.0.1:8080', '/model.onnx': 'http://127.0.0.1:8080' },
  },
  preview: { headers: CROSS_ORIGIN_ISOLATION },
});
