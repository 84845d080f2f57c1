// The forward model of an imported network during training: the user's own file (in inference
// form, as build-graph --from keeps it) with the runner's current weights swapped in. Validation
// runs exactly the file that training exports at the end.
import type { TensorData } from '../ir/tensor.js';
import { importModel } from '../onnx/import.js';
import { trainedModel } from '../onnx/trained-model.js';
import { createSession, float32Tensor, type Session, type SessionOptions } from '../runtime/node.js';

export class ImportedForward {
  private session: Session | undefined;
  /** The initializers training changes (parameters and running statistics). */
  private readonly names: ReadonlySet<string>;
  /** The output's number of classes, where the file gives it. */
  readonly classes: number | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    /** The output trained on (the manifest's loss output). */
    private readonly output: string | undefined,
    private readonly options: SessionOptions,
  ) {
    const model = importModel(bytes);
    this.names = new Set(model.initializers.keys());
    const out = model.outputs.find((o) => o.name === output) ?? model.outputs[0];
    this.classes = typeof out?.shape[1] === 'number' ? out.shape[1] : undefined;
  }

  private weights(tensors: ReadonlyMap<string, TensorData>): Map<string, TensorData> {
    return new Map([...tensors].filter(([name]) => this.names.has(name)));
  }

  /** The file with these weights, in inference form, with metadata. */
  export(tensors: ReadonlyMap<string, TensorData>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    return trainedModel(this.bytes, { weights: this.weights(tensors), metadata });
  }

  /** Loads the current weights for the predictions that follow. */
  async refresh(tensors: ReadonlyMap<string, TensorData>): Promise<void> {
    await this.release();
    this.session = await createSession(this.export(tensors), this.options);
  }

  /** The trained output for `count` images of size side x side (one channel). */
  async predict(images: Float32Array, count: number, side: [number, number]): Promise<Float32Array> {
    const session = this.session;
    if (!session) throw new Error('ImportedForward: refresh() before predict()');
    const input = session.inputNames[0] ?? '';
    const out = await session.run({ [input]: float32Tensor(images, [count, 1, side[0], side[1]]) });
    const values = out[this.output ?? ''] ?? out[session.outputNames[0] ?? ''];
    if (!values) throw new Error(`the model has no output '${this.output ?? ''}'`);
    return values.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }
}
