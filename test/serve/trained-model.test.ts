// The browser tests' cached trained model is keyed on the code as well as the settings: a model
// trained by older code is not reused.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainedModelKey } from './trained-model.js';

test('the trained-model cache key changes with any compiled file under src/ or graphs/', () => {
  const root = mkdtempSync(join(tmpdir(), 'onnxgrad-key-'));
  mkdirSync(join(root, 'src', 'train'), { recursive: true });
  mkdirSync(join(root, 'graphs'));
  writeFileSync(join(root, 'src', 'train', 'trainer.js'), 'export const a = 1;');
  writeFileSync(join(root, 'graphs', 'mnist-cnn.js'), 'export const b = 1;');
  const first = trainedModelKey(root);
  assert.equal(trainedModelKey(root), first);
  writeFileSync(join(root, 'src', 'train', 'trainer.js'), 'export const a = 2;');
  const second = trainedModelKey(root);
  assert.notEqual(second, first);
  writeFileSync(join(root, 'graphs', 'mnist-cnn.js'), 'export const b = 2;');
  const third = trainedModelKey(root);
  assert.notEqual(third, second);
  writeFileSync(join(root, 'src', 'notes.txt'), 'not code');
  assert.equal(trainedModelKey(root), third);
  // the real key covers this build's code
  assert.match(trainedModelKey(), /^[0-9a-f]{12}$/);
});
