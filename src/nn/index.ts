// Layer helpers in the spirit of PyTorch's nn, for `import { nn } from 'onnxgrad'`.
export * from './layer.js';
export * from './layers.js';
export { INIT_SCHEMES, type InitScheme, Initializer } from './init.js';
export {
  type AvgPool2dOptions,
  avgPool2d,
  globalAvgPool2d,
  globalMaxPool2d,
  maxPool2d,
  type PoolOptions,
} from './pooling.js';
export { gelu, type GeluOptions, leakyRelu, sigmoid, tanh } from './activations.js';
