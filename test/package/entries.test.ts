// The package's two entries: package.json's exports name files that exist; the browser entry's
// whole import graph stays clear of Node's built-ins and onnxruntime-node (a page bundles it);
// the Node entry offers everything the browser entry does.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/packed-install.js';

interface Conditions {
  readonly [condition: string]: string | Conditions;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Readonly<Record<string, string | Conditions>>;
};

/** Every file an exports map names. */
function targets(entry: string | Conditions): string[] {
  return typeof entry === 'string' ? [entry] : Object.values(entry).flatMap(targets);
}

test("package.json's main, types and exports name built files", () => {
  for (const file of [pkg.main, pkg.types, ...Object.values(pkg.exports).flatMap(targets)])
    assert.ok(existsSync(join(REPO_ROOT, file)), `${file} does not exist`);
  const root = pkg.exports['.'] as Conditions;
  assert.deepEqual(Object.keys(root), ['browser', 'node', 'default'], 'browser before node: bundlers match in order');
});

/** The modules `file` imports, transitively: relative ones as files, bare ones by specifier. */
function importGraph(file: string): { files: Set<string>; bare: Map<string, string> } {
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const pending = [resolve(file)];
  for (let f = pending.pop(); f; f = pending.pop()) {
    if (files.has(f)) continue;
    files.add(f);
    const source = readFileSync(f, 'utf8');
    for (const [, spec] of source.matchAll(/(?:^|\n)\s*(?:import|export)\s*(?:[^'";]*?from\s*)?['"]([^'"]+)['"]/g)) {
      if (!spec) continue;
      if (spec.startsWith('.')) pending.push(resolve(dirname(f), spec));
      else if (!bare.has(spec)) bare.set(spec, f);
    }
  }
  return { files, bare };
}

test('the browser entry imports nothing of Node: no node: built-ins, no onnxruntime-node, no file system', () => {
  const { files, bare } = importGraph(join(REPO_ROOT, 'dist/src/browser.js'));
  const nodeOnly = [...bare].filter(([spec]) => spec.startsWith('node:') || spec === 'onnxruntime-node');
  assert.deepEqual(
    nodeOnly.map(([spec, from]) => `${spec} (from ${from.slice(REPO_ROOT.length)})`),
    [],
  );
  assert.ok(files.size > 20, `only ${files.size} modules: the walk missed the imports`);
});

test('the Node entry offers everything the browser entry does, and more', async () => {
  const browser = (await import(join(REPO_ROOT, 'dist/src/browser.js'))) as Record<string, unknown>;
  const node = (await import(join(REPO_ROOT, 'dist/src/index.js'))) as Record<string, unknown>;
  for (const name of Object.keys(browser)) assert.equal(node[name], browser[name], `the Node entry lacks ${name}`);
  for (const name of ['createTrainer', 'loadDataset', 'saveCheckpoint', 'loadCheckpoint'])
    assert.ok(name in node && !(name in browser), `${name}: in the Node entry only`);
});
