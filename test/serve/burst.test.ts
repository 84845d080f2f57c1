// A bounded burst (burst.ts): 400 predictions at once against `onnxgrad serve` with room for 100
// in flight. Every one is answered 200 or 503 (never reset, never timed out), the server's memory
// stays bounded and /healthz keeps answering. `npm run bench:burst` sends thousands and checks
// that /healthz answers within 100 ms, which needs a machine that is not loaded by other work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burst } from './burst.js';
import { syntheticDigit, testModelPath } from './fixtures.js';

test(
  '400 concurrent predictions: each answered 200 or 503, memory bounded, /healthz answering',
  { timeout: 120_000 },
  async () => {
    const result = await burst({
      model: testModelPath(),
      count: 400,
      body: JSON.stringify({ pixels: syntheticDigit(0) }),
      serveArgs: ['--max-pending', '100'],
      deadlineMs: 90_000,
    });
    const { '200': ok = 0, '503': shed = 0, ...other } = result.statuses;
    assert.deepEqual(other, {}, `answers other than 200 and 503: ${JSON.stringify(result)}`);
    assert.equal(ok + shed, 400);
    assert.ok(ok >= 100, `only ${ok} answered 200: ${JSON.stringify(result)}`);
    assert.equal(result.healthz.failures, 0, JSON.stringify(result.healthz));
    assert.ok(result.healthz.checks >= 1);
    assert.ok(
      result.rssMiB.peak - result.rssMiB.before < 300,
      `memory grew by ${result.rssMiB.peak - result.rssMiB.before} MiB`,
    );
  },
);
