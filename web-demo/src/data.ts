// Data for the demo, with no DOM: turning a drawing into an MNIST-style 28x28 image
// (onnxgrad's preprocessDrawing, which the server uses for PNGs of other sizes too), normalising it,
// and fetching the server's info and test samples. A drawing gets MNIST's treatment, or the
// network sees digits of a size and position it never saw in training.

import { MNIST_NORMALIZATION, type Normalization } from 'onnxgrad';

export { MNIST_SIDE as SIDE, preprocessDrawing } from 'onnxgrad';
export type { Normalization } from 'onnxgrad';

export interface ServerInfo {
  dataset: string;
  classNames: string[];
  normalization: Normalization;
  model: { name: string; sha256: string; bytes: number };
}

export interface Sample {
  index: number;
  label: number;
  className: string;
  pixels: number[];
}

export const MNIST_INFO: Omit<ServerInfo, 'model'> = {
  dataset: 'mnist',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  normalization: { ...MNIST_NORMALIZATION },
};

/** (x/255 - mean)/std for `count` images of raw intensities. */
export function normalise(pixels: ArrayLike<number>, norm: Normalization): Float32Array {
  return Float32Array.from(pixels, (v) => (v / 255 - norm.mean) / norm.std);
}

export { argmax } from 'onnxgrad';

/** The server's model and dataset, or undefined when the page is not served by `onnxgrad serve`. */
export async function fetchInfo(): Promise<ServerInfo | undefined> {
  try {
    const res = await fetch('v1/info');
    return res.ok ? ((await res.json()) as ServerInfo) : undefined;
  } catch {
    return undefined;
  }
}

export async function fetchModel(): Promise<Uint8Array | undefined> {
  const res = await fetch('model.onnx');
  return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
}

export async function fetchSamples(count: number, offset: number): Promise<Sample[]> {
  const res = await fetch(`v1/test-samples?count=${count}&offset=${offset}`);
  const body = (await res.json()) as { samples?: Sample[]; error?: string };
  if (!res.ok || !body.samples) throw new Error(body.error ?? `test samples: HTTP ${res.status}`);
  return body.samples;
}
