import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { useNchwcForImageConvs } from '../../src/passes/nchwc.js';
import { nchwcBlockSize } from '../../src/runtime/node.js';
import { assertSameStep } from './equivalence.js';
import { tinyCnn } from './tiny-cnn.js';

test("NCHWc image conv at this CPU's block size: the same loss and updates", async () => {
  const block = await nchwcBlockSize();
  if (block === null) {
    // ORT has NCHWc kernels on every x64 CPU with AVX2: only a CPU without them may report none
    const avx2 =
      process.arch === 'x64' && existsSync('/proc/cpuinfo') && /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    assert.ok(!avx2, 'this CPU has AVX2, so ONNX Runtime has NCHWc kernels, but the probe found none');
    return;
  }
  await assertSameStep(tinyCnn, {}, { step: (g) => useNchwcForImageConvs(g, block) }, 1);
  assert.ok(block === 8 || block === 16);
});
