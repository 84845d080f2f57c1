// The execution providers the pages can run on, and their display names. No onnxruntime-web
// import here: the training page's main thread needs the names, not the runtime.
export type Provider = 'webgpu' | 'wasm';
export const PROVIDER_NAMES: Readonly<Record<Provider, string>> = { webgpu: 'WebGPU', wasm: 'WASM' };
