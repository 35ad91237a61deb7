import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auc, bestThreshold, clusterScores, kFoldAccuracy, tarAtFar } from '../../main/core/eval/metrics.js';
import { parseCsv } from '../../main/core/eval/protocol.js';

test('auc is 1 for separated scores, 0.5 for ties', () => {
  assert.equal(auc([0.9, 0.8], [0.1, 0.2]), 1);
  assert.equal(auc([0.5], [0.5]), 0.5);
  assert.equal(auc([0.1], [0.9]), 0);
});

test('tarAtFar picks the threshold from the negatives', () => {
  const neg = Array.from({ length: 100 }, (_, i) => i / 100);
  // FAR 1e-2 of 100 negatives allows exactly one false accept (0.99 > 0.98).
  const { tar, threshold } = tarAtFar([0.985, 0.995, 0.5], neg, 0.01);
  assert.equal(threshold, 0.98);
  assert.equal(tar, 2 / 3);
});

test('bestThreshold and kFoldAccuracy separate a separable set perfectly', () => {
  const items = Array.from({ length: 40 }, (_, i) => ({ s: i < 20 ? 0.1 + i * 0.01 : 0.6 + i * 0.01, same: i >= 20, fold: i % 10 }));
  const t = bestThreshold(items);
  assert.ok(t > 0.29 && t < 0.8);
  assert.equal(kFoldAccuracy(items).mean, 1);
});

test('clusterScores: perfect, all-in-one and singletons', () => {
  const truth = ['a', 'a', 'b', 'b'];
  const perfect = clusterScores(truth, [1, 1, 2, 2]);
  assert.equal(perfect.pairwise_f1, 1);
  assert.equal(perfect.bcubed_f1, 1);
  const merged = clusterScores(truth, [1, 1, 1, 1]);
  assert.equal(merged.pairwise_precision, 2 / 6);
  assert.equal(merged.bcubed_recall, 1);
  assert.equal(merged.bcubed_precision, 0.5);
  const singletons = clusterScores(truth, [1, 2, 3, 4]);
  assert.equal(singletons.bcubed_precision, 1);
  assert.equal(singletons.bcubed_recall, 0.5);
});

test('parseCsv handles quotes, doubled quotes and CRLF', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\n'), [['a', 'b'], ['x, y', 'say "hi"']]);
});
