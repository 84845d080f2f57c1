import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globToRegExp, trainableFilter } from '../../src/train/freeze.js';

const NAMES = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight'];

test('globs: * spans dots, ? is one character, everything else is literal', () => {
  assert.ok(globToRegExp('conv*').test('conv1.weight'));
  assert.ok(globToRegExp('*.bias').test('layer1.0.bn1.bias'));
  assert.ok(globToRegExp('fc?.weight').test('fc2.weight'));
  assert.ok(!globToRegExp('fc?.weight').test('fc10.weight'));
  assert.ok(!globToRegExp('conv1.weight').test('conv1xweight'));
  assert.ok(globToRegExp('a+b(c)').test('a+b(c)'));
});

test('--freeze and --train-only pick the trained parameters', () => {
  const trained = (o: Parameters<typeof trainableFilter>[1]) => NAMES.filter(trainableFilter(NAMES, o));
  assert.deepEqual(trained({}), NAMES);
  assert.deepEqual(trained({ freeze: ['conv*'] }), ['fc1.weight', 'fc1.bias', 'fc2.weight']);
  assert.deepEqual(trained({ trainOnly: ['fc2.*'] }), ['fc2.weight']);
  assert.deepEqual(trained({ trainOnly: ['fc*'], freeze: ['*.bias'] }), ['fc1.weight', 'fc2.weight']);
});

test('a pattern that matches nothing, or freezing everything, is an error', () => {
  assert.throws(
    () => trainableFilter(NAMES, { freeze: ['conv9*'] }),
    /--freeze 'conv9\*' matches no parameter \(they are: conv1.weight, /,
  );
  assert.throws(() => trainableFilter(NAMES, { trainOnly: ['x'] }), /--train-only 'x' matches no parameter/);
  assert.throws(() => trainableFilter(NAMES, { freeze: ['*'] }), /leave no parameter to train/);
});
