import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/data/idx.js';
import { readImagesFile, readLabelsFile } from '../../src/data/idx-files.js';
import { idxBytes, imagesAndLabels, tempDir } from './fixtures.js';

const dir = tempDir();
const { images, labels } = imagesAndLabels(5, 4, 3);

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Asserts a one-line DataError that starts with the file's path and matches `pattern`. */
function rejects(read: () => unknown, path: string, pattern: RegExp): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof DataError, `not a DataError: ${String(error)}`);
    assert.ok(error.message.startsWith(`${path}: `), error.message);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
}

test('reads images and labels', () => {
  const im = readImagesFile(file('images', idxBytes([5, 4, 3], images)));
  assert.deepEqual([im.count, im.height, im.width], [5, 4, 3]);
  assert.deepEqual(im.pixels, images);
  const lb = readLabelsFile(file('labels', idxBytes([5], labels)));
  assert.equal(lb.count, 5);
  assert.deepEqual(lb.labels, labels);
});

test('reads gzipped files, recognised by their magic bytes whatever the name', () => {
  const im = readImagesFile(file('images-no-gz-suffix', gzipSync(idxBytes([5, 4, 3], images))));
  assert.deepEqual(im.pixels, images);
  assert.deepEqual(readLabelsFile(file('labels.gz', gzipSync(idxBytes([5], labels)))).labels, labels);
});

test('rejects an empty file', () => {
  const path = file('empty', new Uint8Array(0));
  rejects(() => readImagesFile(path), path, /: empty file$/);
});

test('rejects a file shorter than the magic number', () => {
  const path = file('short', new Uint8Array([0, 0]));
  rejects(() => readLabelsFile(path), path, /too short for an IDX header/);
});

test('rejects a wrong magic number', () => {
  const path = file('png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
  rejects(() => readImagesFile(path), path, /not an IDX file \(magic bytes 89 50 4e 47/);
});

test('rejects an element type other than unsigned byte', () => {
  const path = file('floats', idxBytes([5], labels, 0x0d));
  rejects(() => readLabelsFile(path), path, /element type 0x0d is not unsigned byte/);
});

test('rejects a labels file given as images, and images given as labels', () => {
  const labelsPath = file('train-labels-idx1-ubyte', idxBytes([5], labels));
  rejects(
    () => readImagesFile(labelsPath),
    labelsPath,
    /: 1 dimension, images files have 3: this looks like a labels file$/,
  );
  const imagesPath = file('train-images-idx3-ubyte', idxBytes([5, 4, 3], images));
  rejects(
    () => readLabelsFile(imagesPath),
    imagesPath,
    /: 3 dimensions, labels files have 1: this looks like an images file$/,
  );
});

test('rejects an unexpected dimension count', () => {
  const path = file('two-dims', idxBytes([5, 12], images.subarray(0, 60)));
  rejects(() => readImagesFile(path), path, /2 dimensions, images files have 3$/);
});

test('rejects a truncated header', () => {
  const path = file('cut-header', idxBytes([5, 4, 3], new Uint8Array(0)).subarray(0, 9));
  rejects(() => readImagesFile(path), path, /truncated header \(9 bytes, the header needs 16\)/);
});

test('rejects truncated data, saying how much the header promised', () => {
  const path = file('train-labels-idx1-ubyte-cut', idxBytes([60000], new Uint8Array(59990)));
  rejects(() => readLabelsFile(path), path, /: truncated: header says 60000 items, file has 59990 bytes of data$/);
  const imagesPath = file('images-cut', idxBytes([5, 4, 3], images.subarray(0, 59)));
  rejects(
    () => readImagesFile(imagesPath),
    imagesPath,
    /truncated: header says 5 images of 4x3 \(60 bytes\), file has 59 bytes/,
  );
});

test('rejects trailing bytes', () => {
  const path = file('trailing', idxBytes([5], new Uint8Array([1, 2, 3, 4, 5, 6, 7])));
  rejects(() => readLabelsFile(path), path, /2 trailing bytes after the 5 items the header declares/);
});

test('rejects a header that declares no items', () => {
  const path = file('zero', idxBytes([0], new Uint8Array(0)));
  rejects(() => readLabelsFile(path), path, /declares 0 labels/);
});

test('rejects a label outside the classes', () => {
  const path = file('bad-label', idxBytes([3], new Uint8Array([1, 10, 2])));
  rejects(() => readLabelsFile(path), path, /label 10 at index 1 is out of range \(10 classes/);
  assert.equal(readLabelsFile(path, 11).count, 3);
});

test('rejects a missing file and corrupt gzip data', () => {
  const missing = join(dir, 'nowhere');
  rejects(() => readImagesFile(missing), missing, /no such file/);
  const gz = gzipSync(idxBytes([5], labels));
  const path = file('cut.gz', gz.subarray(0, gz.length - 10));
  rejects(() => readLabelsFile(path), path, /corrupt gzip data/);
});
