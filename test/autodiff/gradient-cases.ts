// The table of gradient-check cases: at least one per rule of GRAD_RULES. Each builds a tiny
// graph whose parameters are the differentiated inputs and returns the op's output.
import type { GradRules } from '../../src/autodiff/rule.js';
import { IM2COL_GRAD_RULES } from '../../src/autodiff/rules/index.js';
import type { Value } from '../../src/ir/graph.js';
import { float32 } from '../../src/ir/tensor.js';
import * as op from '../../src/ops/index.js';
import type { CaseContext } from '../helpers/gradient-check.js';

export interface GradCase {
  readonly name: string;
  /** The op whose rule the case checks (it must appear in the case's graph). */
  readonly rule: string;
  /** Max relative error allowed; float32 arithmetic in ORT limits it (default FLOAT32_TOLERANCE). */
  readonly tolerance?: number;
  readonly build: (c: CaseContext) => Value;
  /** The rule table to differentiate with (default: GRAD_RULES). */
  readonly rules?: GradRules;
}

/** ORT computes in float32: about 1e-7 relative per operation, grown by sums of tens of terms. */
export const FLOAT32_TOLERANCE = 1e-3;
/** The backward graph evaluated in float64: only the central differences' own error remains. */
export const FLOAT64_TOLERANCE = 1e-6;

const positive = { positive: true, lo: 0.5, hi: 2 } as const;

export const GRAD_CASES: readonly GradCase[] = [
  // Convolution (x is differentiated too, so the ConvTranspose input gradient is checked)
  {
    name: 'Conv stride 2, no pad',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [2, 2, 7, 7]), c.param('w', [3, 2, 3, 3]), c.param('b', [3]), { strides: [2, 2] }),
  },
  {
    name: 'Conv pad same (k5, pads 2)',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [1, 2, 6, 6]), c.param('w', [2, 2, 5, 5]), c.param('b', [2]), { pads: [2, 2, 2, 2] }),
  },
  // the im2col form (onnxruntime-node): weight gradient from patches shared with the forward (8+
  // channels), input gradient by rows (stride 1), else the conv form's pieces
  {
    name: 'Conv pad same (k5, pads 2), im2col form',
    rule: 'Conv',
    rules: IM2COL_GRAD_RULES,
    build: (c) =>
      op.conv2d(c.param('x', [1, 8, 5, 5]), c.param('w', [2, 8, 5, 5]), c.param('b', [2]), { pads: [2, 2, 2, 2] }),
  },
  {
    name: 'Conv no pad, asymmetric kernel, im2col form',
    rule: 'Conv',
    rules: IM2COL_GRAD_RULES,
    build: (c) => op.conv2d(c.param('x', [2, 8, 7, 6]), c.param('w', [3, 8, 3, 2]), null),
  },
  {
    name: 'Conv asymmetric pads (k4), im2col form',
    rule: 'Conv',
    rules: IM2COL_GRAD_RULES,
    build: (c) =>
      op.conv2d(c.param('x', [1, 8, 6, 6]), c.param('w', [2, 8, 4, 4]), c.param('b', [2]), { pads: [1, 1, 2, 2] }),
  },
  {
    name: 'Conv stride 2 and dilation 2, im2col form (patches, ConvTranspose)',
    rule: 'Conv',
    rules: IM2COL_GRAD_RULES,
    build: (c) =>
      op.conv2d(c.param('x', [1, 8, 9, 9]), c.param('w', [2, 8, 3, 3]), c.param('b', [2]), {
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        dilations: [2, 2],
      }),
  },
  {
    name: 'Conv with 2 channels, im2col form (conv-form weight gradient)',
    rule: 'Conv',
    rules: IM2COL_GRAD_RULES,
    build: (c) =>
      op.conv2d(c.param('x', [1, 2, 6, 6]), c.param('w', [2, 2, 3, 3]), c.param('b', [2]), { pads: [1, 1, 1, 1] }),
  },
  {
    name: 'Conv pad same, even kernel (asymmetric pads)',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [1, 2, 6, 6]), c.param('w', [2, 2, 4, 4]), c.param('b', [2]), { pads: [1, 1, 2, 2] }),
  },
  {
    name: 'Conv dilation 2',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [2, 2, 8, 8]), c.param('w', [3, 2, 3, 3]), c.param('b', [3]), { dilations: [2, 2] }),
  },
  {
    name: 'Conv floor mode drops a row (10x10, k3, s2)',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [2, 1, 10, 10]), c.param('w', [2, 1, 3, 3]), c.param('b', [2]), { strides: [2, 2] }),
  },
  {
    name: 'Conv without bias',
    rule: 'Conv',
    build: (c) => op.conv2d(c.param('x', [1, 3, 5, 5]), c.param('w', [2, 3, 3, 3]), null),
  },
  {
    name: 'Conv stride 2, pad 1, dilation 2, 9x11',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [1, 2, 9, 11]), c.param('w', [2, 2, 3, 3]), c.param('b', [2]), {
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        dilations: [2, 2],
      }),
  },
  {
    name: 'Conv with a constant image (no input gradient)',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.constant([2, 1, 6, 6]), c.param('w', [2, 1, 3, 3]), c.param('b', [2]), { strides: [2, 2] }),
  },

  // Grouped and depthwise convolutions, and the transpose
  {
    name: 'Conv group 2, pads 1',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [1, 4, 5, 5]), c.param('w', [4, 2, 3, 3]), c.param('b', [4]), {
        pads: [1, 1, 1, 1],
        group: 2,
      }),
  },
  {
    name: 'Conv depthwise (group = C), stride 2',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [2, 3, 5, 5]), c.param('w', [3, 1, 3, 3]), c.param('b', [3]), {
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        group: 3,
      }),
  },
  {
    name: 'Conv depthwise x2, dilation 2, asymmetric pads',
    rule: 'Conv',
    build: (c) =>
      op.conv2d(c.param('x', [1, 2, 7, 7]), c.param('w', [4, 1, 3, 3]), null, {
        pads: [1, 0, 2, 1],
        dilations: [2, 2],
        group: 2,
      }),
  },
  {
    name: 'Conv group 2, im2col form (grouped: the conv form)',
    rule: 'Conv',
    rules: IM2COL_GRAD_RULES,
    build: (c) =>
      op.conv2d(c.param('x', [1, 8, 5, 5]), c.param('w', [4, 4, 3, 3]), c.param('b', [4]), {
        pads: [1, 1, 1, 1],
        group: 2,
      }),
  },
  {
    name: 'ConvTranspose stride 2, pads 1, output padding 1',
    rule: 'ConvTranspose',
    build: (c) =>
      op.convTranspose2d(
        c.param('x', [2, 3, 4, 4]),
        c.param('w', [3, 2, 3, 3]),
        { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] },
        c.param('b', [2]),
      ),
  },
  {
    name: 'ConvTranspose group 2, dilation 2, asymmetric pads',
    rule: 'ConvTranspose',
    build: (c) =>
      op.convTranspose2d(c.param('x', [1, 4, 3, 3]), c.param('w', [4, 3, 2, 2]), {
        pads: [0, 1, 1, 0],
        dilations: [2, 2],
        group: 2,
      }),
  },
  {
    name: 'ConvTranspose stride 1, no bias',
    rule: 'ConvTranspose',
    build: (c) => op.convTranspose2d(c.param('x', [2, 2, 3, 4]), c.param('w', [2, 3, 2, 3])),
  },

  // Max pooling from a mask (random values are distinct, so no ties)
  {
    name: 'MaxPool 2x2 on 9x9 (floor mode, pad back)',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [2, 2, 9, 9]), { kernel: [2, 2] }),
  },
  {
    name: 'MaxPool 2x2 on 8x8',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [1, 3, 8, 8]), { kernel: [2, 2] }),
  },
  {
    name: 'MaxPool 3x3 on 7x8',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [1, 2, 7, 8]), { kernel: [3, 3] }),
  },

  {
    name: 'MaxPool 3x3 stride 2 pads 1 (overlapping)',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [2, 2, 7, 7]), { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: 'MaxPool 3x2 stride 1 on 5x6',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [1, 2, 5, 6]), { kernel: [3, 2], strides: [1, 1] }),
  },
  {
    name: 'MaxPool 2x2 ceil mode on 9x9',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [1, 2, 9, 9]), { kernel: [2, 2], ceilMode: true }),
  },
  {
    name: 'MaxPool 3x3 stride 2, ceil mode, asymmetric pads',
    rule: 'MaxPool',
    build: (c) =>
      op.maxPool2d(c.param('x', [1, 2, 8, 8]), { kernel: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], ceilMode: true }),
  },
  {
    name: 'MaxPool 2x2 dilation 2, stride 1',
    rule: 'MaxPool',
    build: (c) => op.maxPool2d(c.param('x', [1, 2, 6, 6]), { kernel: [2, 2], strides: [1, 1], dilations: [2, 2] }),
  },

  // Average pooling: the divisor with and without the padding
  {
    name: 'AveragePool 2x2',
    rule: 'AveragePool',
    build: (c) => op.averagePool2d(c.param('x', [2, 2, 6, 6]), { kernel: [2, 2] }),
  },
  {
    name: 'AveragePool 3x3 stride 2 pads 1, count_include_pad 0',
    rule: 'AveragePool',
    build: (c) => op.averagePool2d(c.param('x', [1, 2, 7, 7]), { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: 'AveragePool 3x3 stride 2 pads [1,0,2,1], count_include_pad 1',
    rule: 'AveragePool',
    build: (c) =>
      op.averagePool2d(c.param('x', [1, 2, 7, 7]), {
        kernel: [3, 3],
        strides: [2, 2],
        pads: [1, 0, 2, 1],
        countIncludePad: true,
      }),
  },
  {
    name: 'AveragePool 2x2 ceil mode on 9x9',
    rule: 'AveragePool',
    build: (c) => op.averagePool2d(c.param('x', [1, 2, 9, 9]), { kernel: [2, 2], ceilMode: true }),
  },
  {
    name: 'AveragePool 3x3 stride 2 pads 1, ceil mode, count_include_pad 1 (a window past the padding)',
    rule: 'AveragePool',
    build: (c) =>
      op.averagePool2d(c.param('x', [1, 1, 8, 8]), {
        kernel: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        ceilMode: true,
        countIncludePad: true,
      }),
  },
  {
    name: 'GlobalAveragePool',
    rule: 'GlobalAveragePool',
    build: (c) => op.globalAveragePool(c.param('x', [2, 3, 4, 5])),
  },
  { name: 'GlobalMaxPool', rule: 'GlobalMaxPool', build: (c) => op.globalMaxPool(c.param('x', [2, 3, 4, 5])) },

  // Normalisation
  {
    name: 'BatchNormalization (inference), every input differentiated',
    rule: 'BatchNormalization',
    build: (c) =>
      op.batchNormalization(
        c.param('x', [2, 3, 3, 3]),
        c.param('scale', [3]),
        c.param('bias', [3]),
        c.param('mean', [3]),
        c.param('var', [3], positive),
      ),
  },
  {
    name: 'BatchNormalization [N, C] (inference), epsilon 0.01',
    rule: 'BatchNormalization',
    build: (c) =>
      op.batchNormalization(
        c.param('x', [4, 3]),
        c.param('scale', [3]),
        c.param('bias', [3]),
        c.constant([3]),
        c.constant([3], positive),
        { epsilon: 0.01 },
      ),
  },
  {
    name: 'BatchNormalization training mode: through the batch statistics',
    rule: 'ReduceMean',
    build: (c) =>
      op.batchNormalizationTraining(
        c.param('x', [3, 2, 3, 3]),
        c.param('scale', [2]),
        c.param('bias', [2]),
        c.constant([2]),
        c.constant([2], positive),
      ).y,
  },
  {
    name: 'LayerNormalization last axis, with bias',
    rule: 'LayerNormalization',
    build: (c) => op.layerNormalization(c.param('x', [3, 2, 5]), c.param('scale', [5]), c.param('bias', [5])),
  },
  {
    name: 'LayerNormalization from axis 1, no bias',
    rule: 'LayerNormalization',
    build: (c) => op.layerNormalization(c.param('x', [2, 3, 4]), c.param('scale', [3, 4]), null, { axis: 1 }),
  },

  // Matrix products: every transA/transB combination, alpha, beta, a broadcast C
  {
    name: 'Gemm A B + C[N]',
    rule: 'Gemm',
    build: (c) => op.gemm(c.param('a', [3, 4]), c.param('b', [4, 5]), c.param('c', [5])),
  },
  {
    name: "Gemm 0.5 A' B + 2 C[M,N] (transA)",
    rule: 'Gemm',
    build: (c) =>
      op.gemm(c.param('a', [4, 3]), c.param('b', [4, 5]), c.param('c', [3, 5]), { transA: true, alpha: 0.5, beta: 2 }),
  },
  {
    name: "Gemm 1.5 A B' + C[N] (transB, as fc layers)",
    rule: 'Gemm',
    build: (c) => op.gemm(c.param('a', [3, 4]), c.param('b', [5, 4]), c.param('c', [5]), { transB: true, alpha: 1.5 }),
  },
  {
    name: "Gemm -0.7 A' B' + 0.3 C[M,1] (transA, transB)",
    rule: 'Gemm',
    build: (c) =>
      op.gemm(c.param('a', [4, 3]), c.param('b', [5, 4]), c.param('c', [3, 1]), {
        transA: true,
        transB: true,
        alpha: -0.7,
        beta: 0.3,
      }),
  },
  { name: 'Gemm without C', rule: 'Gemm', build: (c) => op.gemm(c.param('a', [2, 6]), c.param('b', [6, 3]), null) },
  { name: 'MatMul', rule: 'MatMul', build: (c) => op.matMul(c.param('a', [3, 4]), c.param('b', [4, 5])) },
  {
    name: 'MatMul stacks [2,3,4] x [2,4,5]',
    rule: 'MatMul',
    build: (c) => op.matMul(c.param('a', [2, 3, 4]), c.param('b', [2, 4, 5])),
  },
  {
    name: 'MatMul broadcast batch [2,1,3,4] x [5,4,2]',
    rule: 'MatMul',
    build: (c) => op.matMul(c.param('a', [2, 1, 3, 4]), c.param('b', [5, 4, 2])),
  },
  {
    name: 'MatMul stack x matrix [2,3,4] x [4,5]',
    rule: 'MatMul',
    build: (c) => op.matMul(c.param('a', [2, 3, 4]), c.param('b', [4, 5])),
  },
  {
    name: 'MatMul matrix x stack [4,3] x [2,3,2]',
    rule: 'MatMul',
    build: (c) => op.matMul(c.param('a', [4, 3]), c.param('b', [2, 3, 2])),
  },

  // Broadcasting arithmetic: the driver sums the gradient back to each operand's shape
  { name: 'Add [N,C] + [C] (bias-like)', rule: 'Add', build: (c) => op.add(c.param('x', [4, 3]), c.param('b', [3])) },
  {
    name: 'Add [2,1,3] + [4,1] (both broadcast)',
    rule: 'Add',
    build: (c) => op.add(c.param('x', [2, 1, 3]), c.param('y', [4, 1])),
  },
  { name: 'Sub [C] - [N,C]', rule: 'Sub', build: (c) => op.sub(c.param('b', [3]), c.param('x', [4, 3])) },
  { name: 'Sub [N,C] - scalar', rule: 'Sub', build: (c) => op.sub(c.param('x', [4, 3]), c.param('s', [])) },
  { name: 'Mul [N,1] * [N,C]', rule: 'Mul', build: (c) => op.mul(c.param('s', [4, 1]), c.param('x', [4, 3])) },
  { name: 'Mul [N,C] * [C]', rule: 'Mul', build: (c) => op.mul(c.param('x', [4, 3]), c.param('g', [3])) },
  {
    name: 'Div [N,C] / [N,1]',
    rule: 'Div',
    build: (c) => op.div(c.param('x', [4, 3]), c.param('d', [4, 1], positive)),
  },
  { name: 'Div [C] / [N,C]', rule: 'Div', build: (c) => op.div(c.param('x', [3]), c.param('d', [4, 3], positive)) },
  {
    name: 'Fan-out: x * x + exp(x), x used three times',
    rule: 'Add',
    build: (c) => {
      const x = c.param('x', [3, 4]);
      return op.add(op.mul(x, x), op.exp(x));
    },
  },
  {
    name: 'Fan-out through two branches with broadcasting',
    rule: 'Mul',
    build: (c) => {
      const h = op.exp(c.param('x', [2, 3]));
      return op.mul(h, op.add(h, c.param('b', [3])));
    },
  },

  // Reductions, keepdims 0 and 1
  {
    name: 'ReduceSum axis 1, keepdims 0',
    rule: 'ReduceSum',
    build: (c) => op.reduceSum(c.param('x', [2, 3, 4]), [1], false),
  },
  {
    name: 'ReduceSum axes [0, 2], keepdims 1',
    rule: 'ReduceSum',
    build: (c) => op.reduceSum(c.param('x', [2, 3, 4]), [0, 2], true),
  },
  { name: 'ReduceSum all axes', rule: 'ReduceSum', build: (c) => op.reduceSum(c.param('x', [3, 4])) },
  {
    name: 'ReduceMean axis -1, keepdims 0',
    rule: 'ReduceMean',
    build: (c) => op.reduceMean(c.param('x', [2, 3, 4]), [-1], false),
  },
  {
    name: 'ReduceMean axes [0, 2], keepdims 1',
    rule: 'ReduceMean',
    build: (c) => op.reduceMean(c.param('x', [2, 3, 4]), [0, 2], true),
  },
  {
    name: 'ReduceMax axis 1, keepdims 0',
    rule: 'ReduceMax',
    build: (c) => op.reduceMax(c.param('x', [2, 5, 3]), [1], false),
  },
  {
    name: 'ReduceMax axis 1, keepdims 1',
    rule: 'ReduceMax',
    build: (c) => op.reduceMax(c.param('x', [2, 5, 3]), [1], true),
  },
  { name: 'ReduceMax all axes, keepdims 0', rule: 'ReduceMax', build: (c) => op.reduceMax(c.param('x', [3, 4])) },

  // Data movement
  { name: 'Reshape [2,3,4] -> [6,4]', rule: 'Reshape', build: (c) => op.reshape(c.param('x', [2, 3, 4]), [6, 4]) },
  { name: 'Reshape [2,3,4] -> [0,-1]', rule: 'Reshape', build: (c) => op.reshape(c.param('x', [2, 3, 4]), [0, -1]) },
  { name: 'Flatten axis 1', rule: 'Flatten', build: (c) => op.flatten(c.param('x', [2, 3, 2, 2]), 1) },
  { name: 'Flatten axis 2', rule: 'Flatten', build: (c) => op.flatten(c.param('x', [2, 3, 2, 2]), 2) },
  { name: 'Transpose [2,0,1]', rule: 'Transpose', build: (c) => op.transpose(c.param('x', [2, 3, 4]), [2, 0, 1]) },
  {
    name: 'Transpose NCHW -> CNHW',
    rule: 'Transpose',
    build: (c) => op.transpose(c.param('x', [2, 3, 2, 2]), [1, 0, 2, 3]),
  },
  { name: 'Unsqueeze axes [0, 3]', rule: 'Unsqueeze', build: (c) => op.unsqueeze(c.param('x', [2, 3]), [0, 3]) },
  { name: 'Squeeze axis 1', rule: 'Squeeze', build: (c) => op.squeeze(c.param('x', [3, 1, 4]), [1]) },
  { name: 'Squeeze every size-1 axis', rule: 'Squeeze', build: (c) => op.squeeze(c.param('x', [1, 3, 1, 2])) },
  {
    name: 'Concat axis 1 of three',
    rule: 'Concat',
    build: (c) => op.concat([c.param('a', [2, 3, 4]), c.param('b', [2, 1, 4]), c.param('c', [2, 2, 4])], 1),
  },
  {
    name: 'Concat axis 0 with a constant',
    rule: 'Concat',
    build: (c) => op.concat([c.constant([1, 3]), c.param('x', [2, 3])], 0),
  },
  {
    name: 'Split axis 1 into [2, 1, 2, 1], one part unused',
    rule: 'Split',
    build: (c) => {
      const [p0, , p2, p3] = op.split(c.param('x', [2, 6]), 1, [2, 1, 2, 1]) as [Value, Value, Value, Value];
      return op.add(op.mul(p0, p2), p3);
    },
  },
  {
    name: 'Slice with a negative start',
    rule: 'Slice',
    build: (c) => op.slice(c.param('x', [4, 5]), [0, 1], [1, -3], [3, 5]),
  },
  {
    name: 'Slice step 2',
    rule: 'Slice',
    build: (c) => op.slice(c.param('x', [4, 7]), [1], [1], [6], [2]),
  },
  {
    name: 'Slice step 3, the spread longer than the axis',
    rule: 'Slice',
    build: (c) => op.slice(c.param('x', [3, 8]), [-1], [0], [8], [3]),
  },
  {
    name: 'Slice steps -2 and -3, ends clamped',
    rule: 'Slice',
    build: (c) => op.slice(c.param('x', [5, 6]), [0, 1], [-1, 5], [-6, 0], [-2, -3]),
  },
  { name: 'Slice flip (step -1)', rule: 'Slice', build: (c) => op.flip(c.param('x', [3, 4]), [1]) },
  {
    name: 'Pad with zeros',
    rule: 'Pad',
    build: (c) => op.pad(c.param('x', [2, 3, 2, 2]), [0, 1, 2, 0, 1, 0, 0, 2]),
  },
  {
    name: 'Pad with 0.5, cropping one side',
    rule: 'Pad',
    build: (c) => op.pad(c.param('x', [3, 5]), [1, -1, 0, 2], { value: 0.5 }),
  },
  {
    name: 'Pad reflect, both spatial axes',
    rule: 'Pad',
    build: (c) => op.pad(c.param('x', [1, 2, 4, 5]), [0, 0, 2, 1, 0, 0, 1, 3], { mode: 'reflect' }),
  },
  {
    name: 'Pad edge, both spatial axes',
    rule: 'Pad',
    build: (c) => op.pad(c.param('x', [1, 2, 3, 4]), [0, 0, 2, 0, 0, 0, 1, 3], { mode: 'edge' }),
  },

  // Selection and unary maths
  {
    name: 'Where (both branches, one broadcast)',
    rule: 'Where',
    build: (c) => op.where(c.mask([3, 4]), c.param('a', [3, 4]), c.param('b', [4])),
  },
  { name: 'Exp', rule: 'Exp', build: (c) => op.exp(c.param('x', [3, 4])) },
  { name: 'Log', rule: 'Log', build: (c) => op.log(c.param('x', [3, 4], positive)) },
  { name: 'Sqrt', rule: 'Sqrt', build: (c) => op.sqrt(c.param('x', [3, 4], positive)) },
  {
    name: 'Pow with a constant exponent',
    rule: 'Pow',
    build: (c) => op.pow(c.param('x', [3, 4], positive), c.constant([4], { lo: 0.5, hi: 3 })),
  },
  { name: 'Pow with a scalar exponent 2 (negative bases)', rule: 'Pow', build: (c) => op.pow(c.param('x', [3, 4]), 2) },
  {
    name: 'Pow with a differentiated exponent',
    rule: 'Pow',
    build: (c) => op.pow(c.param('x', [3, 4], positive), c.param('e', [4], { lo: 0.5, hi: 2 })),
  },
  { name: 'Neg', rule: 'Neg', build: (c) => op.neg(c.param('x', [3, 4])) },
  { name: 'Relu (|x| >= 0.05)', rule: 'Relu', build: (c) => op.relu(c.param('x', [4, 5], { lo: 0.05, hi: 1 })) },
  { name: 'Identity', rule: 'Identity', build: (c) => op.identity(c.param('x', [3, 4])) },

  // Activations (values at least 0.05 from the kinks of LeakyRelu and Clip)
  { name: 'Sigmoid', rule: 'Sigmoid', build: (c) => op.sigmoid(c.param('x', [3, 4], { hi: 3 })) },
  { name: 'Tanh', rule: 'Tanh', build: (c) => op.tanh(c.param('x', [3, 4], { hi: 2 })) },
  { name: 'Erf', rule: 'Erf', build: (c) => op.erf(c.param('x', [3, 4], { hi: 2 })) },
  {
    name: 'LeakyRelu alpha 0.1',
    rule: 'LeakyRelu',
    build: (c) => op.leakyRelu(c.param('x', [4, 5], { lo: 0.05, hi: 1 }), 0.1),
  },
  {
    name: 'LeakyRelu default alpha (0.01)',
    rule: 'LeakyRelu',
    build: (c) => op.leakyRelu(c.param('x', [4, 5], { lo: 0.05, hi: 1 })),
  },
  {
    name: 'Clip [-0.5, 0.55]',
    rule: 'Clip',
    build: (c) => op.clip(c.param('x', [4, 5], { lo: 0.05, hi: 1 }), -0.5, 0.55),
  },
  {
    name: 'Clip with differentiated bounds',
    rule: 'Clip',
    build: (c) => {
      const x = c.graph.parameter('x', float32([2, 4], [-0.9, -0.6, -0.2, 0.1, 0.3, 0.55, 0.8, 1.2]));
      return op.clip(x, c.graph.parameter('lo', float32([], [-0.4])), c.graph.parameter('hi', float32([], [0.7])));
    },
  },
  {
    name: 'Clip max only',
    rule: 'Clip',
    build: (c) => op.clip(c.param('x', [3, 4], { lo: 0.15, hi: 1 }), undefined, 0.1),
  },
  { name: 'Softmax last axis', rule: 'Softmax', build: (c) => op.softmax(c.param('x', [3, 5], { hi: 2 })) },
  { name: 'Softmax axis 1 of 3', rule: 'Softmax', build: (c) => op.softmax(c.param('x', [2, 4, 3], { hi: 2 }), 1) },
  {
    name: 'LogSoftmax axis 1 of 3 (a portable composition)',
    rule: 'Log',
    build: (c) => op.logSoftmax(c.param('x', [2, 4, 3], { hi: 2 }), 1),
  },
  // |x| in [1, 2] keeps away from gelu's minimum near -0.75, where the float32-rounded 2/sqrt(pi)
  // of the Erf rule would show in a gradient near zero
  { name: 'Gelu (erf)', rule: 'Erf', build: (c) => op.gelu(c.param('x', [3, 4], { lo: 1, hi: 2 })) },
  { name: 'Gelu (tanh approximation)', rule: 'Tanh', build: (c) => op.gelu(c.param('x', [3, 4], { hi: 2 }), 'tanh') },
];
