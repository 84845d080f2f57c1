// The README's table of supported ops is generated from the importer, folding and gradient-rule
// tables (src/train/supported-ops.ts); this test keeps it equal to them.
// `UPDATE_SNAPSHOTS=1 npm test` rewrites it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { opSupport, supportedOpsMarkdown } from '../../src/train/supported-ops.js';
import { updatingSnapshots } from '../helpers/snapshot.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const BEGIN = '<!-- supported-ops:begin -->';
const END = '<!-- supported-ops:end -->';

test("the README's table of supported ops is the one the tables give", () => {
  const text = readFileSync(README, 'utf8');
  const [start, end] = [text.indexOf(BEGIN), text.indexOf(END)];
  assert.ok(start >= 0 && end > start, `README.md needs ${BEGIN} ... ${END}`);
  const expected = `${BEGIN}\n\n${supportedOpsMarkdown()}\n\n${END}`;
  const actual = text.slice(start, end + END.length);
  // Prettier pads the table's cells; compare the cells
  const cells = (block: string) =>
    block
      .split('\n')
      .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
  if (updatingSnapshots() && JSON.stringify(cells(actual)) !== JSON.stringify(cells(expected)))
    writeFileSync(README, text.replace(actual, expected));
  else
    assert.deepEqual(
      cells(actual),
      cells(expected),
      'run UPDATE_SNAPSHOTS=1 npm test (then npm run format) to rewrite the table',
    );
});

test('what the PyTorch exporter emits for the practical, BatchNorm and residual networks is all supported', () => {
  const trains = new Set(
    opSupport()
      .filter((s) => s.trains)
      .map((s) => s.op),
  );
  for (const op of ['Conv', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'Add'])
    assert.ok(trains.has(op), op);
  for (const op of ['Gemm', 'Flatten', 'Reshape', 'Dropout', 'LogSoftmax', 'Shape', 'Unsqueeze', 'Concat'])
    assert.ok(trains.has(op), op);
});
