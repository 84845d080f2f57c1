// The browser pages use onnxgrad as a user's page would: by name, through package.json's
// `browser` export, never by a path into the repository's src/ and never by a copy. And that
// entry tree-shakes: without `sideEffects` in package.json each page bundle carried the whole
// library (about 250 kB instead of 60-80 kB).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/packed-install.js';

const PAGES = join(REPO_ROOT, 'web-demo/src');
/** The packages a page may import besides onnxgrad itself. */
const THIRD_PARTY = [/^onnxruntime-web(\/|$)/, /^uplot(\/|$)/];
/** The most one page's JavaScript file may weigh (the largest is about 82 kB today). */
const BUNDLE_BUDGET = 120_000;

/** Every specifier a module imports: static imports, re-exports, `import('...')` and `new URL('...', import.meta.url)`. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s*(?:[^'";]*?from\s*)?['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  for (const pattern of patterns) for (const [, spec] of source.matchAll(pattern)) if (spec) found.push(spec);
  return found;
}

/** Why a page's import is not allowed, or undefined when it is. */
export function forbidden(page: string, spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const target = resolve(dirname(page), spec);
    return relative(PAGES, target).startsWith('..')
      ? `reaches outside web-demo/src to ${relative(REPO_ROOT, target)}`
      : undefined;
  }
  if (spec === 'onnxgrad') return undefined;
  if (spec.startsWith('onnxgrad/')) return "a deep import: use the package's entry, 'onnxgrad'";
  return THIRD_PARTY.some((p) => p.test(spec)) ? undefined : 'a package the pages do not depend on';
}

test("the page check catches an import from the repository's src/", () => {
  const page = join(PAGES, 'train-model.ts');
  const source = "import { stepFeeds } from '../../src/train/step-feeds.js';\nimport { argmax } from 'onnxgrad';\n";
  const bad = specifiers(source).flatMap((spec) => forbidden(page, spec) ?? []);
  assert.deepEqual(bad, ['reaches outside web-demo/src to src/train/step-feeds.js']);
  assert.match(forbidden(page, 'onnxgrad/dist/src/browser.js') ?? '', /deep import/);
});

test("every page module imports onnxgrad by name and nothing from the repository's src/", () => {
  const pages = readdirSync(PAGES).filter((f) => f.endsWith('.ts'));
  assert.ok(pages.length >= 10, `only ${pages.length} page modules found in ${PAGES}`);
  const bad: string[] = [];
  const named = new Set<string>();
  for (const name of pages) {
    const file = join(PAGES, name);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const why = forbidden(file, spec);
      if (why) bad.push(`web-demo/src/${name}: '${spec}' ${why}`);
      if (spec === 'onnxgrad') named.add(name);
    }
  }
  assert.deepEqual(bad, []);
  for (const name of ['data.ts', 'model.ts', 'train-data.ts', 'train-model.ts'])
    assert.ok(named.has(name), `${name} no longer imports 'onnxgrad': does it keep a copy?`);
});

test('each page bundle stays small: the browser entry tree-shakes', () => {
  const assets = join(REPO_ROOT, 'web-demo/dist/assets');
  const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
  assert.ok(scripts.length >= 3, `only ${scripts.length} scripts in ${assets}: run npm run build`);
  const sizes = scripts.map((f) => [f, statSync(join(assets, f)).size] as const);
  const heavy = sizes.filter(([, size]) => size > BUNDLE_BUDGET).map(([f, size]) => `${f}: ${size} bytes`);
  assert.deepEqual(heavy, [], `over the ${BUNDLE_BUDGET}-byte budget`);
});
