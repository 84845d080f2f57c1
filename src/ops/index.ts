// Every op builder, for `import * as op from '../ops/index.js'`.
export * from './activation.js';
export * from './conv.js';
export * from './elementwise.js';
export * from './linear.js';
export * from './normalization.js';
export * from './pool.js';
export * from './reduce.js';
export * from './shape.js';
export { int64s, scalar } from './node.js';
export * from './resize.js';
export * from './patches.js';
