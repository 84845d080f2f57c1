import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Value } from '../../src/ir/graph.js';
import { poolBeforeRelu } from '../../src/passes/pool-before-relu.js';
import { assertSameStep } from './equivalence.js';
import { tinyCnn } from './tiny-cnn.js';

test('pool before ReLU: MaxPool(Relu(x)) becomes Relu(MaxPool(x)), with the same loss and updates', async () => {
  const { graph } = poolBeforeRelu(tinyCnn().graph);
  const ops = graph.nodes.map((n) => n.opType);
  assert.deepEqual(ops.slice(ops.indexOf('MaxPool'), ops.indexOf('MaxPool') + 2), ['MaxPool', 'Relu']);
  assert.equal(ops.filter((o) => o === 'Relu').length, 2);
  await assertSameStep(tinyCnn, {}, { forward: poolBeforeRelu }, 1);
});

test('pool before ReLU leaves a ReLU that something else reads', () => {
  const { graph, logits } = tinyCnn();
  const pooled = graph.nodes.find((n) => n.opType === 'MaxPool')?.inputs[0];
  assert.equal(pooled?.producer?.opType, 'Relu');
  graph.output(pooled as Value, 'features');
  graph.output(logits, 'logits');
  assert.equal(poolBeforeRelu(graph).changed, 0);
});
