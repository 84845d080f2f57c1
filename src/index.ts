// onnxgrad's public entry for Node: `import { Graph, nn, op, ... } from 'onnxgrad'`.
// Everything here is also in the browser entry (browser.ts) unless it needs Node.
export * from './browser.js';
