// The device table: each --ep name maps to execution providers and session options (its step form: formForDevice);
// an unknown name is one clear error, and the table cannot be changed at run time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formForDevice } from '../../src/passes/forms.js';
import { createSession, deviceSpec, DEVICES } from '../../src/runtime/node.js';

test('the device table names cpu, cuda and webgpu, each with its providers; webgpu trains the webgpu form', () => {
  assert.deepEqual(DEVICES, ['cpu', 'cuda', 'webgpu']);
  assert.deepEqual(deviceSpec('cpu').providers, ['cpu']);
  assert.deepEqual(deviceSpec('webgpu').providers, ['webgpu', 'cpu']);
  assert.equal(formForDevice('cpu', true), 'node-cpu');
  assert.equal(formForDevice('webgpu', true), 'webgpu');
  // only the WebGPU binding implements gpu-buffer outputs in onnxruntime-node 1.30
  assert.deepEqual(
    DEVICES.filter((d) => deviceSpec(d).deviceOutputs),
    ['webgpu'],
  );
});

test('the device table is frozen, down to its providers and session options', () => {
  const spec = deviceSpec('webgpu');
  assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec.providers) && Object.isFrozen(spec.session));
  assert.throws(() => (spec.providers as string[]).push('cuda'), TypeError);
});

test('an unknown device is one error line that lists the known ones', async () => {
  assert.throws(() => deviceSpec('tpu'), /^Error: unknown execution provider 'tpu' \(known: cpu, cuda, webgpu\)$/);
  await assert.rejects(createSession(new Uint8Array(), { device: 'tpu' as 'cpu' }), /unknown execution provider 'tpu'/);
});
