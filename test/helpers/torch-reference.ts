// Runs a PyTorch nn.Sequential on Debian's python3-torch, given the weights and an input, for the
// nn layer tests: it prints the state_dict's names and shapes (BatchNorm's num_batches_tracked
// left out: onnxgrad has no such counter) and the output in eval mode. A missing python3-torch
// fails the test with the line that installs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBIAN_PYTHON } from './onnx-checker.js';

const MISSING_TORCH = "Debian's python3-torch is missing: apt-get install -y python3-torch";

const script = (layers: string, inputShape: readonly number[]) => `
import json, sys
from collections import OrderedDict
try:
    import torch
except ImportError:
    sys.exit(3)
spec = json.load(open(sys.argv[1]))
nn = torch.nn
net = nn.Sequential(OrderedDict([
${layers}
])).eval()
state = OrderedDict((k, torch.tensor(v['data'], dtype=torch.float32).reshape(v['shape'])) for k, v in spec['weights'].items())
net.load_state_dict(state, strict=True)  # BatchNorm fills in its num_batches_tracked
x = torch.tensor(spec['input'], dtype=torch.float32).reshape(${inputShape.join(', ')})
with torch.no_grad():
    y = net(x)
names = [f"{k} {list(v.shape)}" for k, v in net.state_dict().items() if not k.endswith('num_batches_tracked')]
print(json.dumps({'names': names, 'output': y.flatten().tolist()}))
`;

export interface TorchWeight {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/**
 * `layers`: the Python lines of the Sequential's entries, `('name', nn.Module(...)),` each;
 * `weights`: its state_dict by name. Returns the state_dict's `name [shape]` lines and the output.
 */
export function torchSequential(
  layers: string,
  weights: Readonly<Record<string, TorchWeight>>,
  input: Float32Array,
  inputShape: readonly number[],
): { names: string[]; output: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-nn-'));
  try {
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ weights, input: [...input] }));
    const result = spawnSync(DEBIAN_PYTHON, ['-c', script(layers, inputShape), join(dir, 'spec.json')], {
      encoding: 'utf8',
    });
    if (result.error || result.status === 3) throw new Error(MISSING_TORCH);
    if (result.status !== 0) throw new Error(`PyTorch failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as { names: string[]; output: number[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
