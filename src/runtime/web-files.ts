// The WebAssembly glue and binary that the page's onnxruntime-web bundle (ort.webgpu.min.mjs)
// loads from /ort/. The server takes them from the installed onnxruntime-web when the demo's
// build folder has none (the published package leaves out Vite's 26.8 MB copy of them).
import { createRequire } from 'node:module';

export const ORT_WEB_FILES: readonly string[] = Object.freeze([
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
]);

/** The installed onnxruntime-web's copy of one of ORT_WEB_FILES; undefined for any other name. */
export function ortWebFile(name: string): string | undefined {
  if (!ORT_WEB_FILES.includes(name)) return undefined;
  return createRequire(import.meta.url).resolve(`onnxruntime-web/${name}`);
}
