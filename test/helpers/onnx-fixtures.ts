// The PyTorch-exported models of test/fixtures/onnx (made by make_fixtures.py there, committed),
// and the batch and outputs PyTorch computed for each. Tests run from dist/test/..., so the
// fixtures are found three levels up, in the source tree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = fileURLToPath(new URL('../../../test/fixtures/onnx/', import.meta.url));

/** Every network of make_fixtures.py; each is exported in eval and in training mode. */
export const FIXTURES = ['practical-cnn', 'bn-residual', 'avgpool', 'log-softmax'] as const;
export type FixtureName = (typeof FIXTURES)[number];
export type ExportMode = 'eval' | 'train';

export const fixturePath = (name: FixtureName, mode: ExportMode): string => `${FIXTURE_DIR}${name}.${mode}.onnx`;

export function fixtureBytes(name: FixtureName, mode: ExportMode): Uint8Array {
  return readFileSync(fixturePath(name, mode));
}

interface Encoded {
  readonly dims: number[];
  readonly data: string;
}

export interface FixtureReference {
  readonly input: { readonly name: string; readonly dims: number[]; readonly data: Float32Array };
  readonly output: string;
  /** PyTorch's output in eval mode. */
  readonly eval: Float32Array;
  /** In training mode (networks without dropout), and the running statistics after that forward pass. */
  readonly train?: Float32Array;
  readonly runningStats?: ReadonlyMap<string, { readonly dims: number[]; readonly data: Float32Array }>;
}

const floats = (base64: string): Float32Array => {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

export function fixtureReference(name: FixtureName): FixtureReference {
  const raw = JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.reference.json`, 'utf8')) as {
    input: Encoded & { name: string };
    output: string;
    eval: string;
    train?: string;
    runningStats?: Record<string, Encoded>;
  };
  return {
    input: { name: raw.input.name, dims: raw.input.dims, data: floats(raw.input.data) },
    output: raw.output,
    eval: floats(raw.eval),
    ...(raw.train ? { train: floats(raw.train) } : {}),
    ...(raw.runningStats
      ? {
          runningStats: new Map(
            Object.entries(raw.runningStats).map(([k, v]) => [k, { dims: v.dims, data: floats(v.data) }]),
          ),
        }
      : {}),
  };
}
