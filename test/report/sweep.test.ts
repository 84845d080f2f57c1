import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cnnConfig } from '../../graphs/cnn-config.js';
import { PRACTICAL_PRESET, type TrainOptions } from '../../src/train/options.js';
import { configName, type RunState, runSweep, sweepConfigs } from '../../src/report/sweep.js';
import { runCli, tempDir } from '../helpers/cli.js';

const TINY = ['--steps', '20', '--limit', '640', '--eval-every', '5', '--checkpoint-every', '5', '--no-progress'];

test('config names and the cartesian product', () => {
  assert.equal(
    configName({ optimizer: 'adam', lr: 1e-4, dropout: 0.2, model: 'practical' }),
    'adam-lr1e-4-drop0.2-practical',
  );
  assert.equal(configName({ optimizer: 'sgd', lr: 0.0025, dropout: 0, model: 'wide' }), 'sgd-lr2.5e-3-drop0-wide');
  const configs = sweepConfigs({
    optimizers: ['adam', 'sgd', 'momentum'],
    lrs: [1e-4, 1e-3],
    dropouts: [0, 0.2, 0.5],
    models: ['practical', 'wide', 'narrow'],
  });
  assert.equal(configs.length, 54);
  assert.equal(new Set(configs.map((c) => c.name)).size, 54);
  assert.deepEqual(
    sweepConfigs({ optimizers: ['sgd'], lrs: [], dropouts: [0.2], models: ['narrow'] }).map((c) => c.lr),
    [1e-2],
    "the optimizer's default lr",
  );
  assert.throws(
    () => sweepConfigs({ optimizers: ['adam'], lrs: [1e-3, 0.001], dropouts: [0.2], models: ['practical'] }),
    /names adam-lr1e-3-drop0.2-practical twice/,
  );
  assert.throws(
    () => sweepConfigs({ optimizers: ['adam'], lrs: [], dropouts: [0.2], models: ['huge'] }),
    /unknown model 'huge'/,
  );
});

test('sweep of two tiny configurations: table of 2 rows, comparison plot; run again, both are skipped', async () => {
  const out = join(tempDir(), 'sweep');
  const args = ['sweep', '--optimizer', 'adam,sgd', '--lr', '1e-3', '--model', 'narrow', '--out', out, ...TINY];
  const printed = await runCli(args);
  const names = ['adam-lr1e-3-drop0.2-narrow', 'sgd-lr1e-3-drop0.2-narrow'];
  for (const name of names) {
    for (const file of ['summary.json', 'results.json', 'model.onnx', 'metrics.jsonl'])
      assert.ok(existsSync(join(out, name, file)), `${name}/${file}`);
  }
  const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 3, 'header and 2 rows');
  assert.match(
    csv[0] ?? '',
    /^name,optimizer,lr,dropout,model,dataset,parameters,macsPerImage,batchSize,trainStepFlops,steps,seconds,stepsPerSecond,valAccuracy,testAccuracy,testImages$/,
  );
  const row = (csv[1] ?? '').split(',');
  assert.equal(row[0], names[0]);
  assert.equal(Number(row[6]), 145270, 'parameters of the narrow network');
  assert.equal(Number(row[9]), 3 * 2 * Number(row[7]) * 64, 'FLOPs per step: 3 x 2 x MACs x batch');
  assert.equal(Number(row[15]), 640, 'test images');
  assert.ok(Number(row[14]) > 0.1 && Number(row[14]) <= 1);
  const md = readFileSync(join(out, 'results.md'), 'utf8');
  assert.equal(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| configuration')).length, 2);
  assert.match(md, /FLOPs per training step are an estimate/);
  assert.ok(printed.includes(md.split('\n')[2] ?? 'x'), 'the table is printed');
  const svg = readFileSync(join(out, 'val-accuracy.svg'), 'utf8');
  assert.match(svg, /Symbol legend .* with 2 values: adam-lr1e-3-drop0\.2-narrow, sgd-lr1e-3-drop0\.2-narrow/);
  assert.ok(existsSync(join(out, 'val-accuracy.png')));

  const again = JSON.parse(await runCli([...args, '--json'])) as {
    completed: boolean;
    results: { name: string; testAccuracy: number }[];
  };
  assert.equal(again.completed, true);
  assert.deepEqual(
    again.results.map((r) => r.name),
    names,
  );
  assert.equal(again.results[0]?.testAccuracy, Number(row[14]), 'read back, not retrained');
});

test('an interrupted sweep resumes the unfinished run from its checkpoint', async () => {
  const outDir = join(tempDir(), 'sweep');
  const base: TrainOptions = {
    ...PRACTICAL_PRESET,
    runDir: outDir,
    model: cnnConfig('narrow'),
    steps: 20,
    evalEvery: 5,
    checkpointEvery: 5,
    seed: 1,
    threads: 1,
    device: 'cpu',
    data: {},
    limit: 640,
  };
  const configs = sweepConfigs({ optimizers: ['adam'], lrs: [1e-3, 3e-3], dropouts: [0.2], models: ['narrow'] });
  const plan = { outDir, base, configs };
  const controller = new AbortController();
  const first = await runSweep(
    plan,
    { run: (c) => ({ onStep: ({ step }) => c === configs[1] && step === 7 && controller.abort() }) },
    controller.signal,
  );
  assert.equal(first.completed, false);
  assert.equal(first.results.length, 1);
  assert.ok(existsSync(join(outDir, configs[1]?.name ?? '', 'checkpoint.safetensors')));
  assert.equal(existsSync(join(outDir, configs[1]?.name ?? '', 'summary.json')), false);

  const states: RunState[] = [];
  const starts: number[] = [];
  const second = await runSweep(plan, {
    onRunStart: ({ state }) => states.push(state),
    run: () => ({ onStart: (info) => starts.push(info.startStep) }),
  });
  assert.equal(second.completed, true);
  assert.deepEqual(states, ['done', 'resume']);
  assert.equal(starts.length, 1);
  assert.ok((starts[0] ?? 0) >= 7, `resumed at step ${starts[0]}`);
  assert.equal(second.results.length, 2);
  assert.equal(readFileSync(join(outDir, 'results.csv'), 'utf8').trim().split('\n').length, 3);
});
