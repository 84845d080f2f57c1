// Checks ONNX bytes with the reference checker of the ONNX project: Debian's python3-onnx
// (1.12, opset <= 17), `onnx.checker.check_model(model, full_check=True)`, which also runs the
// spec's shape inference. Debian's /usr/bin/python3 on purpose: a pyenv python3 on PATH lacks it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEBIAN_PYTHON = '/usr/bin/python3';
export const MISSING_ONNX = "Debian's python3-onnx is missing: apt-get install -y python3-onnx";

const SCRIPT = `
import sys
try:
    import onnx
except ImportError:
    sys.exit(3)
onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)
`;

/** Throws with the checker's message when the model is not valid ONNX (or when the checker is missing). */
export function checkOnnxModel(bytes: Uint8Array, options: { fileName?: string; python?: string } = {}): void {
  const { fileName = 'model.onnx', python = DEBIAN_PYTHON } = options;
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-check-'));
  try {
    const path = join(dir, fileName);
    writeFileSync(path, bytes);
    const result = spawnSync(python, ['-c', SCRIPT, path], { encoding: 'utf8' });
    if (result.error) throw new Error(`${MISSING_ONNX} (${python}: ${result.error.message})`);
    if (result.status === 3) throw new Error(MISSING_ONNX);
    if (result.status !== 0) {
      const lines = result.stderr.trim().split('\n');
      throw new Error(`onnx.checker rejected ${fileName}: ${lines.slice(-3).join(' | ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
