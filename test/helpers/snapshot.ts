// Snapshot files for text that should change only on purpose (e.g. an exported graph's text form).
// They live in the source tree, test/snapshots/<name>.txt, not under dist/: tests run from
// dist/test/..., and this file compiles to dist/test/helpers/snapshot.js, three levels below the
// repository root. `UPDATE_SNAPSHOTS=1 npm test` (npm run test:update-snapshots) rewrites them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SNAPSHOT_DIR = fileURLToPath(new URL('../../../test/snapshots/', import.meta.url));

export const updatingSnapshots = (): boolean => process.env.UPDATE_SNAPSHOTS === '1';

export function snapshotPath(name: string): string {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`snapshot name '${name}' must be letters, digits, '.', '_' or '-'`);
  return `${SNAPSHOT_DIR}${name}.txt`;
}

/** Asserts that `actual` equals test/snapshots/<name>.txt, or rewrites the file when updating. */
export function assertSnapshot(name: string, actual: string): void {
  const path = snapshotPath(name);
  if (updatingSnapshots()) {
    mkdirSync(SNAPSHOT_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) assert.fail(`snapshot ${path} does not exist: create it with npm run test:update-snapshots`);
  const expected = readFileSync(path, 'utf8');
  assert.equal(
    actual,
    expected,
    `output differs from the snapshot ${path}; if the change is intended, run npm run test:update-snapshots and review the diff`,
  );
}
