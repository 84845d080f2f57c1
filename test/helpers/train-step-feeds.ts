// Feeds for a training-step graph: a seeded batch and dropout noise, the initial parameters,
// zero optimizer state; and the hand-over of `next.<name>` outputs to the next step's inputs.
import { Mulberry32 } from '../../src/data/random.js';
import { elementCount, type TensorData, tensor } from '../../src/ir/tensor.js';
import { nextName, type TrainStep } from '../../src/train/train-step.js';
import { cnnOf } from '../../src/train/trainer.js';

export type TensorFeeds = Record<string, TensorData>;

/** Everything the first step needs. Noise defaults to seeded uniform values (a fixed dropout mask). */
export function firstStepFeeds(ts: TrainStep, o: { seed: number; lr: number }): TensorFeeds {
  const { manifest, graph } = ts;
  const rng = new Mulberry32(o.seed);
  const feeds: TensorFeeds = {};
  for (const input of graph.inputs) {
    const dims = input.shape.map((d) => {
      if (typeof d !== 'number') throw new Error(`training input ${input.name} has a symbolic dimension ${d}`);
      return d;
    });
    const n = elementCount(dims);
    if (input.name === 'labels')
      feeds[input.name] = tensor(
        'int64',
        dims,
        BigInt64Array.from({ length: n }, () =>
          BigInt(Math.floor(rng.next() * cnnOf(manifest, 'the test step').classes)),
        ),
      );
    else if (input.name === 'step') feeds[input.name] = tensor('float32', [], Float32Array.of(1));
    else if (input.name === 'lr') feeds[input.name] = tensor('float32', [], Float32Array.of(o.lr));
    else if (manifest.state.some((s) => s.name === input.name))
      feeds[input.name] = tensor('float32', dims, new Float32Array(n));
    else
      feeds[input.name] = tensor(
        'float32',
        dims,
        Float32Array.from({ length: n }, () => rng.next()),
      ); // image, dropout noise
  }
  for (const [name, p] of graph.parameters) feeds[name] = p.init;
  for (const [name, t] of ts.initialBuffers) feeds[name] = t;
  return feeds;
}

/** The next step's feeds: updated parameters and state from the outputs, step + 1. */
export function nextStepFeeds(feeds: TensorFeeds, outputs: Readonly<Record<string, TensorData>>): TensorFeeds {
  const next: TensorFeeds = { ...feeds };
  for (const name of Object.keys(feeds)) {
    const updated = outputs[nextName(name)];
    if (updated) next[name] = updated;
  }
  const step = feeds['step']?.data[0] as number;
  next['step'] = tensor('float32', [], Float32Array.of(step + 1));
  return next;
}
