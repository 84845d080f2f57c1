// safetensors headers whose offsets do not tile the data exactly are refused: overlapping tensors
// would alias each other's bytes, negative or reversed offsets make no sense.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float32 } from '../../src/ir/tensor.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.js';

/** A file of two float32 [2] tensors whose header says `offsets` for a and b, and 16 data bytes. */
function fileWith(a: [number, number], b: [number, number], dataBytes = 16): Uint8Array {
  const header = JSON.stringify({
    a: { dtype: 'F32', shape: [2], data_offsets: a },
    b: { dtype: 'F32', shape: [2], data_offsets: b },
  });
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

test('a well-formed file round-trips, in either order of the header', () => {
  const tensors = new Map([
    ['a', float32([2], new Float32Array([1, 2]))],
    ['b', float32([2], new Float32Array([3, 4]))],
  ]);
  const decoded = decodeSafetensors(encodeSafetensors(tensors, { k: 'v' }));
  assert.deepEqual(Array.from(decoded.tensors.get('b')!.data as Float32Array), [3, 4]);
  assert.deepEqual(decoded.metadata, { k: 'v' });
  // b's bytes first: allowed, the offsets still tile the data
  assert.equal(decodeSafetensors(fileWith([8, 16], [0, 8])).tensors.size, 2);
});

test('overlapping, negative, reversed and gapped offsets are refused', () => {
  const cases: [string, [number, number], [number, number], number, RegExp][] = [
    ['overlapping', [0, 8], [0, 8], 16, /'b' starts at data byte 0, overlapping the tensor before it/],
    ['overlapping by half', [0, 8], [4, 12], 16, /starts at data byte 4, overlapping/],
    ['negative', [-8, 0], [0, 8], 16, /'a' has data_offsets \[-8, 0\]/],
    ['reversed', [8, 0], [8, 16], 16, /'a' has data_offsets \[8, 0\]/],
    ['not integers', [0.5, 8.5], [8, 16], 16, /data_offsets \[0\.5, 8\.5\]/],
    ['a gap', [0, 8], [12, 20], 20, /'b' starts at data byte 12, leaving a gap after byte 8/],
  ];
  for (const [what, a, b, size, message] of cases)
    assert.throws(() => decodeSafetensors(fileWith(a, b, size), 'f'), message, what);
});
