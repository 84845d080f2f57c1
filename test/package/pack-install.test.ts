// The published surface, tested as a user meets it: `npm pack`, then a new project that depends on
// the tarball is installed (offline, from npm's cache; test/helpers/packed-install.ts), the
// README's "Use onnxgrad from TypeScript" example is type-checked there under `strict` with the
// project's own TypeScript, compiled and run, and the model it writes runs in onnxruntime-node.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadDataset } from '../../src/data/datasets.js';
import { MNIST_NORMALIZATION, normalize } from '../../src/data/normalize.js';
import { createSession, float32Tensor } from '../../src/runtime/node.js';
import { argmax } from '../../src/serve/softmax.js';
import {
  type InstallResult,
  installUserProject,
  pack,
  REPO_ROOT,
  writeUserProject,
} from '../helpers/packed-install.js';

const README_SECTION = '## Use onnxgrad from TypeScript';

/** The first ```ts block of the README's library section: the example the README shows. */
function readmeExample(readme: string): string {
  const start = readme.indexOf(README_SECTION);
  assert.ok(start >= 0, `README.md has no '${README_SECTION}' section`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block?.[1], `README.md's '${README_SECTION}' section has no \`\`\`ts example`);
  return block[1];
}

const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    skipLibCheck: true, // as `tsc --init` writes it: onnx-proto's own declarations do not check
    outDir: 'build',
  },
  include: ['example.ts'],
};

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

describe('the packed package, installed into a new project', { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxgrad-user-'));
  let tarball = '';
  let install: InstallResult;
  before(() => {
    tarball = pack(dir);
    writeUserProject({
      dir,
      tarball,
      allowScripts: { 'onnxruntime-node': false, protobufjs: false },
      devDependencies: ['typescript', '@types/node'],
    });
    install = installUserProject(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('npm pack holds the library, its declarations, the CLI and the built demo, and nothing else', () => {
    const result = run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], REPO_ROOT);
    assert.equal(result.status, 0, result.stderr);
    const [info] = JSON.parse(result.stdout) as [{ size: number; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/browser.js',
      'dist/src/browser.d.ts',
      'dist/cli/main.js',
      'web-demo/dist/index.html',
      'web-demo/dist/train.html',
    ])
      assert.ok(files.includes(needed), `the package lacks ${needed}`);
    const stray = files.filter(
      (f) =>
        !/^(package\.json|README\.md|LICENSE)$|^dist\/(src|graphs|cli)\/|^web-demo\/dist\//.test(f) ||
        f.endsWith('.map') ||
        f.startsWith('web-demo/dist/ort/'),
    );
    assert.deepEqual(stray, [], 'files a user does not need');
    assert.ok(info.size < 1_000_000, `the tarball is ${info.size} bytes`);
  });

  test('npm ci of the new project prints no warnings and runs no install script', () => {
    assert.equal(install.stderr.trim(), '', 'npm ci wrote to stderr');
    // onnxruntime-node's denied script would have tried to download the CUDA provider
    assert.equal(
      run('npm', ['install-scripts', 'ls'], dir).stdout.trim(),
      'No packages with unreviewed install scripts.',
    );
  });

  test("the README's example type-checks under strict, runs, and writes a model onnxruntime-node runs", async () => {
    writeFileSync(join(dir, 'example.ts'), readmeExample(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')));
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(USER_TSCONFIG, null, 2)}\n`);
    const tsc = join(dir, 'node_modules', '.bin', 'tsc');
    const check = run(tsc, ['--noEmit', '-p', '.'], dir);
    assert.equal(check.status, 0, `tsc --noEmit: ${check.stdout}${check.stderr}`);
    const emit = run(tsc, ['-p', '.'], dir);
    assert.equal(emit.status, 0, `tsc: ${emit.stdout}${emit.stderr}`);

    const example = run(process.execPath, [join('build', 'example.js')], dir);
    assert.equal(example.status, 0, `the example failed: ${example.stderr}`);
    assert.equal(example.stderr, '', 'the library prints nothing on stderr');
    const accuracies = [...example.stdout.matchAll(/validation accuracy ([\d.]+)%/g)].map((m) => Number(m[1]));
    assert.equal(accuracies.length, 2, example.stdout);
    // 300 steps of Adam at 2e-3 on this small CNN: about 96-97% (a network that does not learn stays near 10%)
    assert.ok((accuracies.at(-1) as number) > 93, `validation accuracy ${accuracies.at(-1)}%`);
    assert.match(example.stdout, /2 evaluations; model.onnx written/);

    // the model it wrote classifies MNIST's test digits in onnxruntime-node as well as validation said
    const mnist = loadDataset({ dataset: 'mnist' });
    const count = 500;
    const images = normalize(mnist.test.images.subarray(0, count * 784), MNIST_NORMALIZATION);
    const session = await createSession(readFileSync(join(dir, 'model.onnx')), { threads: 1 });
    const out = await session.run({ image: float32Tensor(images, [count, 1, 28, 28]) });
    assert.deepEqual(out.logits?.dims, [count, 10]);
    assert.deepEqual(out.probabilities?.dims, [count, 10]);
    const logits = out.logits?.data as Float32Array;
    let correct = 0;
    for (let i = 0; i < count; i++)
      if (argmax(logits.subarray(i * 10, i * 10 + 10)) === mnist.test.labels[i]) correct++;
    assert.ok(correct / count > 0.9, `test accuracy of model.onnx: ${correct / count}`);
    await session.release();
  });

  test('the CLI runs from the installed package', () => {
    const cli = run(join(dir, 'node_modules', '.bin', 'onnxgrad'), ['summary'], dir);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /1,103,539/);
  });
});
