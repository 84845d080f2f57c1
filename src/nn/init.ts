// Parameter initialisation, seeded and reproducible.
//  - 'practical': weights ~ N(0, 0.0025) (std 0.05), biases 0.1, as the practical asks for ReLU nets.
//  - 'pytorch': PyTorch's default for Conv2d/Linear (kaiming_uniform with a = sqrt(5)), which is
//    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases alike.
import { elementCount, type TensorData, tensor } from '../ir/tensor.js';
import { Mulberry32 } from '../data/random.js';

export type InitScheme = 'practical' | 'pytorch';
export const INIT_SCHEMES: readonly InitScheme[] = ['practical', 'pytorch'];

export class Initializer {
  private readonly rng: Mulberry32;

  constructor(
    readonly scheme: InitScheme,
    seed: number,
  ) {
    this.rng = new Mulberry32(seed);
  }

  /** A weight tensor whose fan-in is the product of all dims but the first. */
  weight(dims: readonly number[]): TensorData {
    const fanIn = elementCount(dims.slice(1));
    const data = new Float32Array(elementCount(dims));
    if (this.scheme === 'practical') for (let i = 0; i < data.length; i++) data[i] = 0.05 * this.gaussian();
    else this.fillUniform(data, 1 / Math.sqrt(fanIn));
    return tensor('float32', dims, data);
  }

  bias(size: number, fanIn: number): TensorData {
    const data = new Float32Array(size);
    if (this.scheme === 'practical') data.fill(0.1);
    else this.fillUniform(data, 1 / Math.sqrt(fanIn));
    return tensor('float32', [size], data);
  }

  private fillUniform(data: Float32Array, bound: number): void {
    for (let i = 0; i < data.length; i++) data[i] = this.rng.uniform(-bound, bound);
  }

  /** Box-Muller; 1 - u keeps the logarithm's argument in (0, 1]. */
  private gaussian(): number {
    const u = 1 - this.rng.next();
    const v = this.rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
