import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, lookUpOption, nearest, Registry } from './registry.js';

test('editDistance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('seed2d', 'seed2d'), 0);
});

test('nearest picks the closest valid name', () => {
  assert.equal(nearest('sed2d', ['seed2d', 'seed3d', 'cicek2016']), 'seed2d');
  assert.equal(nearest('ronneberger', ['seed2d', 'ronneberger2015']), 'ronneberger2015');
});

test('an unknown name lists the valid names and the nearest match', () => {
  const r = new Registry<number>('preset').register('seed2d', 1).register('seed3d', 2);
  assert.equal(r.get('seed3d'), 2);
  assert.throws(() => r.get('seed4d'), /unknown preset 'seed4d'; did you mean 'seed2d'\? Valid presets: seed2d, seed3d/);
  assert.throws(() => r.register('seed2d', 3), /registered twice/);
  assert.throws(() => lookUpOption('padding', 'vaild', ['same', 'valid']), /did you mean 'valid'/);
});
