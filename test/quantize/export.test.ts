// `onnxgrad export` as a user runs it, on a small trained model: int8 (QDQ) and fp16 files that
// pass onnx.checker, keep the metadata, run on onnxruntime-node and onnxruntime-web (WASM) with
// the float model's predictions, and that eval and serve accept; bad input writes nothing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildInferenceGraph } from '../../graphs/mnist-cnn.js';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { loadDataset } from '../../src/data/datasets.js';
import { exportModel } from '../../src/onnx/export.js';
import { decodeModelProto } from '../../src/onnx/import.js';
import { readModelInfo } from '../../src/onnx/metadata.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { createWebSession, webFloat32Tensor } from '../../src/runtime/web.js';
import { startServer } from '../../src/serve/server.js';
import { ELEMENT_TYPE } from '../../src/quantize/stored-tensor.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { checkOnnxModel } from '../helpers/onnx-checker.js';
import { assertClose, postJson, predictionsOf } from '../serve/client.js';
import { normalise } from '../serve/fixtures.js';
import { trainedModelPath } from '../serve/trained-model.js';

interface ExportJson {
  out: string;
  bytes: number;
  sourceBytes: number;
  testAccuracy: number;
  sourceTestAccuracy: number;
  calibration?: { dataset: string; split: string; images: number };
}

const IMAGES = 200;

/** Logits of the first IMAGES test digits, on onnxruntime-node or -web. */
async function logits(bytes: Uint8Array, runtime: 'node' | 'web'): Promise<Float32Array> {
  const test_ = loadDataset({ dataset: 'mnist' }).test;
  const input = normalise(test_.images.subarray(0, IMAGES * 784));
  if (runtime === 'node') {
    const session = await createSession(bytes, { threads: 1 });
    const out = await session.run({ image: float32Tensor(input, [IMAGES, 1, 28, 28]) });
    await session.release();
    return out['logits']!.data as Float32Array;
  }
  const session = await createWebSession(bytes, { threads: 1 });
  const out = await session.run({ image: webFloat32Tensor(input, [IMAGES, 1, 28, 28]) });
  await session.release();
  return out['logits']!.data as Float32Array;
}

function argmaxes(rows: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length / 10; i++) {
    const row = Array.from(rows.subarray(i * 10, i * 10 + 10));
    out.push(row.indexOf(Math.max(...row)));
  }
  return out;
}

const agreement = (a: number[], b: number[]) => a.filter((v, i) => v === b[i]).length / a.length;

describe('onnxgrad export', { timeout: 300_000 }, () => {
  let source: string;
  let dir: string;
  const exported: Partial<Record<'int8' | 'fp16', ExportJson>> = {};
  before(async () => {
    source = await trainedModelPath();
    dir = tempDir('onnxgrad-export-');
    for (const precision of ['int8', 'fp16'] as const) {
      const out = join(dir, `model.${precision}.onnx`);
      const printed = await runCli(['export', '--model', source, '--precision', precision, '--out', out, '--json']);
      exported[precision] = JSON.parse(printed) as ExportJson;
    }
  });

  test('int8: QDQ around Conv and Gemm, per-channel int8 weights, a quarter of the size, within 0.2 points', () => {
    const r = exported.int8!;
    const bytes = readFileSync(r.out);
    assert.equal(r.bytes, bytes.length);
    checkOnnxModel(bytes, { fileName: 'model.int8.onnx' });
    // int8 weights are a quarter of float32; per-channel scales and int32 biases add a little
    assert.ok(r.bytes < 0.27 * r.sourceBytes, `${r.bytes} bytes of ${r.sourceBytes}`);
    assert.deepEqual(r.calibration, { dataset: 'mnist', split: 'train', images: 500 });
    assert.ok(
      r.testAccuracy >= r.sourceTestAccuracy - 0.002,
      `int8 ${r.testAccuracy} vs float32 ${r.sourceTestAccuracy}`,
    );
    const graph = decodeModelProto(bytes).graph!;
    const producer = (v: string) => graph.node!.find((n) => n.output!.includes(v));
    const init = (v: string) => graph.initializer!.find((t) => t.name === v);
    const weighted = graph.node!.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm');
    assert.equal(weighted.length, 4);
    for (const n of weighted) {
      for (const v of n.input!) assert.equal(producer(v)?.opType, 'DequantizeLinear', `${n.name} reads ${v}`);
      const [w, scale] = producer(n.input![1]!)!.input!;
      assert.equal(init(w!)?.dataType, ELEMENT_TYPE.int8);
      assert.equal(Number(init(scale!)?.dims?.[0]), Number(init(w!)?.dims?.[0]), 'one scale per output channel');
      assert.equal(init(producer(n.input![2]!)!.input![0]!)?.dataType, ELEMENT_TYPE.int32, 'int32 bias');
    }
    // Relu folds into the uint8 zero point; no float32 weights are left
    assert.equal(graph.node!.filter((n) => n.opType === 'Relu').length, 0);
    assert.ok(graph.initializer!.every((t) => t.dataType !== ELEMENT_TYPE.float32 || Number(t.dims?.[0] ?? 1) <= 256));
    assert.deepEqual(readModelInfo(bytes), readModelInfo(readFileSync(source)));
  });

  test('fp16: float16 weights and activations, float32 in and out, the same predictions', async () => {
    const r = exported.fp16!;
    const bytes = readFileSync(r.out);
    checkOnnxModel(bytes, { fileName: 'model.fp16.onnx' });
    assert.ok(r.bytes < 0.51 * r.sourceBytes);
    const graph = decodeModelProto(bytes).graph!;
    assert.ok(
      graph.initializer!.every((t) => t.dataType === ELEMENT_TYPE.float16 || t.dataType === ELEMENT_TYPE.int64),
    );
    assert.deepEqual(
      [...graph.input!, ...graph.output!].map((v) => v.type?.tensorType?.elemType),
      [ELEMENT_TYPE.float32, ELEMENT_TYPE.float32, ELEMENT_TYPE.float32],
    );
    assert.equal(graph.node![0]!.opType, 'Cast');
    assert.ok(Math.abs(r.testAccuracy - r.sourceTestAccuracy) <= 0.001);
    assertClose(await logits(bytes, 'node'), await logits(readFileSync(source), 'node'), 0.05, 'fp16 logits');
    assert.deepEqual(readModelInfo(bytes), readModelInfo(readFileSync(source)));
  });

  test('both run on onnxruntime-web (WASM) as on onnxruntime-node', async () => {
    const float = argmaxes(await logits(readFileSync(source), 'node'));
    for (const precision of ['int8', 'fp16'] as const) {
      const bytes = readFileSync(exported[precision]!.out);
      const [node, web] = [await logits(bytes, 'node'), await logits(bytes, 'web')];
      assertClose(web, node, precision === 'int8' ? 0.25 : 0.01, `${precision} logits, web vs node`);
      assert.ok(agreement(argmaxes(web), float) >= 0.98, `${precision} on WASM agrees with float32`);
    }
  });

  test('eval scores the int8 model as export did, and serve serves it', async () => {
    const r = exported.int8!;
    const evaluated = JSON.parse(await runCli(['eval', '--model', r.out, '--json'])) as { accuracy: number };
    assert.equal(evaluated.accuracy, r.testAccuracy);
    const server = await startServer({ modelPath: r.out, port: 0 });
    try {
      const test_ = loadDataset({ dataset: 'mnist' }).test;
      const pixels = Array.from(test_.images.subarray(0, 784));
      const [p] = predictionsOf(await postJson(server.url, { pixels }));
      const expected = await logits(readFileSync(r.out), 'node');
      assert.equal(p!.label, argmaxes(expected)[0]);
      const info = (await (await fetch(`${server.url}/v1/info`)).json()) as { model: { bytes: number } };
      assert.equal(info.model.bytes, r.bytes);
    } finally {
      await server.close();
    }
  });

  test('fp32 writes the model as it is', async () => {
    const out = join(dir, 'model.fp32.onnx');
    await runCli(['export', '--model', source, '--precision', 'fp32', '--out', out]);
    assert.deepEqual(readFileSync(out), readFileSync(source));
  });

  test('bad input: one clear error each, nothing written', async () => {
    const bad = tempDir('onnxgrad-export-bad-');
    const out = join(bad, 'out.onnx');
    const fails = async (args: string[], message: RegExp) => {
      await assert.rejects(runCli(['export', ...args, '--out', out]), message);
      assert.deepEqual(readdirSync(bad), [], `nothing written for ${args.join(' ')}`);
    };
    await fails(['--model', exported.int8!.out], /not a float32 network: initializer \S+ is (u)?int8/);
    await fails(['--model', source, '--precision', 'int4'], /argument 'int4' is invalid/);
    const notOnnx = join(tempDir(), 'notes.onnx');
    writeFileSync(notOnnx, 'not a model at all');
    await fails(['--model', notOnnx], /not an ONNX model/);
    const big = join(tempDir(), 'model32.onnx');
    writeFileSync(
      big,
      exportModel(buildInferenceGraph(cnnConfig('narrow', { inputSize: 32 })), { metadata: { dataset: 'mnist' } }),
    );
    await fails(['--model', big], /calibration data does not fit the model's input: image takes \[N, 1, 32, 32\]/);
    await fails(['--model', source, '--calibration-images', '60000'], /calibration takes 1 to \d+ images/);
    assert.equal(existsSync(out), false);
  });
});
