import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgram } from '../cli/index.js';

test('the program has a name and a version', () => {
  const program = createProgram();
  assert.equal(program.name(), 'onnxgrad');
});
